// SphereFace-R's margin, in one place: its value (the composite op), its fused kernel's formula
// (host value, WGSL) and the encoder of its params.
import * as tf from '@tensorflow/tfjs-core';
import { WGSL_OPENSPHERE_ANGLES } from '../kernels/cosine_targets/wgsl_parts.js';
import { wgslFloat } from '../kernels/webgpu_program.js';
import { clampOpenSphereAngle, openSphereAngle, openSphereCosine, SPHERE_FACE_R_VARIANTS } from '../math/cosine_margin_math.js';
import { detachedTowards } from '../ops/stop_gradient.js';
import { assertOneOf, describe } from '../util/validate.js';
import { nonNegativeNumbers } from './cosine_angles.js';
import type { CosineMarginFormula } from './cosine_formula.js';
import type { Margin } from './margin.js';
import { clampAngle, clampedAngle, clampedCosine } from './opensphere_angles.js';

/**
 * How SphereFace-R applies its multiplicative margin m to θ (opensphere's `magn_type`):
 * - 'v0': the target's g(θ_y) = (−1)^k cos(mθ_y) − 2k, k = ⌊mθ_y/π⌋ (SphereFace's ψ for a real m);
 * - 'v1': the target's g(θ_y) = cos(min(mθ_y, π));
 * - 'v2': the target unchanged, every non-target cos θ_j replaced by cos(θ_j / m).
 */
export type SphereFaceRVariant = 'v0' | 'v1' | 'v2';

/** The parameters of a SphereFace-R margin value. */
export interface SphereFaceRMarginParams {
  /** The multiplicative margin m ≥ 1 (1: no margin). */
  margin: number;
  /** How m acts on θ. */
  variant: SphereFaceRVariant;
}

/**
 * SphereFace-R's target value g at c for margin m and variant 0, 1 or 2: (−1)^k·cos(mθ) − 2k with
 * k = ⌊mθ/π⌋; cos(clamp(mθ, 1e-5, 3.14159)); the clamped cosine itself.
 */
function sphereFaceRTarget(m: number, variant: number, c: number): number {
  if (variant === 2) return openSphereCosine(c);
  const mTheta = m * openSphereAngle(c);
  if (variant === 1) return Math.cos(clampOpenSphereAngle(mTheta));
  const k = Math.floor(mTheta / Math.PI);
  return (k % 2 === 0 ? 1 : -1) * Math.cos(mTheta) - 2 * k;
}

/** The kind of this margin's values and the name of its kernel formula. */
const KIND = 'sphereFaceR';

/**
 * SphereFace-R's formula for the fused kernel, params [m, variant (its index in
 * SPHERE_FACE_R_VARIANTS)]: its target value with the gradient of c (detached), and for 'v2' the
 * non-target values cos(θ_j / m), detached too.
 * @internal
 */
export const SPHERE_FACE_R_FORMULA: CosineMarginFormula<SphereFaceRMarginParams> = {
  name: KIND,
  target: ([m, variant], c) => [sphereFaceRTarget(m!, variant!, c), 1],
  nonTargets: ([, variant]) => (variant === 2 ? 'detached' : 'kept'),
  nonTarget: ([m, variant], c) => (variant === 2 ? [Math.cos(openSphereAngle(c) / m!), 1] : null),
  wgsl: ([m, variant]) => {
    // p0: m.
    const code =
      variant === 2
        ? `${WGSL_OPENSPHERE_ANGLES}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(openSphereCosine(c), 1.0);
  }
  fn other(c : f32, rowTarget : f32, state : f32) -> vec2<f32> {
    return vec2<f32>(cos(openSphereAngle(c) / uniforms.p0), 1.0);
  }`
        : variant === 1
          ? `${WGSL_OPENSPHERE_ANGLES}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(cos(clampAngle(uniforms.p0 * openSphereAngle(c))), 1.0);
  }`
          : `${WGSL_OPENSPHERE_ANGLES}
  fn margin(c : f32) -> vec2<f32> {
    let mTheta = uniforms.p0 * openSphereAngle(c);
    let k = floor(mTheta / ${wgslFloat(Math.PI)});
    let sign = select(1.0, -1.0, (i32(k) & 1) == 1);
    return vec2<f32>(sign * cos(mTheta) - 2.0 * k, 1.0);
  }`;
    return { structure: `${KIND}_v${variant}`, uniforms: [m!, 0, 0, 0], code };
  },
  encode: ({ margin, variant }) => {
    const values = nonNegativeNumbers(margin, (SPHERE_FACE_R_VARIANTS as readonly unknown[]).indexOf(variant));
    return values == null ? null : { formula: KIND, params: values };
  },
};

/** The target's g(θ_y) of 'v0' and 'v1' for target cosines c. */
function targetValue(c: tf.Tensor, margin: number, variant: 'v0' | 'v1'): tf.Tensor {
  const mTheta = tf.mul(clampedAngle(c), margin);
  if (variant === 'v1') return tf.cos(clampAngle(mTheta));
  const k = tf.floor(tf.div(mTheta, Math.PI));
  const sign = tf.sub(1, tf.mul(2, tf.mod(k, 2))); // (−1)^k for k ≥ 0
  return tf.sub(tf.mul(sign, tf.cos(mTheta)), tf.mul(2, k));
}

/**
 * The SphereFace-R margin (SphereFace Revived): a real-valued multiplicative margin m on the
 * angle, with characteristic gradient detachment — every replaced cosine c becomes c + d with
 * d = g(θ) − c computed without gradient, so the forward value is g(θ) and the backward pass that
 * of the plain cos θ. By variant ({@link SphereFaceRVariant}): 'v0' replaces the target by
 * (−1)^k cos(mθ_y) − 2k, k = ⌊mθ_y/π⌋; 'v1' by cos(min(mθ_y, π)); 'v2' leaves the target and
 * replaces each non-target cos θ_j by cos(θ_j / m). θ is computed from cos θ clamped to
 * [−1 + 1e-5, 1 − 1e-5], and 'v1' clamps mθ to [1e-5, 3.14159], as the reference (opensphere's
 * `get_d_theta`) does; unlike the reference, 'v0' and 'v1' leave the non-target entries exactly
 * cos θ_j (the reference's clamp moves those with |cos θ_j| > 1 − 1e-5 by at most 1e-5).
 *
 * Paper: W. Liu, Y. Wen, B. Raj, R. Singh and A. Weller, "SphereFace Revived: Unifying
 * Hyperspherical Face Recognition", TPAMI 2022, {@link https://arxiv.org/abs/2109.05565}.
 *
 * @param margin - m ≥ 1 (1: no margin). SphereFace-R uses 1.5.
 * @param variant - 'v0' (default), 'v1' or 'v2'.
 * @returns the margin value for {@link marginLogits} and the heads.
 * @throws Error for a margin below 1 or not finite, or an unknown variant.
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 30, targetMargin: sphereFaceRMargin(1.5, 'v1') });
 * ```
 */
export function sphereFaceRMargin(margin: number, variant: SphereFaceRVariant = 'v0'): Margin<SphereFaceRMarginParams> {
  checkSphereFaceRMargin('SphereFaceR', margin, variant);
  const params = { margin, variant };
  if (variant === 'v2') {
    // The target: the reference's clamp only; the non-targets: cos(θ_j / m), detached.
    const apply = (c: tf.Tensor): tf.Tensor => detachedTowards(c, clampedCosine);
    const nonTarget = (cosines: tf.Tensor): tf.Tensor => detachedTowards(cosines, (z) => tf.cos(tf.div(clampedAngle(z), margin)));
    return { kind: SPHERE_FACE_R_FORMULA.name, params, apply, nonTarget };
  }
  return { kind: SPHERE_FACE_R_FORMULA.name, params, apply: (c) => detachedTowards(c, (z) => targetValue(z, margin, variant)) };
}

/** Throws unless `margin` is a finite number ≥ 1 and `variant` one of the variants. @internal */
export function checkSphereFaceRMargin(owner: string, margin: unknown, variant: unknown): asserts margin is number {
  if (!(typeof margin === 'number' && Number.isFinite(margin) && margin >= 1)) {
    throw new Error(`${owner}: margin must be a finite number >= 1 (1: no margin), but got ${describe(margin)}.`);
  }
  assertOneOf(owner, 'variant', variant, SPHERE_FACE_R_VARIANTS);
}
