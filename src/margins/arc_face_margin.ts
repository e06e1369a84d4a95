// ArcFace's margin, in one place: its value (the composite op), its fused kernel's formula (host
// value and slope, WGSL) and the encoder of its params.
import * as tf from '@tensorflow/tfjs-core';
import { WGSL_SINE } from '../kernels/cosine_targets/wgsl_parts.js';
import { MIN_SINE_FOR_GRADIENT, sineOfCosine } from '../math/cosine_margin_math.js';
import { assertBoolean } from '../util/validate.js';
import { assertRange, cosOfAnglePlus, nonNegativeNumbers } from './cosine_angles.js';
import type { CosineMarginFormula } from './cosine_formula.js';
import type { Margin } from './margin.js';

/** The parameters of an ArcFace margin value. */
export interface ArcFaceMarginParams {
  /** m in radians, in [0, π). */
  margin: number;
  /** Whether the margin applies only where cos θ > 0 (the easy margin). */
  easyMargin: boolean;
}

/**
 * The cosine below which ArcFace's θ + m passes π (c < cos(π − m)), as the float32 value the
 * composite op compares with; its fallback applies at and below it (easy: at and below 0).
 * @internal
 */
export function arcFaceThreshold(m: number, easy: boolean): number {
  return easy ? 0 : Math.fround(Math.cos(Math.PI - m));
}

/**
 * ArcFace's g(c) and g'(c) on a number: cos(θ + m) = c·cos m − sin θ·sin m above the threshold
 * (d sin θ/dc = −c / sin θ, bounded), else the fallback c − m·sin m (easy: c), slope 1.
 * @internal
 */
export function arcFaceTarget(m: number, easy: boolean, c: number): [number, number] {
  if (!(c > arcFaceThreshold(m, easy))) return [easy ? c : c - m * Math.sin(m), 1];
  const sine = sineOfCosine(c);
  return [c * Math.cos(m) - sine * Math.sin(m), Math.cos(m) + (c * Math.sin(m)) / Math.max(sine, MIN_SINE_FOR_GRADIENT)];
}

/**
 * ArcFace's WGSL `margin(c)` (and its uniforms: p0 the threshold, p1 m·sin m, p2 cos m, p3 sin m),
 * computed as {@link arcFaceTarget}.
 * @internal
 */
export function wgslArcFace(m: number, easy: boolean): { uniforms: [number, number, number, number]; code: string } {
  return {
    uniforms: [arcFaceThreshold(m, easy), m * Math.sin(m), Math.cos(m), Math.sin(m)],
    code: `
  fn margin(c : f32) -> vec2<f32> {
    if (!(c > uniforms.p0)) {
      return vec2<f32>(${easy ? 'c' : 'c - uniforms.p1'}, 1.0);
    }${WGSL_SINE}
    return vec2<f32>(c * uniforms.p2 - sine * uniforms.p3, uniforms.p2 + c * uniforms.p3 / divisor);
  }`,
  };
}

/** The kind of this margin's values and the name of its kernel formula. */
const KIND = 'arcFace';

/** ArcFace's formula for the fused kernel; params [m, easy (0 or 1)]. @internal */
export const ARC_FACE_FORMULA: CosineMarginFormula<ArcFaceMarginParams> = {
  name: KIND,
  target: ([m, easy], c) => arcFaceTarget(m!, easy === 1, c),
  wgsl: ([m, easy]) => ({ structure: `${KIND}_easy${easy}`, ...wgslArcFace(m!, easy === 1) }),
  encode: ({ margin, easyMargin }) => {
    const values = nonNegativeNumbers(margin, easyMargin === true ? 1 : 0);
    return values == null ? null : { formula: KIND, params: values };
  },
};

/**
 * The ArcFace (additive angular margin) target margin: g(c) = cos(θ + m), θ = acos(c), computed as
 * c·cos m − sin θ·sin m without acos. Where θ + m > π the function would turn back up; there, as in
 * insightface, it continues as c − m·sin m (or, with `easyMargin`, the margin applies only where
 * c > 0 and g(c) = c elsewhere). Values are exact at c = ±1; the derivative of sin θ there is bounded
 * (|d sin θ/dc| ≤ 1000, see MIN_SINE_FOR_GRADIENT in src/math/cosine_margin_math.ts), so gradients stay finite.
 *
 * @param margin - m in radians, in [0, π). ArcFace uses 0.5.
 * @param easyMargin - apply the margin only to cosines > 0. Default: false.
 * @returns the margin value for {@link marginLogits} and the heads.
 * @throws Error for a margin outside [0, π).
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: arcFaceMargin(0.5) });
 * ```
 */
export function arcFaceMargin(margin: number, easyMargin = false): Margin<ArcFaceMarginParams> {
  assertRange('ArcFace', 'margin', margin, 0, Math.PI);
  assertBoolean('ArcFace', 'easyMargin', easyMargin);
  return { kind: ARC_FACE_FORMULA.name, params: { margin, easyMargin }, apply: arcFaceApply(margin, easyMargin) };
}

/** ArcFace's target values on a tensor of target cosines. @internal */
export function arcFaceApply(margin: number, easyMargin: boolean): (c: tf.Tensor) => tf.Tensor {
  const sinM = Math.sin(margin);
  const threshold = arcFaceThreshold(margin, easyMargin); // θ + m > π  ⇔  c < cos(π − m); easy: c ≤ 0
  return (c: tf.Tensor): tf.Tensor => {
    const shifted = cosOfAnglePlus(c, margin);
    // A 0/1 mask from tf.step (whose gradient is zero) rather than tf.where on a comparison: tfjs
    // finds no gradient for the comparison and refuses to differentiate through it. Both branches
    // have finite derivatives everywhere, so the masked blend never multiplies 0 by infinity.
    const keep = tf.step(tf.sub(c, threshold));
    const other = easyMargin ? c : tf.sub(c, margin * sinM);
    return tf.add(tf.mul(keep, shifted), tf.mul(tf.sub(1, keep), other));
  };
}
