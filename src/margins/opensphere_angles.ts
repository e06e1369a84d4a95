import * as tf from '@tensorflow/tfjs-core';
import { OPENSPHERE_CLAMPS } from '../math/cosine_margin_math.js';

// The angle conventions of opensphere's reference heads (OPENSPHERE_CLAMPS) as tensor ops.

/** cos θ clamped as the reference clamps it before acos. @internal */
export function clampedCosine(c: tf.Tensor): tf.Tensor {
  return tf.clipByValue(c, -OPENSPHERE_CLAMPS.cosine, OPENSPHERE_CLAMPS.cosine);
}

/**
 * θ = acos(c) of the clamped cosine, as atan2(√((1 − c)(1 + c)), c): accurate near ±1 on every
 * backend (WGSL's acos is not). @internal
 */
export function clampedAngle(c: tf.Tensor): tf.Tensor {
  const clamped = clampedCosine(c);
  return tf.atan2(tf.sqrt(tf.mul(tf.sub(1, clamped), tf.add(1, clamped))), clamped);
}

/** An angle clamped to [1e-5, 3.14159], as the reference clamps a margined angle. @internal */
export function clampAngle(theta: tf.Tensor): tf.Tensor {
  return tf.clipByValue(theta, OPENSPHERE_CLAMPS.angleMin, OPENSPHERE_CLAMPS.angleMax);
}
