import * as tf from '@tensorflow/tfjs-core';
import { checkTargetsAndLogits } from '../losses/margin_cross_entropy.js';

/**
 * Accuracy of logits against one-hot targets: 1 where argmax(logits) = argmax(targets), else 0,
 * per example (tfjs-layers averages metric values over the batch). The companion metric of
 * {@link marginCrossEntropy}.
 *
 * During `fit` a margin head's training logits include the margin, so the reported training
 * accuracy is that of the harder, margin-penalized decision; `evaluate` and `predict` use the plain
 * logits.
 *
 * @param yTrue - one-hot targets [B, C].
 * @param yPred - logits (or probabilities) [B, C].
 * @returns per-example accuracy [B], float32 0 or 1.
 * @throws Error if the shapes differ or are not rank 2.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: marginCrossEntropy, metrics: [marginAccuracy] });
 * ```
 */
export function marginAccuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
  checkTargetsAndLogits('marginAccuracy', yTrue, yPred);
  return tf.tidy(() => tf.cast(tf.equal(tf.argMax(yTrue, -1), tf.argMax(yPred, -1)), 'float32') as tf.Tensor1D);
}
