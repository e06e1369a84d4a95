// Calls that failed inside the library with a TypeError ("Cannot read properties of …") or were
// accepted with a value of the wrong type: each now fails at once with an error that names the
// function, what it expected and what it got.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { dominantSubCenters } from '../../src/evaluation/dominant_sub_centers.js';
import { registerFastConvGradients } from '../../src/fast_kernels/register_fast_conv_gradients.js';
import { registerFastMatMul, restoreMatMul } from '../../src/fast_kernels/register_fast_mat_mul.js';
import { cosFace } from '../../src/layers/cos_face.js';
import type { SubCenterArcFace } from '../../src/layers/sub_center_arc_face.js';
import { arcFaceMargin } from '../../src/margins/arc_face_margin.js';
import { marginLogits } from '../../src/functional/margin_logits.js';

describe('named errors for arguments of the wrong type', () => {
  it('options that are not objects', () => {
    expect(() => registerFastMatMul(null as never)).toThrow("registerFastMatMul: expected an options object such as { backends: ['wasm'] }, but got null.");
    expect(() => restoreMatMul(7 as never)).toThrow("restoreMatMul: expected an options object such as { backends: ['wasm'] }, but got 7.");
    expect(() => registerFastConvGradients([] as never)).toThrow(
      "registerFastConvGradients: expected an options object such as { backends: ['wasm'], inputGradient: true }, but got [].",
    );
  });

  it('strings where booleans belong, even "false"', () => {
    for (const value of ['yes', 'false', 1]) {
      expect(() => registerFastConvGradients({ backends: [], inputGradient: value as never })).toThrow(
        `registerFastConvGradients: inputGradient must be a boolean, but got ${JSON.stringify(value)}.`,
      );
      expect(() => arcFaceMargin(0.5, value as never)).toThrow(`ArcFace: easyMargin must be a boolean, but got ${JSON.stringify(value)}.`);
      expect(() => marginLogits(tf.ones([1, 2]) as tf.Tensor2D, tf.ones([2, 2]) as tf.Tensor2D, null, { validateLabels: value as never })).toThrow(
        `marginLogits: validateLabels must be a boolean, but got ${JSON.stringify(value)}.`,
      );
    }
  });

  it('arrays where tensors belong', () => {
    const kernel = tf.ones([3, 2]);
    expect(() => marginLogits([[1, 2, 3]] as never, kernel as tf.Tensor2D, tf.tensor1d([0], 'int32'))).toThrow(
      'marginLogits: embeddings must be a tf.Tensor of shape [batch, dim], but got [[1, 2, 3]].',
    );
    expect(() => marginLogits(tf.ones([1, 3]) as tf.Tensor2D, [[1]] as never, tf.tensor1d([0], 'int32'))).toThrow(
      'marginLogits: kernel must be a tf.Tensor of shape [dim, classes], but got [[1]].',
    );
    expect(() => marginLogits(tf.ones([1, 3]) as tf.Tensor2D, kernel as tf.Tensor2D, [0] as never, { targetMargin: arcFaceMargin(0.5) })).toThrow(
      'marginLogits: labels must be a tf.Tensor of class indices [B] or [B, 1], but got [0].',
    );
  });

  it('a head without sub-centers given to dominantSubCenters', () => {
    const head = cosFace({ units: 2 });
    head.build([
      [null, 2],
      [null, 1],
    ]);
    expect(() => dominantSubCenters(head as unknown as SubCenterArcFace, [[1, 0]], [0])).toThrow(
      'dominantSubCenters: expected a built SubCenterArcFace head (a kernel of K columns per class), but got a CosFace layer.',
    );
  });
});
