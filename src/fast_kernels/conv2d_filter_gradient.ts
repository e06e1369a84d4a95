import * as tf from '@tensorflow/tfjs-core';
import { describe } from '../util/validate.js';

/** Padding as tfjs's conv ops take it: 'same', 'valid', a number for every side, or explicit [[0,0],[t,b],[l,r],[0,0]]. */
export type ConvPadding = 'same' | 'valid' | number | number[][];

/**
 * How {@link conv2dFilterGradient} computes: 'transposed', one convolution over transposed tensors
 * (not for convolutions both strided and dilated); 'taps', one strided slice and matrix product
 * per filter tap; 'auto', transposed where it applies, else taps.
 */
export type FilterGradientMethod = 'auto' | 'transposed' | 'taps';

/** Throws unless `method` is a {@link FilterGradientMethod}. @internal */
export function assertFilterGradientMethod(owner: string, method: unknown): asserts method is FilterGradientMethod {
  if (method !== 'auto' && method !== 'transposed' && method !== 'taps') {
    throw new Error(`${owner}: method must be 'auto', 'transposed' or 'taps', but got ${describe(method)}.`);
  }
}

/** A number or a pair, as a pair. @internal */
export function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** [top, bottom, left, right] padding for a 'same', 'valid', numeric or explicit NHWC padding. @internal */
export function paddingOf(
  pad: ConvPadding,
  input: [number, number],
  output: [number, number],
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
): [number, number, number, number] {
  if (pad === 'valid') return [0, 0, 0, 0];
  if (typeof pad === 'number') return [pad, pad, pad, pad];
  if (Array.isArray(pad)) {
    const [, [t, b], [l, r]] = pad as [number[], [number, number], [number, number]];
    return [t, b, l, r];
  }
  if (pad !== 'same') throw new Error(`conv2dFilterGradient: pad must be 'same', 'valid', a number or explicit padding, but got ${describe(pad)}.`);
  const total = (d: 0 | 1) => Math.max((output[d] - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - input[d], 0);
  const [h, w] = [total(0), total(1)];
  return [Math.floor(h / 2), h - Math.floor(h / 2), Math.floor(w / 2), w - Math.floor(w / 2)];
}

function conv2dFilterGradient_(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: ConvPadding,
  dilations: number | [number, number] = 1,
  method: FilterGradientMethod = 'auto',
): tf.Tensor4D {
  const [kh, kw, ci, co] = filterShape;
  if (x.rank !== 4 || dy.rank !== 4) {
    throw new Error(`conv2dFilterGradient: x and dy must have rank 4 (NHWC), but got shapes [${x.shape.join(', ')}] and [${dy.shape.join(', ')}].`);
  }
  if (x.shape[3] !== ci || dy.shape[3] !== co || x.shape[0] !== dy.shape[0]) {
    throw new Error(`conv2dFilterGradient: x [${x.shape.join(', ')}] and dy [${dy.shape.join(', ')}] do not fit the filter shape [${filterShape.join(', ')}].`);
  }
  assertFilterGradientMethod('conv2dFilterGradient', method);
  const s = pair(strides);
  const d = pair(dilations);
  const transposable = (s[0] === 1 && s[1] === 1) || (d[0] === 1 && d[1] === 1);
  if (method === 'transposed' && !transposable) {
    throw new Error(
      `conv2dFilterGradient: method 'transposed' needs stride 1 or dilation 1 (conv2d takes only one of them), but got strides [${s.join(', ')}] and dilations [${d.join(', ')}]; use 'taps' or 'auto'.`,
    );
  }
  const [, h, w] = x.shape;
  const [, oh, ow] = dy.shape;
  const [top, bottom, left, right] = paddingOf(pad, [h, w], [oh, ow], [kh, kw], s, d);
  const padded =
    top + bottom + left + right > 0
      ? tf.pad(x, [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ])
      : x;
  if (method === 'transposed' || (method === 'auto' && transposable)) {
    // dW[i, j, c, o] = Σ_{b, p, q} x_pad[b, p·s + i·d, q·s + j·d, c] · dy[b, p, q, o] is itself a
    // convolution once batch and channels swap roles: input x_pad as [Ci, Hp, Wp, B], filter dy as
    // [OH, OW, B, Co], the forward stride as dilation and the dilation as stride. One fast conv2d
    // (XNNPACK on wasm) instead of the missing or slow Conv2DBackpropFilter kernel.
    const input = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
    const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const out = tf.conv2d(input, filter, d, 'valid', 'NHWC', s); // [Ci, ≥KH, ≥KW, Co]
    return tf.transpose(tf.slice(out, [0, 0, 0, 0], [ci, kh, kw, co]), [1, 2, 0, 3]) as tf.Tensor4D;
  }
  // One strided slice of the input per filter tap, each a [B·OH·OW, Ci]ᵀ × [B·OH·OW, Co] matrix
  // product (im2col by taps): the way for convolutions both strided and dilated (conv2d allows
  // only one of them), and matrix products that a GPU backend may split along their long side.
  const rows = dy.shape[0] * oh * ow;
  const dyRows = tf.reshape(dy, [rows, co]);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const begin = [0, i * d[0], j * d[1], 0];
      const end = [dy.shape[0], i * d[0] + (oh - 1) * s[0] + 1, j * d[1] + (ow - 1) * s[1] + 1, ci];
      const patch = tf.stridedSlice(padded, begin, end, [1, s[0], s[1], 1]);
      taps.push(tf.matMul(tf.reshape(patch, [rows, ci]), dyRows, true, false));
    }
  }
  return tf.reshape(tf.stack(taps), [kh, kw, ci, co]) as tf.Tensor4D;
}

/**
 * The gradient of a 2-D convolution with respect to its filter, from fast existing ops: a
 * convolution over transposed tensors (batch and channels swapped), or one strided slice and
 * matrix product per filter tap (always when the convolution is both strided and dilated).
 *
 * dW[i, j, c, o] = Σ_{b, p, q} x_pad[b, p·s_h + i·d_h, q·s_w + j·d_w, c] · dy[b, p, q, o].
 *
 * Equal to tfjs's `Conv2DBackpropFilter` (and, unlike tfjs's conv2d gradient, it supports
 * dilation). {@link registerFastConvGradients} installs it as that kernel on backends that lack one
 * or where it is slow.
 *
 * @param x - the convolution's input [B, H, W, Ci] (NHWC).
 * @param dy - the gradient of its output [B, OH, OW, Co].
 * @param filterShape - [KH, KW, Ci, Co].
 * @param strides - the convolution's strides.
 * @param pad - its padding: 'same', 'valid', a number, or explicit NHWC padding.
 * @param dilations - its dilations. Default: 1.
 * @param method - see {@link FilterGradientMethod}. Default: 'auto'.
 * @returns dW [KH, KW, Ci, Co].
 * @throws Error for shapes that do not fit together, or 'transposed' for a strided and dilated convolution.
 * @example
 * ```ts
 * const dw = conv2dFilterGradient(x, dy, [3, 3, 16, 32], 2, 'same');
 * ```
 */
export const conv2dFilterGradient = tf.op({ conv2dFilterGradient_ });
