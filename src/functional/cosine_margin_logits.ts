import * as tf from '@tensorflow/tfjs-core';
import { arcFaceMargin } from '../margins/arc_face_margin.js';
import { combinedCosineMargin } from '../margins/combined_cosine_margin.js';
import { cosFaceMargin } from '../margins/cos_face_margin.js';
import { ARC_FACE_DEFAULTS, COMBINED_MARGIN_DEFAULTS, COS_FACE_DEFAULTS } from '../defaults/head_defaults.js';
import { assertPositive } from '../util/validate.js';
import { marginLogits } from './margin_logits.js';

function cosFaceLogits_(x: tf.Tensor2D, kernel: tf.Tensor2D, labels: tf.Tensor, options: { scale?: number; margin?: number } = {}): tf.Tensor2D {
  const { scale = COS_FACE_DEFAULTS.scale, margin = COS_FACE_DEFAULTS.margin } = options;
  assertPositive('cosFaceLogits', 'scale', scale);
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

function arcFaceLogits_(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  labels: tf.Tensor,
  options: { scale?: number; margin?: number; easyMargin?: boolean } = {},
): tf.Tensor2D {
  const { scale = ARC_FACE_DEFAULTS.scale, margin = ARC_FACE_DEFAULTS.margin, easyMargin = ARC_FACE_DEFAULTS.easyMargin } = options;
  assertPositive('arcFaceLogits', 'scale', scale);
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

function combinedMarginLogits_(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  labels: tf.Tensor,
  options: { scale?: number; m1?: number; m2?: number; m3?: number } = {},
): tf.Tensor2D {
  const {
    scale = COMBINED_MARGIN_DEFAULTS.scale,
    m1 = COMBINED_MARGIN_DEFAULTS.m1,
    m2 = COMBINED_MARGIN_DEFAULTS.m2,
    m3 = COMBINED_MARGIN_DEFAULTS.m3,
  } = options;
  assertPositive('combinedMarginLogits', 'scale', scale);
  return marginLogits(x, kernel, labels, { normalizeInput: true, scale, targetMargin: combinedCosineMargin(m1, m2, m3) });
}

/**
 * Combined-margin logits: s·cos θ_j off target, s·(cos(m1·θ_y + m2) − m3) on target; see
 * {@link combinedCosineMargin}.
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
