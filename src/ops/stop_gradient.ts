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
 * c + (g(c) − c) with g(c) − c a constant of the backward pass: the value g(c), the gradient that
 * of c — the "characteristic gradient detachment" of SphereFace-R and SphereFace2's references.
 * g runs inside a custom gradient, so autodiff records none of its ops: where a stop-gradient
 * would send zeros back through each of them (over B × C for a margin on every entry), the
 * backward pass here is the incoming gradient itself.
 * @internal
 */
export function detachedTowards(c: tf.Tensor, g: (c: tf.Tensor) => tf.Tensor): tf.Tensor {
  // customGrad: the gradient in c is dy (g − c is a constant); g's ops stay off the tape.
  const towards = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x] = args as [tf.Tensor];
    return { value: tf.add(x, tf.sub(g(x), x)), gradFunc: (dy: tf.Tensor) => tf.clone(dy) };
  }) as (x: tf.Tensor) => tf.Tensor;
  return towards(c);
}
