import * as tf from '@tensorflow/tfjs-core';
import { angularMargin } from '../margins/angular_margin.js';
import { marginLogits } from './margin_logits.js';

/** Options of {@link angularSoftmaxLogits}. */
export interface AngularSoftmaxOptions {
  /** The angular margin m, an integer ≥ 1 (SphereFace uses 4; 1 means no margin). */
  margin: number;
  /** λ ≥ 0: weight of the plain logit mixed into the target logit (0: the full margin). */
  lambda: number | tf.Scalar;
  /**
   * Check that labels are integers in [0, C) (one small device→host read). Default: true on the
   * cpu, wasm and tensorflow backends, false on webgl and webgpu (see {@link marginLogits}).
   */
  validateLabels?: boolean;
}

function angularSoftmaxLogits_(x: tf.Tensor2D, kernel: tf.Tensor2D, labels: tf.Tensor, options: AngularSoftmaxOptions): tf.Tensor2D {
  if (options == null || typeof options !== 'object') {
    throw new Error('angularSoftmaxLogits: options { margin, lambda } are required.');
  }
  if (labels == null) {
    throw new Error('angularSoftmaxLogits: labels are required (class indices [B] or [B, 1]).');
  }
  return marginLogits(x, kernel, labels, {
    targetMargin: angularMargin(options.margin, options.lambda),
    ...(options.validateLabels == null ? {} : { validateLabels: options.validateLabels }),
  });
}

/**
 * A-Softmax (SphereFace) logits: normalized class weights, no bias, and the angular margin ψ on
 * the target class, with λ-annealing.
 *
 * For embeddings x [B, D] and kernel W [D, C] (columns normalized: ŵ_j = w_j / ‖w_j‖):
 * - non-target logits: ‖x‖·cos θ_j = x·ŵ_j;
 * - target logit: (λ·‖x‖·cos θ_y + ‖x‖·ψ(θ_y)) / (1 + λ), ψ as in {@link psi}.
 *
 * λ = 0 is the full margin; large λ approaches the modified softmax. Gradients in `x` and `kernel`
 * are the true derivatives of these logits. The original Caffe layer instead back-propagates a
 * rescaled, hand-derived gradient (it treats ‖x‖ and the norm of W as constants in parts of the
 * derivation); this library deliberately does not copy that, so the loss and its gradient agree
 * and can be checked numerically.
 *
 * Paper: W. Liu et al., "SphereFace: Deep Hypersphere Embedding for Face Recognition", CVPR 2017,
 * {@link https://arxiv.org/abs/1704.08063}.
 *
 * @param x - embeddings [B, D], float32.
 * @param kernel - class weights [D, C] (Dense layout), float32.
 * @param labels - class indices [B] or [B, 1], int32 or float32.
 * @param options - `margin` (m, integer ≥ 1), `lambda` (λ ≥ 0), `validateLabels` (default: true on cpu, wasm and tensorflow; false on GPU backends).
 * @returns logits [B, C], for softmax cross-entropy against the labels.
 * @throws Error for a margin that is not an integer ≥ 1, negative λ, wrong ranks or shapes, and
 *   labels outside [0, C).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { angularSoftmaxLogits } from 'tfjs-angular-margin';
 * const x = tf.randomNormal([8, 2]);
 * const kernel = tf.randomNormal([2, 10]);
 * const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
 * const logits = angularSoftmaxLogits(x, kernel, labels, { margin: 4, lambda: 5 });
 * const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), logits);
 * ```
 */
export const angularSoftmaxLogits = tf.op({ angularSoftmaxLogits_ });
