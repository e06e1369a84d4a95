import * as tf from '@tensorflow/tfjs-core';
import { assertInteger } from '../util/validate.js';
import { intervalThresholds } from '../math/angular_math.js';
import { chebyshevT, chebyshevU } from './chebyshev.js';

/**
 * Interval index k and sign (−1)^k of ψ for cosines `c` (already clipped to [−1, 1]).
 *
 * θ ∈ [kπ/m, (k+1)π/m] ⇔ k = #{ j ∈ 1..m−1 : c ≤ cos(jπ/m) }, so k is a sum of comparisons with
 * constant thresholds: no acos, whose derivative is infinite at c = ±1. The indicators b_j are
 * nested (b_j = 1 implies b_{j−1} = 1), hence (−1)^k = 1 + 2·Σ_j (−1)^j·b_j.
 */
function intervalOf(c: tf.Tensor, m: number): { k: tf.Tensor; sign: tf.Tensor } {
  if (m === 1) return { k: tf.zerosLike(c), sign: tf.onesLike(c) };
  const alternating = Array.from({ length: m - 1 }, (_, i) => ((i + 1) % 2 === 0 ? 2 : -2));
  const below = tf.cast(tf.lessEqual(tf.expandDims(c, -1), tf.tensor1d(intervalThresholds(m))), 'float32');
  const k = tf.sum(below, -1);
  const sign = tf.add(1, tf.sum(tf.mul(below, tf.tensor1d(alternating)), -1));
  return { k, sign };
}

function psi_(cosTheta: tf.Tensor | tf.TensorLike, m: number): tf.Tensor {
  assertInteger('psi', 'm (the angular margin)', m, 1);
  // customGrad, for two reasons. Autodiff through clipByValue would zero the gradient of cosines
  // that float32 rounding pushes just past ±1 (x·ŵ/‖x‖ = 1 + 6e-8, say); here the derivative at
  // the clipped point is passed through instead. And the closed form dψ/dc = (−1)^k·m·U_{m−1}(c)
  // is exact, finite at c = ±1 and cheaper than back-propagating through the taped polynomial.
  const forward = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const c = tf.clipByValue(x, -1, 1);
    save([c]);
    const value = tf.tidy(() => {
      const { k, sign } = intervalOf(c, m);
      return tf.sub(tf.mul(sign, chebyshevT(c, m)), tf.mul(2, k));
    });
    // The sign (−1)^k is recomputed here rather than saved: a few comparisons on the same
    // elements, and only the clipped input is held between the forward and backward passes.
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const cs = saved[0] as tf.Tensor;
        return [tf.mul(dy, tf.mul(intervalOf(cs, m).sign, tf.mul(m, chebyshevU(cs, m - 1))))];
      });
    return { value, gradFunc };
  });
  return forward(tf.cast(cosTheta, 'float32'));
}

/**
 * SphereFace's monotone angular margin function ψ, elementwise on cosines.
 *
 * ψ(θ) = (−1)^k·cos(mθ) − 2k for θ ∈ [kπ/m, (k+1)π/m], k ∈ {0, …, m−1}, computed from c = cos θ:
 * cos(mθ) = T_m(c) (Chebyshev polynomial of the first kind), and k from comparing c with
 * cos(jπ/m), j = 1..m−1. ψ is continuous, decreasing in θ from 1 (θ = 0) to 1 − 2m (θ = π), and
 * ψ ≤ cos θ, with equality only at θ = 0 (or for m = 1, where ψ = cos θ).
 *
 * The input is clipped to [−1, 1]. The gradient is the closed form
 * dψ/dc = (−1)^k·m·U_{m−1}(c) (U: Chebyshev polynomial of the second kind), defined with
 * `tf.customGrad`; it is finite everywhere (m² at c = 1) and continuous across the interval
 * boundaries, where it is 0. For a cosine just past ±1 (float rounding) the gradient of the
 * boundary value is passed through rather than zeroed.
 *
 * Paper: W. Liu et al., "SphereFace: Deep Hypersphere Embedding for Face Recognition", CVPR 2017,
 * {@link https://arxiv.org/abs/1704.08063}, equation (6).
 *
 * @param cosTheta - cosines of any shape; cast to float32.
 * @param m - the angular margin, an integer ≥ 1.
 * @returns ψ of the same shape as `cosTheta`.
 * @throws Error if `m` is not an integer ≥ 1.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { psi } from 'tfjs-angular-margin';
 * psi(tf.tensor1d([1, Math.cos(Math.PI / 8), 0, -1]), 4).print(); // [1, 0, -3, -7]
 * ```
 */
export const psi = tf.op({ psi_ });
