// The op of the fused cosine-margin target kernel.
import * as tf from '@tensorflow/tfjs-core';
import { SPHERE_FACE2_VARIANTS, SPHERE_FACE_R_VARIANTS, type CosineFormula } from '../../math/cosine_margin_math.js';
import { registerCosineTargets } from './gradient.js';
import { COSINE_TARGETS } from './names.js';

registerCosineTargets();

/** A margin as the kernel takes it: its formula and parameters as numbers, and its state. @internal */
export interface CosineKernelMargin {
  formula: CosineFormula;
  params: number[];
  /** The state [S] the formula starts the pass from (CurricularFace's t; AdaFace's μ, σ), made when the kernel runs. */
  state?: () => tf.Tensor1D;
  /** The embeddings whose norms the formula reads (AdaFace). */
  embeddings?: tf.Tensor2D;
  /** Receives the pass's state [S], if given. */
  commit?: (state: tf.Tensor1D) => void;
}

/**
 * The kernel's form of a margin value of kind `kind` with `params` (the fields its margin function
 * sets: cosFaceMargin's margin, arcFaceMargin's margin and easyMargin, combinedCosineMargin's m1, m2,
 * m3, sphereFaceRMargin's margin and variant, sphereFace2Margin's variant, margin and t,
 * CurricularFace's margin, t, momentum and commit, AdaFace's margin and running statistics), or
 * null for a kind the kernel does not compute.
 * @internal
 */
export function cosineKernelMargin(kind: string, params: Readonly<Record<string, unknown>>): CosineKernelMargin | null {
  const numbers = (...names: string[]) => names.map((name) => params[name]);
  const all = (values: unknown[]) => (values.every((v) => typeof v === 'number') ? (values as number[]) : null);
  let values: number[] | null = null;
  if (kind === 'cosface') values = all(numbers('margin'));
  else if (kind === 'arcface') values = all([params['margin'], params['easyMargin'] === true ? 1 : 0]);
  else if (kind === 'combined') values = all(numbers('m1', 'm2', 'm3'));
  else if (kind === 'spherefacer') values = all([params['margin'], (SPHERE_FACE_R_VARIANTS as readonly unknown[]).indexOf(params['variant'])]);
  else if (kind === 'sphereface2') values = all([(SPHERE_FACE2_VARIANTS as readonly unknown[]).indexOf(params['variant']), params['margin'], params['t']]);
  else if (kind === 'curricular') {
    const { t, commit } = params;
    values = all(numbers('margin', 'momentum'));
    if (values == null || !(typeof t === 'number' || t instanceof tf.Tensor)) return null;
    const state = () => (t instanceof tf.Tensor ? tf.reshape(t, [1]) as tf.Tensor1D : tf.tensor1d([t as number]));
    return { formula: kind, params: values, state, ...(typeof commit === 'function' ? { commit: (next: tf.Tensor1D) => commit(tf.reshape(next, [])) } : {}) };
  } else if (kind === 'adaface') {
    // Only with running statistics: per-row scalers given as a tensor run composite.
    const running = params['running'] as AdaFaceRunning | undefined;
    values = all([params['margin'], running?.h, running?.momentum]);
    if (values == null || running == null) return null;
    const state = () => tf.stack([running.mean, running.std]) as tf.Tensor1D;
    return { formula: kind, params: values, state, embeddings: running.embeddings, ...(running.commit != null ? { commit: running.commit } : {}) };
  }
  return values == null || values.some((v) => v < 0) ? null : { formula: kind as CosineFormula, params: values };
}

/** The fields of AdaFace's running statistics that the kernel reads (see AdaFaceRunningStatistics). */
interface AdaFaceRunning {
  embeddings: tf.Tensor2D;
  mean: tf.Scalar;
  std: tf.Scalar;
  h: number;
  momentum: number;
  commit?: (statistics: tf.Tensor1D) => void;
}

function cosineTargets_(logits: tf.Tensor2D, labels: tf.Tensor1D, margin: CosineKernelMargin, progress: tf.Scalar | null, scale: number): [tf.Tensor2D, tf.Tensor1D] {
  const t = progress ?? tf.scalar(1);
  const state = margin.state?.() ?? tf.tensor1d([0]);
  // Without embeddings to read, `emb` is a stand-in that no gradient reaches.
  const emb = margin.embeddings ?? state;
  return tf.engine().runKernel(COSINE_TARGETS, { logits, labels, progress: t, state, emb }, { formula: margin.formula, params: margin.params, scale } as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor2D, tf.Tensor1D];
}

/**
 * A cosine margin's logits in one kernel (the values of the composite path in marginLogits with
 * the same margin, warm-up and scale), and the pass's state (CurricularFace's updated t; else the
 * margin's state): `logits` = cos θ_j [B, C] of normalized embeddings, `labels` int32 [B], the
 * margin in the kernel's form, the warm-up's progress t (null: the full margin) and the scale s.
 * Callers check fusedKernelActive(COSINE_TARGETS) first, and commit or dispose the state.
 * @internal
 */
export const cosineTargets = tf.op({ cosineTargets_ });
