import * as tf from '@tensorflow/tfjs-core';
import { detachedTowards } from '../ops/stop_gradient.js';
import { SPHERE_FACE2_VARIANTS, type CosineFormula } from '../math/cosine_margin_math.js';
import { assertOneOf, assertPositive, describe } from '../util/validate.js';
import type { Margin } from './margin.js';
import { clampAngle, clampedAngle } from './opensphere_angles.js';

/**
 * Where SphereFace2 puts its margin m (opensphere's `magn_type`): 'C' on the cosine
 * (g(cos θ) ∓ m), 'A' additive on the angle (cos(θ_y + m)), 'M' multiplicative on the angle
 * (cos(mθ_y)).
 */
export type SphereFace2Variant = 'C' | 'A' | 'M';

/** The parameters of a SphereFace2 margin value. */
export interface SphereFace2MarginParams {
  /** Where the margin acts. */
  variant: SphereFace2Variant;
  /** The margin m ≥ 0 ('M': ≥ 1). */
  margin: number;
  /** The exponent t > 0 of the similarity adjustment g(z) = 2((z + 1)/2)^t − 1. */
  t: number;
}

/** SphereFace2's similarity adjustment (similarityAdjustmentOf in src/math/cosine_margin_math.ts) on a tensor, z clipped to [−1, 1]. @internal */
export function similarityAdjustment(z: tf.Tensor, t: number): tf.Tensor {
  return tf.sub(tf.mul(2, tf.pow(tf.div(tf.add(tf.clipByValue(z, -1, 1), 1), 2), t)), 1);
}

/** cos of the angle f(θ), θ of the clamped cosine and f(θ) clamped, as the reference does. */
function cosOfAngle(c: tf.Tensor, f: (theta: tf.Tensor) => tf.Tensor): tf.Tensor {
  return tf.cos(clampAngle(f(clampedAngle(c))));
}

/**
 * The SphereFace2 margin (binary classification, one-vs-all): every cosine is replaced — the
 * target's by g(cos θ_y) − m ('C'), g(cos(θ_y + m)) ('A') or g(cos(mθ_y)) ('M'); each non-target's
 * by g(cos θ_j) + m ('C') or g(cos θ_j) ('A', 'M') — with g(z) = 2((z + 1)/2)^t − 1, the
 * similarity adjustment. As in the reference, the change from cos θ is a constant of the backward
 * pass: the value is the replaced one, the gradient that of cos θ. Angles come from cos θ clamped
 * to [−1 + 1e-5, 1 − 1e-5] and are clamped to [1e-5, 3.14159] ('A', 'M'), as the reference does.
 * The {@link SphereFace2} head multiplies by r and adds its bias; {@link sphereFace2Loss} is the loss.
 *
 * Paper: Y. Wen, W. Liu, A. Weller, B. Raj and R. Singh, "SphereFace2: Binary Classification is
 * All You Need for Deep Face Recognition", ICLR 2022, {@link https://arxiv.org/abs/2108.01513}.
 *
 * @param variant - 'C', 'A' or 'M'.
 * @param margin - m ≥ 0 ('M': ≥ 1). SphereFace2 uses 0.4 ('C').
 * @param t - the exponent t > 0 of g. SphereFace2 uses 3.
 * @returns the margin value for {@link marginLogits} and the heads.
 * @throws Error for an unknown variant, or m or t out of range.
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 40, targetMargin: sphereFace2Margin('C', 0.4, 3) });
 * ```
 */
export function sphereFace2Margin(variant: SphereFace2Variant, margin: number, t: number): Margin<SphereFace2MarginParams> {
  checkSphereFace2Margin('SphereFace2', variant, margin, t);
  const g = (z: tf.Tensor) => similarityAdjustment(z, t);
  const params = { variant, margin, t };
  if (variant === 'C') {
    return {
      kind: 'sphereface2' satisfies CosineFormula,
      params,
      apply: (c) => detachedTowards(c, (z) => tf.sub(g(z), margin)),
      nonTarget: (cosines) => detachedTowards(cosines, (z) => tf.add(g(z), margin)),
    };
  }
  const target = variant === 'A' ? (theta: tf.Tensor) => tf.add(theta, margin) : (theta: tf.Tensor) => tf.mul(theta, margin);
  return {
    kind: 'sphereface2' satisfies CosineFormula,
    params,
    apply: (c) => detachedTowards(c, (z) => g(cosOfAngle(z, target))),
    nonTarget: (cosines) => detachedTowards(cosines, (z) => g(cosOfAngle(z, (theta) => theta))),
  };
}

/** Throws unless the variant is known, m ≥ 0 (≥ 1 for 'M') and t > 0, all finite. @internal */
export function checkSphereFace2Margin(owner: string, variant: unknown, margin: unknown, t: unknown): void {
  assertOneOf(owner, 'variant', variant, SPHERE_FACE2_VARIANTS);
  const min = variant === 'M' ? 1 : 0;
  if (!(typeof margin === 'number' && Number.isFinite(margin) && margin >= min)) {
    throw new Error(`${owner}: margin must be a finite number >= ${min} for variant '${String(variant)}', but got ${describe(margin)}.`);
  }
  assertPositive(owner, 't', t);
}
