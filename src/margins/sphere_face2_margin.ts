// SphereFace2's margin, in one place: its values on every entry (the composite op), its fused
// kernel's formula (host values, WGSL) and the encoder of its params.
import * as tf from '@tensorflow/tfjs-core';
import { WGSL_OPENSPHERE_ANGLES } from '../kernels/cosine_targets/wgsl_parts.js';
import { clampOpenSphereAngle, openSphereAngle, SPHERE_FACE2_VARIANTS } from '../math/cosine_margin_math.js';
import { detachedTowards } from '../ops/stop_gradient.js';
import { assertOneOf, assertPositive, describe } from '../util/validate.js';
import { nonNegativeNumbers } from './cosine_angles.js';
import type { CosineMarginFormula } from './cosine_formula.js';
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
  adjustmentExponent: number;
}

/** SphereFace2's similarity adjustment g(z) = 2((z + 1)/2)^t − 1 on a number z in [−1, 1]. @internal */
export function similarityAdjustmentOf(z: number, t: number): number {
  return 2 * ((z + 1) / 2) ** t - 1;
}

/**
 * SphereFace2's value of an entry at c, params [variant index, m, t], with g its similarity
 * adjustment: 'C' g(c) − m on the target, g(c) + m elsewhere; 'A' and 'M' g(cos(θ + m)) and
 * g(cos(mθ)) on the target, g(cos θ) elsewhere (θ and the margined angle clamped as opensphere does).
 */
function sphereFace2Value([variant, m, t]: readonly number[], c: number, target: boolean): number {
  const g = (z: number) => similarityAdjustmentOf(Math.min(1, Math.max(-1, z)), t!);
  if (variant === 0) return target ? g(c) - m! : g(c) + m!;
  const theta = openSphereAngle(c);
  if (!target) return g(Math.cos(clampOpenSphereAngle(theta)));
  return g(Math.cos(clampOpenSphereAngle(variant === 1 ? theta + m! : theta * m!)));
}

/** The kind of this margin's values and the name of its kernel formula. */
const KIND = 'sphereFace2';

/**
 * SphereFace2's formula for the fused kernel, params [variant (its index in
 * SPHERE_FACE2_VARIANTS), m, t]: its values on every entry, detached (slope 1).
 * @internal
 */
export const SPHERE_FACE2_FORMULA: CosineMarginFormula<SphereFace2MarginParams> = {
  name: KIND,
  target: (params, c) => [sphereFace2Value(params, c, true), 1],
  nonTargets: () => 'detached',
  nonTarget: (params, c) => [sphereFace2Value(params, c, false), 1],
  wgsl: ([variant, m, t]) => {
    // p0: m, p1: t.
    const adjust = `${WGSL_OPENSPHERE_ANGLES}
  fn adjust(z : f32) -> f32 {
    let half = (clamp(z, -1.0, 1.0) + 1.0) / 2.0;
    return 2.0 * select(0.0, pow(half, uniforms.p1), half > 0.0) - 1.0;
  }`;
    const margined = variant === 1 ? 'openSphereAngle(c) + uniforms.p0' : 'openSphereAngle(c) * uniforms.p0';
    const code =
      variant === 0
        ? `${adjust}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(adjust(c) - uniforms.p0, 1.0);
  }
  fn other(c : f32, rowTarget : f32, state : f32) -> vec2<f32> {
    return vec2<f32>(adjust(c) + uniforms.p0, 1.0);
  }`
        : `${adjust}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(adjust(cos(clampAngle(${margined}))), 1.0);
  }
  fn other(c : f32, rowTarget : f32, state : f32) -> vec2<f32> {
    return vec2<f32>(adjust(cos(clampAngle(openSphereAngle(c)))), 1.0);
  }`;
    return { structure: `${KIND}_${variant}`, uniforms: [m!, t!, 0, 0], code };
  },
  encode: ({ variant, margin, adjustmentExponent }) => {
    const values = nonNegativeNumbers((SPHERE_FACE2_VARIANTS as readonly unknown[]).indexOf(variant), margin, adjustmentExponent);
    return values == null ? null : { formula: KIND, params: values };
  },
};

/** SphereFace2's similarity adjustment ({@link similarityAdjustmentOf}) on a tensor, z clipped to [−1, 1]. @internal */
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
 * @param adjustmentExponent - the exponent t > 0 of g. SphereFace2 uses 3.
 * @returns the margin value for {@link marginLogits} and the heads.
 * @throws Error for an unknown variant, or m or t out of range.
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 40, targetMargin: sphereFace2Margin('C', 0.4, 3) });
 * ```
 */
export function sphereFace2Margin(variant: SphereFace2Variant, margin: number, adjustmentExponent: number): Margin<SphereFace2MarginParams> {
  checkSphereFace2Margin('SphereFace2', variant, margin, adjustmentExponent);
  const g = (z: tf.Tensor) => similarityAdjustment(z, adjustmentExponent);
  const params = { variant, margin, adjustmentExponent };
  if (variant === 'C') {
    return {
      kind: SPHERE_FACE2_FORMULA.name,
      params,
      apply: (c) => detachedTowards(c, (z) => tf.sub(g(z), margin)),
      nonTarget: (cosines) => detachedTowards(cosines, (z) => tf.add(g(z), margin)),
    };
  }
  const target = variant === 'A' ? (theta: tf.Tensor) => tf.add(theta, margin) : (theta: tf.Tensor) => tf.mul(theta, margin);
  return {
    kind: SPHERE_FACE2_FORMULA.name,
    params,
    apply: (c) => detachedTowards(c, (z) => g(cosOfAngle(z, target))),
    nonTarget: (cosines) => detachedTowards(cosines, (z) => g(cosOfAngle(z, (theta) => theta))),
  };
}

/** Throws unless the variant is known, m ≥ 0 (≥ 1 for 'M') and the exponent t > 0, all finite. @internal */
export function checkSphereFace2Margin(owner: string, variant: unknown, margin: unknown, adjustmentExponent: unknown): void {
  assertOneOf(owner, 'variant', variant, SPHERE_FACE2_VARIANTS);
  const min = variant === 'M' ? 1 : 0;
  if (!(typeof margin === 'number' && Number.isFinite(margin) && margin >= min)) {
    throw new Error(`${owner}: margin must be a finite number >= ${min} for variant '${variant as string}', but got ${describe(margin)}.`);
  }
  assertPositive(owner, 'adjustmentExponent', adjustmentExponent);
}
