import * as tf from '@tensorflow/tfjs-core';
import { assertInteger } from '../util/validate.js';

function chebyshevT_(c: tf.Tensor, n: number): tf.Tensor {
  assertInteger('chebyshevT', 'the degree n', n, 0);
  const c2 = n >= 2 ? tf.square(c) : c;
  switch (n) {
    case 0:
      return tf.onesLike(c);
    case 1:
      return tf.clone(c);
    case 2:
      return tf.sub(tf.mul(2, c2), 1);
    case 3:
      return tf.mul(c, tf.sub(tf.mul(4, c2), 3));
    case 4:
      return tf.add(tf.mul(c2, tf.sub(tf.mul(8, c2), 8)), 1);
    default:
      return recurrence(c, chebyshevT_(c, 3), chebyshevT_(c, 4), 4, n);
  }
}

function chebyshevU_(c: tf.Tensor, n: number): tf.Tensor {
  assertInteger('chebyshevU', 'the degree n', n, 0);
  const c2 = n >= 2 ? tf.square(c) : c;
  switch (n) {
    case 0:
      return tf.onesLike(c);
    case 1:
      return tf.mul(2, c);
    case 2:
      return tf.sub(tf.mul(4, c2), 1);
    case 3:
      return tf.mul(c, tf.sub(tf.mul(8, c2), 4));
    default:
      return recurrence(c, chebyshevU_(c, 2), chebyshevU_(c, 3), 3, n);
  }
}

/** Runs P_{k+1} = 2c·P_k − P_{k−1} from (P_{from−1}, P_from) up to degree n. */
function recurrence(c: tf.Tensor, previous: tf.Tensor, current: tf.Tensor, from: number, n: number): tf.Tensor {
  const twoC = tf.mul(2, c);
  let [p0, p1] = [previous, current];
  for (let k = from; k < n; k++) [p0, p1] = [p1, tf.sub(tf.mul(twoC, p1), p0)];
  return p1;
}

/**
 * Chebyshev polynomial of the first kind, T_n(c), elementwise: T_n(cos θ) = cos(nθ).
 *
 * Closed forms up to n = 4 (as in the SphereFace paper): T_0 = 1, T_1 = c, T_2 = 2c² − 1,
 * T_3 = 4c³ − 3c, T_4 = 8c⁴ − 8c² + 1; above that the recurrence T_{n+1} = 2c·T_n − T_{n−1}.
 * @throws Error unless n is an integer ≥ 0.
 *
 * @param c - a float tensor, usually cosines in [−1, 1].
 * @param n - the degree, an integer ≥ 0.
 * @returns a tensor of the shape of `c`.
 * @example
 * ```ts
 * chebyshevT(tf.tensor1d([0.5]), 3); // cos(3 · 60°) = −1
 * ```
 */
export const chebyshevT = tf.op({ chebyshevT_ });

/**
 * Chebyshev polynomial of the second kind, U_n(c), elementwise: U_n(cos θ) = sin((n+1)θ) / sin θ.
 *
 * It is the derivative companion of T: dT_m/dc = m·U_{m−1}(c). Closed forms up to n = 3
 * (U_0 = 1, U_1 = 2c, U_2 = 4c² − 1, U_3 = 8c³ − 4c), then U_{n+1} = 2c·U_n − U_{n−1}.
 * Finite everywhere, including c = ±1 where U_n(±1) = (±1)^n·(n + 1).
 *
 * @param c - a float tensor.
 * @param n - the degree, an integer ≥ 0.
 * @returns a tensor of the shape of `c`.
 * @example
 * ```ts
 * chebyshevU(tf.tensor1d([1]), 3); // 4
 * ```
 */
export const chebyshevU = tf.op({ chebyshevU_ });
