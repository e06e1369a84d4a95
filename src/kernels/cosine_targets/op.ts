// The op of the fused cosine-margin target kernel.
import * as tf from '@tensorflow/tfjs-core';
import { registerCosineTargets } from './gradient.js';
import { COSINE_TARGETS } from './names.js';
import { namedAttrs } from '../fused_kernels.js';

registerCosineTargets();

/** A margin as the kernel takes it: its formula and parameters as numbers, and its state. @internal */
export interface CosineKernelMargin {
  /** The name of a registered formula (formula.ts). */
  formula: string;
  params: number[];
  /** The state [S] the formula starts the pass from (CurricularFace's t; AdaFace's μ, σ), made when the kernel runs. */
  state?: () => tf.Tensor1D;
  /** The embeddings whose norms the formula reads (AdaFace). */
  embeddings?: tf.Tensor2D;
  /** Receives the pass's state [S], if given. */
  commit?: (state: tf.Tensor1D) => void;
}

function cosineTargets_(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  margin: CosineKernelMargin,
  progress: tf.Scalar | null,
  scale: number,
): [tf.Tensor2D, tf.Tensor1D] {
  const p = progress ?? tf.scalar(1);
  const state = margin.state?.() ?? tf.tensor1d([0]);
  // Without embeddings to read, `emb` is a stand-in that no gradient reaches.
  const emb = margin.embeddings ?? state;
  // runKernel is typed to return a Tensor or Tensor[]; this kernel returns two: the logits and the state.
  return tf
    .engine()
    .runKernel(
      COSINE_TARGETS,
      { logits, labels, progress: p, state, emb },
      namedAttrs({ formula: margin.formula, params: margin.params, scale }),
    ) as unknown as [tf.Tensor2D, tf.Tensor1D];
}

/**
 * A cosine margin's logits in one kernel (the values of the composite path in marginLogits with
 * the same margin, warm-up and scale), and the pass's state (CurricularFace's updated t; else the
 * margin's state): `logits` = cos θ_j [B, C] of normalized embeddings, `labels` int32 [B], the
 * margin in the kernel's form, the warm-up's progress p (null: the full margin) and the scale s.
 * Callers check fusedKernelActive(COSINE_TARGETS) first, and commit or dispose the state.
 * @internal
 */
export const cosineTargets = tf.op({ cosineTargets_ });
