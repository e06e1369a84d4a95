import * as tf from '@tensorflow/tfjs-core';

// customGrad: tfjs-core has no stop-gradient op; an identity whose gradient is zero is one.
const stop = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x] = args as [tf.Tensor];
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * `x` itself, treated as a constant by autodiff: no gradient flows back through it (PyTorch's
 * `detach`, TensorFlow's `stop_gradient`). For the quantities a reference implementation computes
 * under `no_grad`, such as AdaFace's feature-norm statistics.
 * @internal
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stop(x) as T;
}

/**
 * c + (g − c) with g − c a constant of the backward pass: the value g, the gradient that of c —
 * the "characteristic gradient detachment" of SphereFace-R and SphereFace2's references.
 * @internal
 */
export function detachedTowards(c: tf.Tensor, g: tf.Tensor): tf.Tensor {
  return tf.add(c, stopGradient(tf.sub(g, c)));
}
