import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { AdaFace, adaFace } from '../../src/layers/ada_face.js';
import { useFusedKernels } from '../../src/kernels/fused_kernels.js';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';
import { adaFaceMargin } from '../../src/margins/ada_face_margin.js';
import { adaFaceRef, adaFaceScalersRef, crossEntropyRef, normLinearRef, numericGradient } from '../reference/sphereface.js';
import { CONFORMANCE_X, describeHeadConformance } from './conformance.js';
import { allFinite, embeddingsAtAngles, expectClose, randomMatrix, toMatrix, transcendentalAtol } from '../helpers.js';

// h = 5 and tAlpha = 0.5 so that the scalers of the conformance embeddings spread inside (−1, 1)
// from the starting statistics (20, 100). The scalers are constants of the backward pass (detached,
// as in the reference): the gradient reference computes them from the fixed embeddings. s = 1 keeps
// webgpu's cos error (SwiftShader ~1.4e-4) within the suite's tolerance.
const H = 5;
const T_ALPHA = 0.5;
const detachedScalers = adaFaceScalersRef(CONFORMANCE_X, H, T_ALPHA).scalers;

describeHeadConformance({
  className: 'AdaFace',
  make: () => adaFace({ units: 4, scale: 1, margin: 0.4, h: H, tAlpha: T_ALPHA }),
  inferenceRef: (x, w) => normLinearRef(x, w, true, 1),
  trainingRef: (x, w, l) => adaFaceRef(x, w, l, 1, 0.4, detachedScalers),
  nonTrainableWeights: 2,
});

describe('AdaFace', () => {
  it("has the paper's defaults and rejects bad parameters", async () => {
    const head = new AdaFace({ units: 2 });
    expect([head.scale, head.margin, head.h, head.tAlpha, head.marginWarmupSteps]).toEqual([64, 0.4, 0.333, 0.01, 0]);
    expect(head.normStatistics).toEqual({ mean: 20, std: 100 });
    expect(await head.readNormStatistics()).toEqual({ mean: 20, std: 100 });
    expect(() => adaFace({ units: 2, margin: 4 })).toThrow(/AdaFace: margin must be a number in \[0, π\), but got 4/);
    expect(() => adaFace({ units: 2, h: 0 })).toThrow(/AdaFace: h must be a finite number > 0, but got 0/);
    expect(() => adaFace({ units: 2, tAlpha: -0.1 })).toThrow(/AdaFace: tAlpha must be a number in \[0, 1\], but got -0.1/);
    expect(() => adaFace({ units: 2, tAlpha: 1.5 })).toThrow(/AdaFace: tAlpha must be a number in \[0, 1\], but got 1.5/);
    expect(() => adaFaceMargin(0.4, [[1]] as unknown as tf.Tensor)).toThrow(
      /AdaFace: scaler must be a tensor of per-row margin scalers \[B, 1\], but got \[\[1\]\]/,
    );
  });

  it('keeps running norm statistics: updated by each training pass as the reference does, saved as weights, untouched by inference and by a failed pass', async () => {
    const w = randomMatrix(3, 4, 61);
    const batches = [randomMatrix(6, 3, 62, 4), randomMatrix(6, 3, 63, 0.5), randomMatrix(6, 3, 64, 9)];
    const labels = [0, 1, 2, 3, 0, 1];
    const head = adaFace({ units: 4, scale: 2, margin: 0.4, h: 2, tAlpha: 0.3 });
    head.build([
      [null, 3],
      [null, 1],
    ]);
    head.setWeights([tf.tensor2d(w), ...head.getWeights().slice(1)]);
    let [mean, std] = [20, 100];
    for (const x of batches) {
      const ref = adaFaceScalersRef(x, 2, 0.3, mean, std);
      const logits = head.apply([tf.tensor2d(x), tf.tensor1d(labels, 'int32')], { training: true }) as tf.Tensor;
      expectClose(await toMatrix(logits), adaFaceRef(x, w, labels, 2, 0.4, ref.scalers), 2 * transcendentalAtol() + 1e-5, 1e-5);
      [mean, std] = [ref.mean, ref.std];
      const stats = await head.readNormStatistics();
      expect(stats.mean).toBeCloseTo(mean, 4);
      expect(stats.std).toBeCloseTo(std, 4);
    }
    // The synchronous read gives the same (on webgpu in Node it works once the values were read asynchronously).
    const read = await head.readNormStatistics();
    expect(head.normStatistics).toEqual(read);
    expect(head.nonTrainableWeights.map((v) => v.name)).toEqual([expect.stringMatching(/norm_mean/), expect.stringMatching(/norm_std/)]);
    head.apply(tf.tensor2d(batches[0]!));
    head.apply([tf.tensor2d(batches[0]!), tf.tensor1d(labels, 'int32')], { training: false });
    // A pass that fails on its labels (a shape error, checked on every backend without a read-back).
    expect(() => head.apply([tf.tensor2d(batches[0]!), tf.zeros([6, 2], 'int32')], { training: true })).toThrow(/labels/);
    expect(await head.readNormStatistics()).toEqual({ mean: expect.closeTo(mean, 4), std: expect.closeTo(std, 4) });
  });

  it('is finite for a batch of one row (σ of the batch 0) and for zero embeddings', async () => {
    const head = adaFace({ units: 3, tAlpha: 1 });
    head.build([
      [null, 2],
      [null, 1],
    ]);
    const one = head.apply([tf.tensor2d([[3, 4]]), tf.tensor1d([1], 'int32')], { training: true }) as tf.Tensor;
    expect(await allFinite(one)).toBe(true);
    expect(await head.readNormStatistics()).toEqual({ mean: expect.closeTo(5, 5), std: 0 });
    const zero = head.apply([tf.zeros([2, 2]), tf.tensor1d([0, 2], 'int32')], { training: true }) as tf.Tensor;
    expect(await allFinite(zero)).toBe(true);
  });

  it('adaFaceMargin matches the float64 formula for ĝ from −1 to 1, also at cos θ = ±1, with finite gradients', async () => {
    const cs = [-1, -0.7, 0, 0.3, 0.9, 1];
    const gs = [-1, -0.4, 0, 0.5, 1];
    const c = tf.tensor2d(cs.flatMap((v) => gs.map(() => [v])));
    const g = tf.tensor2d(cs.flatMap(() => gs.map((v) => [v])));
    const margin = adaFaceMargin(0.4, g);
    // head.py: the cosine clamped to [−1 + 1e-3, 1 − 1e-3] before acos.
    const theta = (cv: number) => Math.acos(Math.min(1 - 1e-3, Math.max(-1 + 1e-3, cv)));
    const expected = cs.flatMap((cv) => gs.map((gv) => Math.cos(Math.min(Math.PI - 1e-3, Math.max(1e-3, theta(cv) - 0.4 * gv))) - 0.4 - 0.4 * gv));
    expectClose(Array.from(await margin.apply(c).data()), expected, transcendentalAtol() + 1e-6);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(margin.apply(t)))(c);
    expect(await allFinite(grad)).toBe(true);
    expect(margin.kind).toBe('adaFace');
  });

  it('clamps every cosine within 1e-3 of ±1 as head.py does, on the fused and the composite path: values and gradients of its float64 reference', async () => {
    // Targets at θ_y = π − 0.03, 0.02, π − 1e-4 and 1 (inside); row 3 lies on class 2's column (a non-target cosine of 1).
    const w = randomMatrix(3, 4, 71);
    const labels = [0, 1, 3, 1];
    const x = embeddingsAtAngles(w, labels, [Math.PI - 0.03, 0.02, Math.PI - 1e-4, 1], 2, (b) => 2 + b);
    const col2 = w.map((r) => r[2]!);
    x[3] = col2.map((v) => 3 * v);
    const scale = 2;
    const { scalers } = adaFaceScalersRef(x, 0.333, 0.01);
    const expected = adaFaceRef(x, w, labels, scale, 0.4, scalers);
    const lossRef = (xs: number[][]) => crossEntropyRef(adaFaceRef(xs, w, labels, scale, 0.4, scalers), labels);
    const expectedGrad = numericGradient(lossRef, x);
    for (const fused of [true, false]) {
      useFusedKernels(fused);
      const head = adaFace({ units: 4, scale, margin: 0.4 });
      head.build([
        [null, 3],
        [null, 1],
      ]);
      head.setWeights([tf.tensor2d(w), ...head.getWeights().slice(1)]);
      const targets = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
      const logits = head.apply([tf.tensor2d(x), tf.tensor1d(labels, 'int32')], { training: true }) as tf.Tensor;
      expectClose(await toMatrix(logits), expected, 2 * transcendentalAtol() + 1e-5, 1e-5);
      // Gradients: the scalers are constants of the backward pass (restore the statistics so that each pass sees the same).
      const grad = tf.grad((xt: tf.Tensor) => {
        head.setWeights([tf.tensor2d(w), tf.scalar(20), tf.scalar(100)]);
        return marginCrossEntropy(targets, head.apply([xt, tf.tensor1d(labels, 'int32')], { training: true }) as tf.Tensor);
      })(tf.tensor2d(x));
      expectClose(await toMatrix(grad), expectedGrad, 2e-3, 1e-2);
    }
    useFusedKernels(true);
  });
});
