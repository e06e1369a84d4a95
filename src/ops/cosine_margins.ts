import * as tf from '@tensorflow/tfjs-core';
import { assertPositive, describe } from '../util/validate.js';
import { marginLogits, type TargetMargin } from './margin_logits.js';

/**
 * Floor under 1 − c² before its square root (sin θ) and margin of the clip before acos: keeps the
 * derivatives of sin θ and θ finite at c = ±1, where the true ones are infinite. The shift is below
 * float32 resolution of c; within ~5e-7 of ±1 the gradient is capped (at most ~1/√(2·1e-6) ≈ 707).
 */
const ENDPOINT = 1e-6;

/** Throws unless `value` is a finite number in [min, max) (or [min, max] when `closed`). */
function assertRange(owner: string, name: string, value: unknown, min: number, max: number, closed = false): asserts value is number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && (closed ? value <= max : value < max);
  if (!ok) {
    const upper = max === Math.PI ? 'π' : String(max);
    throw new Error(`${owner}: ${name} must be a number in [${min}, ${upper}${closed ? ']' : ')'}, but got ${describe(value)}.`);
  }
}

/** sin θ = √(max(1 − c², 1e-6)) for c = cos θ ∈ [−1, 1]: finite, with a finite gradient. */
function safeSine(c: tf.Tensor): tf.Tensor {
  return tf.sqrt(tf.maximum(tf.sub(1, tf.square(c)), ENDPOINT));
}

/** θ = acos(c) with c clipped to [−1 + 1e-6, 1 − 1e-6], so that dθ/dc stays finite. */
function safeAngle(c: tf.Tensor): tf.Tensor {
  return tf.acos(tf.clipByValue(c, -1 + ENDPOINT, 1 - ENDPOINT));
}

/**
 * The CosFace (large margin cosine) target margin: g(c) = c − m.
 * @param margin - m, in [0, 2). CosFace uses 0.35.
 * @returns the margin function for {@link marginLogits}.
 * @throws Error for a margin outside [0, 2).
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: cosFaceMargin(0.35) });
 * ```
 */
export function cosFaceMargin(margin: number): TargetMargin {
  assertRange('CosFace', 'margin', margin, 0, 2);
  return (c) => tf.sub(c, margin);
}

/**
 * The ArcFace (additive angular margin) target margin: g(c) = cos(θ + m), θ = acos(c), computed as
 * c·cos m − sin θ·sin m without acos. Where θ + m > π the function would turn back up; there, as in
 * insightface, it continues as c − m·sin m (or, with `easyMargin`, the margin applies only where
 * c > 0 and g(c) = c elsewhere). sin θ is √(max(1 − c², 1e-6)), so gradients stay finite at c = ±1.
 *
 * @param margin - m in radians, in [0, π). ArcFace uses 0.5.
 * @param easyMargin - apply the margin only to cosines > 0. Default: false.
 * @returns the margin function for {@link marginLogits}.
 * @throws Error for a margin outside [0, π).
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: arcFaceMargin(0.5) });
 * ```
 */
export function arcFaceMargin(margin: number, easyMargin = false): TargetMargin {
  assertRange('ArcFace', 'margin', margin, 0, Math.PI);
  const [cosM, sinM] = [Math.cos(margin), Math.sin(margin)];
  const threshold = Math.cos(Math.PI - margin); // θ + m > π  ⇔  c < cos(π − m)
  return (c) => {
    const shifted = tf.sub(tf.mul(c, cosM), tf.mul(safeSine(c), sinM));
    // A 0/1 mask from tf.step (whose gradient is zero) rather than tf.where on a comparison: tfjs
    // finds no gradient for the comparison and refuses to differentiate through it. Both branches
    // have finite derivatives everywhere, so the masked blend never multiplies 0 by infinity.
    const keep = tf.step(tf.sub(c, easyMargin ? 0 : threshold));
    const other = easyMargin ? c : tf.sub(c, margin * sinM);
    return tf.add(tf.mul(keep, shifted), tf.mul(tf.sub(1, keep), other));
  };
}

/**
 * The combined margin of insightface: g(c) = cos(m1·θ + m2) − m3, θ = acos(c). With m1 = 1, m2 = 0
 * it is CosFace (margin m3); with m1 = 1, m3 = 0 it is ArcFace without its fallback; with m2 = m3 = 0
 * and integer m1 it is SphereFace's cos(mθ) without ψ's monotone extension. θ is computed from c
 * clipped to [−1 + 1e-6, 1 − 1e-6], so its gradient stays finite at c = ±1. Beyond m1·θ + m2 > π the
 * function is not monotone; keep m1·π + m2 modest or accept that, as insightface does.
 *
 * @param m1 - multiplicative angular margin, > 0 (1: none).
 * @param m2 - additive angular margin in radians, in [0, π).
 * @param m3 - additive cosine margin, in [0, 2).
 * @returns the margin function for {@link marginLogits}.
 * @throws Error for parameters outside their ranges.
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: combinedMargin(1, 0.3, 0.2) });
 * ```
 */
export function combinedMargin(m1: number, m2: number, m3: number): TargetMargin {
  assertRange('CombinedMargin', 'm1', m1, Number.MIN_VALUE, Number.MAX_VALUE);
  assertRange('CombinedMargin', 'm2', m2, 0, Math.PI);
  assertRange('CombinedMargin', 'm3', m3, 0, 2);
  return (c) => tf.sub(tf.cos(tf.add(tf.mul(safeAngle(c), m1), m2)), m3);
}

function cosFaceLogits_(x: tf.Tensor2D, kernel: tf.Tensor2D, labels: tf.Tensor, options: { scale?: number; margin?: number } = {}): tf.Tensor2D {
  const { scale = 64, margin = 0.35 } = options;
  assertPositive('CosFace', 'scale', scale);
  return marginLogits(x, kernel, labels, { normalizeInput: true, scale, targetMargin: cosFaceMargin(margin) });
}

/**
 * CosFace logits: s·cos θ_j off target, s·(cos θ_y − m) on target; embeddings and class weights
 * L2-normalized, no bias.
 *
 * Paper: H. Wang et al., "CosFace: Large Margin Cosine Loss for Deep Face Recognition", CVPR 2018,
 * {@link https://arxiv.org/abs/1801.09414}.
 *
 * @param x - embeddings [B, D], float32.
 * @param kernel - class weights [D, C] (Dense layout).
 * @param labels - class indices [B] or [B, 1].
 * @param options - `scale` s > 0 (default 64), `margin` m in [0, 2) (default 0.35).
 * @returns logits [B, C].
 * @example
 * ```ts
 * const logits = cosFaceLogits(x, kernel, labels, { scale: 30, margin: 0.35 });
 * ```
 */
export const cosFaceLogits = tf.op({ cosFaceLogits_ });

function arcFaceLogits_(x: tf.Tensor2D, kernel: tf.Tensor2D, labels: tf.Tensor, options: { scale?: number; margin?: number; easyMargin?: boolean } = {}): tf.Tensor2D {
  const { scale = 64, margin = 0.5, easyMargin = false } = options;
  assertPositive('ArcFace', 'scale', scale);
  return marginLogits(x, kernel, labels, { normalizeInput: true, scale, targetMargin: arcFaceMargin(margin, easyMargin) });
}

/**
 * ArcFace logits: s·cos θ_j off target, s·cos(θ_y + m) on target (with the fallback
 * s·(cos θ_y − m·sin m) where θ_y + m > π, or the easy margin); see {@link arcFaceMargin}.
 *
 * Paper: J. Deng et al., "ArcFace: Additive Angular Margin Loss for Deep Face Recognition",
 * CVPR 2019, {@link https://arxiv.org/abs/1801.07698}.
 *
 * @param x - embeddings [B, D], float32.
 * @param kernel - class weights [D, C] (Dense layout).
 * @param labels - class indices [B] or [B, 1].
 * @param options - `scale` s > 0 (default 64), `margin` m in radians in [0, π) (default 0.5),
 *   `easyMargin` (default false).
 * @returns logits [B, C].
 * @example
 * ```ts
 * const logits = arcFaceLogits(x, kernel, labels, { scale: 64, margin: 0.5 });
 * ```
 */
export const arcFaceLogits = tf.op({ arcFaceLogits_ });

function combinedMarginLogits_(x: tf.Tensor2D, kernel: tf.Tensor2D, labels: tf.Tensor, options: { scale?: number; m1?: number; m2?: number; m3?: number } = {}): tf.Tensor2D {
  const { scale = 64, m1 = 1, m2 = 0.5, m3 = 0 } = options;
  assertPositive('CombinedMargin', 'scale', scale);
  return marginLogits(x, kernel, labels, { normalizeInput: true, scale, targetMargin: combinedMargin(m1, m2, m3) });
}

/**
 * Combined-margin logits: s·cos θ_j off target, s·(cos(m1·θ_y + m2) − m3) on target; see
 * {@link combinedMargin}.
 *
 * Source: insightface's combined margin loss (J. Deng et al., ArcFace, CVPR 2019, section 3.3,
 * {@link https://arxiv.org/abs/1801.07698}).
 *
 * @param x - embeddings [B, D], float32.
 * @param kernel - class weights [D, C] (Dense layout).
 * @param labels - class indices [B] or [B, 1].
 * @param options - `scale` (default 64), `m1` (default 1), `m2` (default 0.5), `m3` (default 0).
 * @returns logits [B, C].
 * @example
 * ```ts
 * const logits = combinedMarginLogits(x, kernel, labels, { m1: 1, m2: 0.3, m3: 0.2 });
 * ```
 */
export const combinedMarginLogits = tf.op({ combinedMarginLogits_ });
