import * as tf from '@tensorflow/tfjs-core';

/**
 * A pass counter (A-Softmax's iteration, a cosine head's warm-up step) is an int32 weight of shape
 * [2], [high, low], holding the count high·2^30 + low with low in [0, 2^30): exact to 2^53, where a
 * float32 scalar stops at 2^24 = 16,777,216 (adding 1 no longer changes it). int32 saves and loads
 * exactly, and every backend adds and compares it exactly.
 */
const BASE = 2 ** 30;

/** The counter's value [high, low] advanced by one, carrying into `high` when `low` reaches 2^30. @internal */
export function advancedCounter(pair: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const next = tf.add(pair, tf.tensor1d([0, 1], 'int32'));
    // 1 when low reached 2^30, else 0: a comparison, exact in int32 on every backend (wasm's
    // floorDiv divides in float32, and (2^30 − 1) / 2^30 rounds to 1 there).
    const carry = tf.cast(tf.greaterEqual(tf.slice(next, [1], [1]), tf.scalar(BASE, 'int32')), 'int32');
    return tf.add(next, tf.mul(carry, tf.tensor1d([1, -BASE], 'int32'))) as tf.Tensor1D;
  });
}

/** The count a counter's value holds, as a float32 scalar (exact to 2^24, rounded to float32 beyond). @internal */
export function counterValue(pair: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.dot(tf.cast(pair, 'float32'), tf.tensor1d([BASE, 1]))) as tf.Scalar;
}

/** Whether the count a counter's value holds is at least n (an integer to 2^53 − 1), compared exactly: a bool scalar. @internal */
export function counterAtLeast(pair: tf.Tensor1D, n: number): tf.Scalar {
  return tf.tidy(() => {
    const [high, low] = tf.split(pair, 2) as [tf.Tensor1D, tf.Tensor1D];
    const nHigh = Math.floor(n / BASE);
    const above = tf.greater(high, nHigh);
    const reached = tf.logicalOr(above, tf.logicalAnd(tf.equal(high, nHigh), tf.greaterEqual(low, n - nHigh * BASE)));
    return tf.reshape(reached, []) as tf.Scalar;
  });
}

/** The count that a counter's values [high, low], read from the device, hold. @internal */
export function countOf(values: ArrayLike<number>): number {
  return values[0]! * BASE + values[1]!;
}
