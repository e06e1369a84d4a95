// CurricularFace's margin, in one place: its value (the composite op), its fused kernel's formula
// (host value and slope, WGSL, its running t) and the encoder of its params.
import * as tf from '@tensorflow/tfjs-core';
import { sineOfCosine } from '../math/cosine_margin_math.js';
import { stopGradient } from '../ops/stop_gradient.js';
import { describe } from '../util/validate.js';
import { arcFaceApply, arcFaceTarget, wgslArcFace } from './arc_face_margin.js';
import { checkAngleMargin, cosOfAnglePlus, nonNegativeNumbers } from './cosine_angles.js';
import type { CosineMarginFormula } from './cosine_formula.js';
import type { Margin } from './margin.js';

/** The parameters of a CurricularFace margin value. */
export interface CurricularFaceMarginParams {
  /** m in radians, in [0, π). */
  margin: number;
  /**
   * t, the weight of the hard negatives' reweighting (a number or a scalar tensor); with a
   * tAlpha > 0, the previous running t, which the pass updates before use.
   */
  t: tf.Scalar | number;
  /**
   * tAlpha, the momentum α of the running t: t ← α·mean(cos θ_y) + (1 − α)·t over the pass's rows (a row
   * without a target counts 0), as the reference head updates it. 0: t is used as given.
   */
  tAlpha: number;
  /** Receives the t the pass used (the {@link CurricularFace} head stages it as its new state). */
  commit?: (t: tf.Scalar) => void;
}

/** The kind of this margin's values and the name of its kernel formula. */
const KIND = 'curricularFace';

/**
 * CurricularFace's formula for the fused kernel, params [m, α]: ArcFace's target, and each
 * non-target c_j above cos(θ_y + m) (computed as c_y·cos m − sin θ_y·sin m, without ArcFace's
 * fallback) reweighted to c_j·(t + c_j), slope t + 2c_j; t is the pass's running state, a
 * constant of the backward pass.
 * @internal
 */
export const CURRICULAR_FACE_FORMULA: CosineMarginFormula<CurricularFaceMarginParams> = {
  name: KIND,
  target: ([m], c) => arcFaceTarget(m!, false, c),
  nonTargets: () => 'rewritten',
  nonTarget: ([m], c, row) => {
    const shifted = row.target * Math.cos(m!) - sineOfCosine(row.target) * Math.sin(m!);
    const t = row.state[0]!;
    return c > shifted ? [c * (t + c), t + 2 * c] : null;
  },
  running: { statistic: 'target-mean', tAlpha: 1 },
  wgsl: ([m]) => {
    const arc = wgslArcFace(m!, false); // p2 = cos m, p3 = sin m
    return {
      structure: KIND,
      uniforms: arc.uniforms,
      code: `${arc.code}
  fn other(c : f32, rowTarget : f32, state : f32) -> vec2<f32> {
    let clipped = clamp(rowTarget, -1.0, 1.0);
    let shifted = rowTarget * uniforms.p2 - sqrt((1.0 - clipped) * (1.0 + clipped)) * uniforms.p3;
    if (c > shifted) {
      return vec2<f32>(c * (state + c), state + 2.0 * c);
    }
    return vec2<f32>(c, 1.0);
  }`,
    };
  },
  encode: ({ margin, tAlpha, t, commit }) => {
    const values = nonNegativeNumbers(margin, tAlpha);
    if (values == null || !(typeof t === 'number' || t instanceof tf.Tensor)) return null;
    const state = () => (t instanceof tf.Tensor ? (tf.reshape(t, [1]) as tf.Tensor1D) : tf.tensor1d([t]));
    return {
      formula: KIND,
      params: values,
      state,
      ...(typeof commit === 'function' ? { commit: (next: tf.Tensor1D) => (commit as (t: tf.Scalar) => void)(tf.reshape(next, [])) } : {}),
    };
  },
};

/**
 * A CurricularFace margin whose t is a running average updated from the pass's target cosines;
 * `commit` receives the updated t. @internal
 */
export function curricularFaceRunningMargin(
  margin: number,
  previous: tf.Scalar | number,
  tAlpha: number,
  commit?: (t: tf.Scalar) => void,
): Margin<CurricularFaceMarginParams> {
  checkAngleMargin('CurricularFace', margin);
  const nonTarget = (cosines: tf.Tensor, cosTarget: tf.Tensor): tf.Tensor => {
    const updated = tAlpha === 0 ? tf.add<tf.Scalar>(previous, 0) : tf.add<tf.Scalar>(tf.mul(tf.mean(cosTarget), tAlpha), tf.mul(previous, 1 - tAlpha));
    commit?.(updated);
    const t = stopGradient(updated); // a constant of the backward pass
    // Hard negatives: cos θ_j > cos(θ_y + m) (without ArcFace's fallback, as the reference). A 0/1
    // mask from tf.step, which has no gradient: only cos θ_j carries one, through cos θ_j·(t + cos θ_j).
    const shifted = cosOfAnglePlus(cosTarget, margin);
    const hard = tf.step(tf.sub(cosines, shifted));
    return tf.add(cosines, tf.mul(hard, tf.sub(tf.mul(cosines, tf.add(t, cosines)), cosines)));
  };
  const params = { margin, t: previous, tAlpha, ...(commit != null ? { commit } : {}) };
  return { kind: CURRICULAR_FACE_FORMULA.name, params, apply: arcFaceApply(margin, false), nonTarget };
}

/**
 * The CurricularFace margin: ArcFace's on the target (cos(θ_y + m), insightface's fallback past
 * θ_y + m > π), and every non-target cosine above cos(θ_y + m) — a hard negative — reweighted to
 * cos θ_j·(t + cos θ_j). t is a constant of the backward pass; the {@link CurricularFace} head
 * keeps it as the running mean of the target cosines, so hard negatives matter little early in
 * training (t ≈ 0) and more as t grows.
 *
 * Paper: Y. Huang et al., "CurricularFace: Adaptive Curriculum Learning Loss for Deep Face
 * Recognition", CVPR 2020, {@link https://arxiv.org/abs/2004.00288} (and its reference
 * head).
 *
 * @param margin - m in radians, in [0, π). CurricularFace uses 0.5.
 * @param t - the hard negatives' weight t (a number or a scalar tensor).
 * @returns the margin value for {@link marginLogits}.
 * @throws Error for a margin outside [0, π).
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: curricularFaceMargin(0.5, 0.3) });
 * ```
 */
export function curricularFaceMargin(margin: number, t: tf.Scalar | number): Margin<CurricularFaceMarginParams> {
  if (!(t instanceof tf.Tensor) && !(typeof t === 'number' && Number.isFinite(t)))
    throw new Error(`CurricularFace: t must be a finite number or a scalar tensor, but got ${describe(t)}.`);
  return curricularFaceRunningMargin(margin, t, 0);
}
