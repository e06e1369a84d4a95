import * as tf from '@tensorflow/tfjs-core';
import { NORM_EPSILON } from '../math/angular_math.js';

function safeL2Norm_(x: tf.Tensor, axis: number): tf.Tensor {
  return tf.sqrt(tf.add(tf.sum(tf.square(x), axis, true), NORM_EPSILON));
}

/**
 * Euclidean norm along `axis`, kept as a size-1 dimension: √(Σ x² + ε) with ε = 1e-12.
 *
 * Unlike `tf.norm`, it is finite with a finite gradient for the zero vector (where `tf.norm`'s
 * gradient is NaN), so zero embeddings or an all-zero weight column never poison training.
 *
 * @param x - a float tensor.
 * @param axis - the axis to reduce (negative counts from the end).
 * @returns the norms, with `axis` kept as size 1.
 * @example
 * ```ts
 * safeL2Norm(tf.tensor2d([[3, 4]]), 1); // [[5]]
 * ```
 */
export const safeL2Norm = tf.op({ safeL2Norm_ });

function l2Normalize_(x: tf.Tensor, axis: number): tf.Tensor {
  return tf.div(x, safeL2Norm(x, axis));
}

/**
 * Scales `x` to unit Euclidean norm along `axis`: x / √(Σ x² + ε), ε = 1e-12.
 * A zero vector stays zero, with a finite gradient.
 *
 * @param x - a float tensor.
 * @param axis - the axis to normalize along (for a Dense kernel [D, C], axis 0 normalizes each class column).
 * @returns a tensor of the shape of `x`.
 * @example
 * ```ts
 * l2Normalize(tf.tensor2d([[3], [4]]), 0); // [[0.6], [0.8]]
 * ```
 */
export const l2Normalize = tf.op({ l2Normalize_ });
