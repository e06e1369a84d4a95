// The margin values the fused cosine-margin kernel computes, in the kernel's form: chosen from each
// margin value's kind and params (never from the identity of a function).
import * as tf from '@tensorflow/tfjs-core';
import type { CosineKernelMargin } from '../kernels/cosine_targets/op.js';
import { SPHERE_FACE2_VARIANTS, SPHERE_FACE_R_VARIANTS, type CosineFormula } from '../math/cosine_margin_math.js';
import type { AdaFaceRunningStatistics } from '../margins/margin.js';

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
    const running = params['running'] as AdaFaceRunningStatistics | undefined;
    values = all([params['margin'], running?.h, running?.momentum]);
    if (values == null || running == null) return null;
    const state = () => tf.stack([running.mean, running.std]) as tf.Tensor1D;
    return { formula: kind, params: values, state, embeddings: running.embeddings, ...(running.commit != null ? { commit: running.commit } : {}) };
  }
  return values == null || values.some((v) => v < 0) ? null : { formula: kind as CosineFormula, params: values };
}
