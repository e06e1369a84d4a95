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
  /** The state the formula starts the pass from (CurricularFace's previous t), default 0. */
  state?: tf.Scalar | number;
  /** Receives the pass's state (CurricularFace's updated t), if given. */
  commit?: (state: tf.Scalar) => void;
}

/**
 * The kernel's form of a margin value of kind `kind` with `params` (the fields its margin function
 * sets: cosFaceMargin's margin, arcFaceMargin's margin and easyMargin, combinedCosineMargin's m1, m2,
 * m3, sphereFaceRMargin's margin and variant, sphereFace2Margin's variant, margin and t,
 * CurricularFace's margin, t, momentum and commit), or null for a kind the kernel does not compute.
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
    return { formula: kind, params: values, state: t as tf.Scalar | number, ...(typeof commit === 'function' ? { commit: commit as (state: tf.Scalar) => void } : {}) };
  }
  return values == null || values.some((v) => v < 0) ? null : { formula: kind as CosineFormula, params: values };
}

function cosineTargets_(logits: tf.Tensor2D, labels: tf.Tensor1D, margin: CosineKernelMargin, progress: tf.Scalar | null, scale: number): [tf.Tensor2D, tf.Scalar] {
  const t = progress ?? tf.scalar(1);
  const state = margin.state instanceof tf.Tensor ? margin.state : tf.scalar(margin.state ?? 0);
  return tf.engine().runKernel(COSINE_TARGETS, { logits, labels, progress: t, state }, { formula: margin.formula, params: margin.params, scale } as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor2D, tf.Scalar];
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
