import * as tf from '@tensorflow/tfjs-core';

/** Checks that one-hot targets and logits are both [B, C] with the same shape. @internal */
export function checkTargetsAndLogits(owner: string, yTrue: tf.Tensor, yPred: tf.Tensor): void {
  if (yPred.rank !== 2) {
    throw new Error(`${owner}: logits must have rank 2 ([batch, classes]), but got shape [${yPred.shape.join(', ')}].`);
  }
  if (yTrue.rank !== 2 || yTrue.shape[0] !== yPred.shape[0] || yTrue.shape[1] !== yPred.shape[1]) {
    throw new Error(
      `${owner}: targets must be one-hot of the logits' shape [${yPred.shape.join(', ')}], but got shape [${yTrue.shape.join(', ')}]. Turn class indices into targets with tf.oneHot(labels, numClasses).`,
    );
  }
}

/**
 * Softmax cross-entropy on logits against one-hot targets, averaged over the batch — the loss of
 * every head in this library: L = −(1/B)·Σ_b log softmax(f_b)_{y_b}.
 *
 * Use it in `model.compile({ loss: marginCrossEntropy })` with targets `tf.oneHot(labels, C)`.
 * Why one-hot: tfjs-layers checks every target's shape against the model output's shape, except
 * for its own `sparseCategoricalCrossentropy`, which expects probabilities, not logits; one-hot
 * targets of shape [B, C] pass that check, and the heads' labels input carries the class indices.
 * Computed by `tf.losses.softmaxCrossEntropy`, which is stable for very negative target logits.
 *
 * @param yTrue - one-hot targets [B, C].
 * @param yPred - logits [B, C] of a head such as {@link AngularSoftmax}.
 * @returns the mean loss, a scalar.
 * @throws Error if the shapes differ or are not rank 2.
 * @example
 * ```ts
 * model.compile({ optimizer: tf.train.adam(1e-3), loss: marginCrossEntropy, metrics: [marginAccuracy] });
 * await model.fit([x, labels], tf.oneHot(labels.flatten().toInt(), 10), { epochs: 5 });
 * ```
 */
export function marginCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  checkTargetsAndLogits('marginCrossEntropy', yTrue, yPred);
  return tf.tidy(() => tf.losses.softmaxCrossEntropy(yTrue, yPred) as tf.Scalar);
}
