import * as tf from '@tensorflow/tfjs-core';
import { pair, paddingOf, type ConvPadding } from './conv2d_filter_gradient.js';

/**
 * One output phase r of a strided convolution's input gradient along one axis: the input
 * positions i = a·s + r receive dy[a + c − j]·W[t0 + j·s] for j = 0 … taps − 1, where
 * t0 = (r + pad) mod s and c = ⌊(r + pad) / s⌋; that is a stride-1 correlation of dy, padded by
 * `before`/`after` (negative: cropped), with the taps t0, t0 + s, … in reverse order, giving
 * `count` positions.
 */
interface Phase {
  taps: number[];
  before: number;
  after: number;
  count: number;
}

function phases(size: number, outSize: number, kernel: number, stride: number, pad: number): Phase[] {
  const out: Phase[] = [];
  for (let r = 0; r < stride; r++) {
    const t0 = (r + pad) % stride;
    const c = Math.floor((r + pad) / stride);
    const taps: number[] = [];
    for (let t = t0; t < kernel; t += stride) taps.push(t);
    taps.reverse();
    const count = Math.ceil((size - r) / stride);
    out.push({ taps, before: taps.length - 1 - c, after: count - 1 + c - (outSize - 1), count });
  }
  return out;
}

/** Pads (positive amounts) and crops (negative amounts) `x` along axes 1 and 2. */
function padOrCrop(x: tf.Tensor4D, [top, bottom]: [number, number], [left, right]: [number, number]): tf.Tensor4D {
  const padded = tf.pad(x, [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ]);
  const [ct, cb, cl, cr] = [top, bottom, left, right].map((v) => Math.max(0, -v)) as [number, number, number, number];
  if (ct + cb + cl + cr === 0) return padded;
  const [, h, w] = padded.shape;
  return tf.slice(padded, [0, ct, cl, 0], [-1, h - ct - cb, w - cl - cr, -1]);
}

/**
 * The gradient of a 2-D convolution (NHWC, dilation 1) with respect to its input, from forward
 * convolutions only. For stride s the input positions split into s_h·s_w phases (i mod s_h,
 * j mod s_w); each phase is a stride-1 convolution of dy with the filter taps that reach it
 * (flipped in space, channels swapped), and the phases interleave into dx by reshapes. The same
 * products as the transposed convolution, none of them with inserted zeros.
 *
 * Why: tfjs-backend-wasm 4.22's Conv2DBackpropInput runs about ten times slower than its forward
 * conv2d (XNNPACK), which these convolutions use. @internal
 */
export function conv2dInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: number | [number, number],
  pad: ConvPadding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, ci] = filter.shape;
    const [b, h, w] = inputShape;
    const [, oh, ow] = dy.shape;
    const [sh, sw] = pair(strides);
    const [top, , left] = paddingOf(pad, [h, w], [oh, ow], [kh, kw], [sh, sw], [1, 1]);
    const rowPhases = phases(h, oh, kh, sh, top);
    const colPhases = phases(w, ow, kw, sw, left);
    const swapped = tf.transpose(filter, [0, 1, 3, 2]); // [KH, KW, Co, Ci]
    const rows = Math.ceil(h / sh);
    const cols = Math.ceil(w / sw);
    const grid = rowPhases.map((rp) =>
      colPhases.map((cp) => {
        const part =
          rp.taps.length === 0 || cp.taps.length === 0
            ? tf.zeros([b, rp.count, cp.count, ci])
            : tf.conv2d(
                padOrCrop(dy, [rp.before, rp.after], [cp.before, cp.after]),
                tf.gather(tf.gather(swapped, rp.taps, 0), cp.taps, 1) as tf.Tensor4D,
                1,
                'valid',
              );
        // Every phase to ⌈H/s_h⌉ × ⌈W/s_w⌉, so that the phases interleave by reshapes.
        return tf.pad(part, [
          [0, 0],
          [0, rows - rp.count],
          [0, cols - cp.count],
          [0, 0],
        ]);
      }),
    );
    if (sh === 1 && sw === 1) return grid[0]![0]! as tf.Tensor4D;
    // Phase (r, q) holds dx[r + sh·a, q + sw·c]: as channels block r·sw + q, depthToSpace places
    // it there when the strides are equal; otherwise stack: [B, rows, sh, cols, sw, Ci].
    const interleaved =
      sh === sw
        ? tf.depthToSpace(tf.concat(grid.flat(), 3) as tf.Tensor4D, sh)
        : tf.reshape(
            tf.stack(
              grid.map((row) => tf.stack(row, 3)),
              2,
            ),
            [b, rows * sh, cols * sw, ci],
          );
    return tf.slice(interleaved, [0, 0, 0, 0], [b, h, w, ci]) as tf.Tensor4D;
  });
}
