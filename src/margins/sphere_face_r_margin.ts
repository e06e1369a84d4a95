import * as tf from '@tensorflow/tfjs-core';
import { detachedTowards } from '../ops/stop_gradient.js';
import { SPHERE_FACE_R_VARIANTS, type CosineFormula } from '../math/cosine_margin_math.js';
import { assertOneOf, describe } from '../util/validate.js';
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
    return { kind: 'spherefacer' satisfies CosineFormula, params, apply, nonTarget };
  }
  return { kind: 'spherefacer' satisfies CosineFormula, params, apply: (c) => detachedTowards(c, (z) => targetValue(z, margin, variant)) };
}

/** Throws unless `margin` is a finite number ≥ 1 and `variant` one of the variants. @internal */
export function checkSphereFaceRMargin(owner: string, margin: unknown, variant: unknown): asserts margin is number {
  if (!(typeof margin === 'number' && Number.isFinite(margin) && margin >= 1)) {
    throw new Error(`${owner}: margin must be a finite number >= 1 (1: no margin), but got ${describe(margin)}.`);
  }
  assertOneOf(owner, 'variant', variant, SPHERE_FACE_R_VARIANTS);
}
