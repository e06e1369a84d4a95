// The combined margin's value (the composite op), its fused kernel's formula (host value and
// slope, WGSL) and the encoder of its params, in one place.
import * as tf from '@tensorflow/tfjs-core';
import { WGSL_SINE } from '../kernels/cosine_targets/wgsl_parts.js';
import { angleOf, MIN_SINE_FOR_GRADIENT, sineOfCosine } from '../math/cosine_margin_math.js';
import { assertPositive } from '../util/validate.js';
import { assertRange, nonNegativeNumbers, safeAngle } from './cosine_angles.js';
import type { CosineMarginFormula } from './cosine_formula.js';
import type { Margin } from './margin.js';

/** The parameters of a combined margin value, cos(m1·θ + m2) − m3. */
export interface CombinedCosineMarginParams {
  /** Multiplicative angular margin m1 > 0. */
  m1: number;
  /** Additive angular margin m2 in [0, π). */
  m2: number;
  /** Additive cosine margin m3 in [0, 2). */
  m3: number;
}

/** The kind of this margin's values and the name of its kernel formula. */
const KIND = 'combinedCosine';

/**
 * The combined margin's formula for the fused kernel: g(c) = cos(m1·θ + m2) − m3, slope
 * m1·sin(m1·θ + m2) / sin θ (dθ/dc = −1 / sin θ, bounded); params [m1, m2, m3].
 * @internal
 */
export const COMBINED_COSINE_FORMULA: CosineMarginFormula<CombinedCosineMarginParams> = {
  name: KIND,
  target: ([m1, m2, m3], c) => {
    const sine = sineOfCosine(c);
    const angle = m1! * angleOf(c, sine) + m2!;
    return [Math.cos(angle) - m3!, (m1! * Math.sin(angle)) / Math.max(sine, MIN_SINE_FOR_GRADIENT)];
  },
  wgsl: ([m1, m2, m3]) => ({
    structure: KIND,
    uniforms: [m1!, m2!, m3!, 0],
    code: `
  fn margin(c : f32) -> vec2<f32> {${WGSL_SINE}
    let angle = uniforms.p0 * atan2(sine, clipped) + uniforms.p1;
    return vec2<f32>(cos(angle) - uniforms.p2, uniforms.p0 * sin(angle) / divisor);
  }`,
  }),
  encode: (params) => {
    const values = nonNegativeNumbers(params.m1, params.m2, params.m3);
    return values == null ? null : { formula: KIND, params: values };
  },
};

/**
 * The combined margin of insightface: g(c) = cos(m1·θ + m2) − m3, θ = acos(c). With m1 = 1, m2 = 0
 * it is CosFace (margin m3); with m1 = 1, m3 = 0 it is ArcFace without its fallback; with m2 = m3 = 0
 * and integer m1 it is SphereFace's cos(mθ) without ψ's monotone extension. θ = acos(c) is exact at
 * c = ±1; its derivative there is bounded (|dθ/dc| ≤ 1000), so gradients stay finite. Beyond m1·θ + m2 > π the
 * function is not monotone; keep m1·π + m2 modest or accept that, as insightface does.
 *
 * @param m1 - multiplicative angular margin, > 0 (1: none).
 * @param m2 - additive angular margin in radians, in [0, π).
 * @param m3 - additive cosine margin, in [0, 2).
 * @returns the margin value for {@link marginLogits} and the heads.
 * @throws Error for parameters outside their ranges.
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: combinedCosineMargin(1, 0.3, 0.2) });
 * ```
 */
export function combinedCosineMargin(m1: number, m2: number, m3: number): Margin<CombinedCosineMarginParams> {
  assertPositive('CombinedMargin', 'm1', m1);
  assertRange('CombinedMargin', 'm2', m2, 0, Math.PI);
  assertRange('CombinedMargin', 'm3', m3, 0, 2);
  return { kind: COMBINED_COSINE_FORMULA.name, params: { m1, m2, m3 }, apply: (c) => tf.sub(tf.cos(tf.add(tf.mul(safeAngle(c), m1), m2)), m3) };
}
