import * as tf from '@tensorflow/tfjs-core';
import { fusedKernelActive } from '../kernels/fused_kernels.js';
import { L2_NORMALIZE } from '../kernels/l2_normalize/names.js';
import { fusedL2Normalize } from '../kernels/l2_normalize/op.js';
import { MIN_NORMAL_FLOAT32, NORM_EPSILON } from '../math/angular_math.js';

function safeL2Norm_(x: tf.Tensor, axis: number): tf.Tensor {
  // customGrad: the value scales x first (see below), and autodiff would also differentiate the
  // scale; the derivative of the norm is x / norm, whatever the scale.
  const norm = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [raw, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const input = raw.dtype === 'float32' ? raw : tf.cast(raw, 'float32');
    // ‖x‖ = k·√(Σ (x/k)²) with k = max |x|: 1 ≤ Σ (x/k)² ≤ D neither overflows (Σ x² does from
    // |x| ≈ 1.8e19) nor underflows (from |x| ≈ 1e-19), so x/‖x‖ is exact at every scale. Where k is
    // below float32's smallest normal number (zero, or subnormal entries only): √(Σ x² + ε).
    const k = tf.max(tf.abs(input), axis, true);
    const tiny = tf.less(k, MIN_NORMAL_FLOAT32);
    const scale = tf.where(tiny, tf.onesLike(k), k);
    const sum = tf.sum(tf.square(tf.div(input, scale)), axis, true);
    const value = tf.where(tiny, tf.sqrt(tf.add(sum, NORM_EPSILON)), tf.mul(k, tf.sqrt(sum)));
    save([input, value]);
    return { value, gradFunc: (dy: tf.Tensor, [xs, n]: tf.Tensor[]) => tf.mul(dy, tf.div(xs!, n!)) };
  });
  return norm(x);
}

/**
 * Euclidean norm along `axis`, kept as a size-1 dimension: √(Σ x²), computed as k·√(Σ (x/k)²)
 * with k = max |x|, so that it is exact for every finite float32 vector, however large or small
 * (the sum of squares alone overflows from about 1.8e19 and underflows below about 1e-19); and
 * √(Σ x² + ε), ε = 1e-12, for a vector whose entries are all below float32's smallest normal
 * number (2^−126), so that the zero vector has norm 1e-6 and a finite, zero gradient (where
 * `tf.norm`'s gradient is NaN): zero embeddings or an all-zero weight column never poison training.
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

/**
 * a / n for norms n with size-1 dimensions where `a` broadcasts (n = safeL2Norm(x, axis), say).
 * customGrad: tf.div's gradient in n is −a / n², and n² overflows float32 from n ≈ 1.8e19, which
 * zeroes it; here it is −(a / n) / n, finite for every finite norm.
 * @internal
 */
export function divideByNorm(a: tf.Tensor, n: tf.Tensor): tf.Tensor {
  const divide = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [numerator, norm, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const quotient = tf.div(numerator, norm);
    save([norm, quotient]);
    return {
      value: quotient,
      gradFunc: (dy: tf.Tensor, [saved, q]: tf.Tensor[]) => {
        const inNorm = tf.neg(tf.div(tf.mul(dy, q!), saved!));
        // Sum over the axes along which the norm was broadcast.
        const axes = q!.shape.flatMap((size, i) => (saved!.shape[i] === 1 && size !== 1 ? [i] : []));
        return [tf.div(dy, saved!), axes.length === 0 ? inNorm : tf.sum(inNorm, axes, true)];
      },
    };
  });
  return divide(a, n);
}

function l2Normalize_(x: tf.Tensor, axis: number): tf.Tensor {
  const along = axis < 0 ? axis + x.rank : axis;
  // A matrix's rows or columns: one fused kernel on cpu and webgpu (same values), else composite.
  if (x.rank === 2 && (along === 0 || along === 1) && x.dtype === 'float32' && fusedKernelActive(L2_NORMALIZE)) {
    return fusedL2Normalize(x as tf.Tensor2D, along);
  }
  return divideByNorm(x, safeL2Norm(x, axis));
}

/**
 * Scales `x` to unit Euclidean norm along `axis`: x / ‖x‖ with the norm of {@link safeL2Norm},
 * exact at every scale (1e-30·x gives x's result). A zero vector stays zero, with a finite gradient. For the rows or columns of a float32 matrix
 * it runs as one fused kernel (and one for its gradient) on the cpu and webgpu backends, with the
 * same values (see {@link useFusedKernels}).
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
