import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CurricularFace, curricularFace } from '../../src/layers/curricular_face.js';
import { curricularFaceMargin } from '../../src/margins/curricular_face_margin.js';
import { marginLogits } from '../../src/functional/margin_logits.js';
import { curricularFaceRef, curricularTRef, normLinearRef } from '../reference/sphereface.js';
import { CONFORMANCE_X, describeHeadConformance } from './conformance.js';
import { expectClose, randomMatrix, toMatrix, transcendentalAtol } from '../helpers.js';

// tAlpha = 0.5 so that t matters from the first pass; t is a constant of the backward pass (as in
// the reference), so the gradient reference takes it from the fixed conformance embeddings. The
// conformance kernel is the suite's W; the labels are its LABELS.
const T_ALPHA = 0.5;
const LABELS = [0, 1, 2, 3, 1];
const W = randomMatrix(3, 4, 22);
const detachedT = curricularTRef(CONFORMANCE_X, W, LABELS, T_ALPHA);

describeHeadConformance({
  className: 'CurricularFace',
  make: () => curricularFace({ units: 4, scale: 2, margin: 0.5, tAlpha: T_ALPHA }),
  inferenceRef: (x, w) => normLinearRef(x, w, true, 2),
  trainingRef: (x, w, l) => curricularFaceRef(x, w, l, 2, 0.5, detachedT),
  nonTrainableWeights: 1,
});

describe('CurricularFace', () => {
  it("has the paper's defaults and rejects bad parameters", async () => {
    const head = new CurricularFace({ units: 2 });
    expect([head.scale, head.margin, head.tAlpha, head.t, await head.readT()]).toEqual([64, 0.5, 0.01, 0, 0]);
    expect(() => curricularFace({ units: 2, margin: -0.1 })).toThrow(/CurricularFace: margin must be a number in \[0, π\), but got -0.1/);
    expect(() => curricularFace({ units: 2, tAlpha: 2 })).toThrow(/CurricularFace: tAlpha must be a number in \[0, 1\], but got 2/);
    expect(() => curricularFaceMargin(0.5, Number.NaN)).toThrow(/CurricularFace: t must be a finite number or a scalar tensor, but got NaN/);
  });

  it('keeps t as the running mean of the target cosines, updated before use, saved, and untouched by inference or a failed pass', async () => {
    const w = randomMatrix(3, 4, 71);
    const labels = [0, 1, 2, 3, 2, 1];
    const head = curricularFace({ units: 4, scale: 3, margin: 0.4, tAlpha: 0.3 });
    head.build([
      [null, 3],
      [null, 1],
    ]);
    head.setWeights([tf.tensor2d(w), tf.scalar(0)]);
    let t = 0;
    for (const seed of [72, 73, 74]) {
      const x = randomMatrix(6, 3, seed, 2);
      t = curricularTRef(x, w, labels, 0.3, t);
      const logits = head.apply([tf.tensor2d(x), tf.tensor1d(labels, 'int32')], { training: true }) as tf.Tensor;
      expectClose(await toMatrix(logits), curricularFaceRef(x, w, labels, 3, 0.4, t), 3 * transcendentalAtol() + 1e-5, 1e-5);
      expect(await head.readT()).toBeCloseTo(t, 5);
    }
    expect(head.t).toBeCloseTo(t, 5);
    const x = tf.tensor2d(randomMatrix(6, 3, 75, 2));
    head.apply([x, tf.tensor1d(labels, 'int32')]);
    expect(() => head.apply([x, tf.zeros([6, 2], 'int32')], { training: true })).toThrow(/labels/);
    expect(await head.readT()).toBeCloseTo(t, 5);
  });

  it('curricularFaceMargin reweights exactly the hard negatives, and its gradient treats t as a constant', async () => {
    const x = randomMatrix(5, 3, 76, 2);
    const w = randomMatrix(3, 4, 77);
    const labels = [3, 2, 1, 0, 3];
    const options = (t: number | tf.Scalar) => ({ normalizeInput: true, scale: 2, targetMargin: curricularFaceMargin(0.5, t) });
    expectClose(
      await toMatrix(marginLogits(tf.tensor2d(x), tf.tensor2d(w), tf.tensor1d(labels, 'int32'), options(0.7))),
      curricularFaceRef(x, w, labels, 2, 0.5, 0.7),
      3 * transcendentalAtol() + 1e-5,
      1e-5,
    );
    // d/dt of the logits through a t tensor is zero: t enters only as a constant.
    const dt = tf.grad((t: tf.Tensor) => tf.sum(marginLogits(tf.tensor2d(x), tf.tensor2d(w), tf.tensor1d(labels, 'int32'), options(t as tf.Scalar))))(
      tf.scalar(0.7),
    );
    expect((await dt.data())[0]).toBe(0);
  });
});
