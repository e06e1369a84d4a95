import * as tf from '@tensorflow/tfjs-core';

/**
 * The angle conventions of opensphere's SphereFace-R and SphereFace2 reference heads, in one place:
 * cos θ is clamped to [−1 + 1e-5, 1 − 1e-5] before acos, and a margined angle to [1e-5, 3.14159].
 * @internal
 */
export const OPENSPHERE_CLAMPS = Object.freeze({ cosine: 1 - 1e-5, angleMin: 1e-5, angleMax: 3.14159 });

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
