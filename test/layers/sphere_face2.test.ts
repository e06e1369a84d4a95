import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SphereFace2, sphereFace2, sphereFace2InitialBias } from '../../src/layers/sphere_face2.js';
import { sphereFace2Loss } from '../../src/losses/sphere_face2_loss.js';
import { sphereFace2Margin } from '../../src/margins/sphere_face2_margin.js';
import { marginLogits } from '../../src/functional/margin_logits.js';
import { numericGradient, sphereFace2BiasRef, sphereFace2DeltaRef, sphereFace2LossRef, sphereFace2Ref, type Matrix } from '../reference/sphereface.js';
import { CONFORMANCE_X, describeHeadConformance } from './conformance.js';
import { expectClose, randomMatrix, toMatrix, transcendentalAtol } from '../helpers.js';

// d is a constant of the backward pass (as in the reference), so the training reference takes it
// from the fixed conformance embeddings and kernel; the bias is the head's starting one.
const LABELS = [0, 1, 2, 3, 1];
const W = randomMatrix(3, 4, 22);
const R = 2;
const DELTA = sphereFace2DeltaRef(CONFORMANCE_X, W, LABELS, 'C', 0.4, 3);
const BIAS = sphereFace2BiasRef(4, 'C', 0.7, R, 0.4, 3);

describeHeadConformance({
  className: 'SphereFace2',
  make: () => sphereFace2({ units: 4, r: R }),
  inferenceRef: (x, w) => sphereFace2Ref(x, w, null, R, BIAS, 3),
  trainingRef: (x, w) => sphereFace2Ref(x, w, DELTA, R, BIAS, 3),
  nonTrainableWeights: 0,
  trainableScalars: 1,
  trainingAtol: 3e-4 + R * 3 * transcendentalAtol(), // g through the backend's pow, times r
});

describe('SphereFace2', () => {
  it("has the paper's defaults and rejects bad parameters, naming them", () => {
    const head = new SphereFace2({ units: 2 });
    expect([head.variant, head.alpha, head.r, head.margin, head.adjustmentExponent]).toEqual(['C', 0.7, 40, 0.4, 3]);
    expect(() => sphereFace2({ units: 1 })).toThrow(/SphereFace2: units must be an integer >= 2, but got 1/);
    expect(() => sphereFace2({ units: 2, alpha: 1 })).toThrow(/SphereFace2: alpha must be a number in \(0, 1\), but got 1/);
    expect(() => sphereFace2({ units: 2, variant: 'B' as 'C' })).toThrow(/SphereFace2: variant must be one of C, A, M, but got "B"/);
    expect(() => sphereFace2({ units: 2, variant: 'M', margin: 0.4 })).toThrow(/margin must be a finite number >= 1 for variant 'M', but got 0.4/);
    expect(() => sphereFace2({ units: 2, adjustmentExponent: 0 })).toThrow(/SphereFace2: adjustmentExponent must be a finite number > 0, but got 0/);
    expect(() => sphereFace2({ units: 2, r: -1 })).toThrow(/SphereFace2: r must be a finite number > 0, but got -1/);
    expect(() => sphereFace2Loss({ alpha: 0 })).toThrow(/sphereFace2Loss: alpha must be a number in \(0, 1\), but got 0/);
    expect(() => sphereFace2Loss({ lossWeight: -1 })).toThrow(/sphereFace2Loss: lossWeight must be a finite number >= 0, but got -1/);
    expect(() => sphereFace2Loss({ r: 0 })).toThrow(/^sphereFace2Loss: r must be a finite number > 0, but got 0/);
    expect(() => sphereFace2Loss()(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(
      /sphereFace2Loss: targets must be one-hot of the logits' shape \[2, 4\], but got shape \[2, 3\]/,
    );
  });

  it('starts from the bias at which the initial loss is stationary, for every variant', () => {
    for (const [variant, m] of [
      ['C', 0.4],
      ['A', 0.5],
      ['M', 1.5],
    ] as const) {
      for (const [classes, r, alpha, t] of [
        [10, 40, 0.7, 3],
        [10575, 40, 0.7, 3],
        [5, 30, 0.5, 2],
      ] as const) {
        expect(sphereFace2InitialBias(classes, variant, alpha, r, m, t)).toBeCloseTo(sphereFace2BiasRef(classes, variant, alpha, r, m, t), 6);
      }
    }
    const head = sphereFace2({ units: 7, variant: 'A', margin: 0.5, r: 30 });
    head.build([
      [null, 3],
      [null, 1],
    ]);
    expect(head.getWeights()[1]!.dataSync()[0]).toBeCloseTo(sphereFace2BiasRef(7, 'A', 0.7, 30, 0.5, 3), 3);
  });

  it('starts from a finite bias, within 1e-6 of the float64 reference, where the formula as written overflows or cancels', () => {
    // Settings where 1 − z + √((1 − z)² + 4z·e^(a_y − a_i)) cancels to 0 in float64 (the bias was +∞, the loss NaN).
    const cases: Array<[{ units: number; r?: number; alpha?: number; adjustmentExponent?: number }, number | null]> = [
      [{ units: 2, r: 60 }, 69.2877],
      [{ units: 3, r: 60 }, null],
      [{ units: 2, r: 100 }, null],
      [{ units: 10, alpha: 0.99, r: 64 }, null],
      [{ units: 1000, alpha: 0.9999, r: 64 }, null],
      [{ units: 2, alpha: 0.999999 }, null],
      [{ units: 2, adjustmentExponent: 0.01, r: 200 }, -116.9493],
    ];
    for (const [args, expected] of cases) {
      const { variant, alpha, r, margin, adjustmentExponent: t } = { variant: 'C' as const, alpha: 0.7, r: 40, margin: 0.4, adjustmentExponent: 3, ...args };
      const b = sphereFace2InitialBias(args.units, variant, alpha, r, margin, t);
      const ref = sphereFace2BiasRef(args.units, variant, alpha, r, margin, t);
      expect(Number.isFinite(b)).toBe(true);
      expect(Math.abs(b - ref)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ref)));
      if (expected != null) expect(b).toBeCloseTo(expected, 4);
      const head = sphereFace2(args);
      head.build([
        [null, 3],
        [null, 1],
      ]);
      expect(head.getWeights()[1]!.dataSync()[0]).toBeCloseTo(ref, 3);
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 100_000 }),
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        fc.double({ min: 0.5, max: 200, noNaN: true }),
        fc.constantFrom('C' as const, 'A' as const, 'M' as const),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        (units, alpha, r, variant, m, t) => {
          const margin = variant === 'M' ? 1 + 2 * m : m;
          const b = sphereFace2InitialBias(units, variant, alpha, r, margin, t);
          const ref = sphereFace2BiasRef(units, variant, alpha, r, margin, t);
          return Number.isFinite(b) && Math.abs(b - ref) <= 1e-6 * Math.max(1, Math.abs(ref));
        },
      ),
      { numRuns: 2000, seed: 27_05 },
    );
  });

  it('gives the reference values of the A and M variants', async () => {
    const x = randomMatrix(8, 3, 91, 2);
    const w = randomMatrix(3, 5, 92);
    const labels = [0, 1, 2, 3, 4, 0, 1, 2];
    for (const [variant, m] of [
      ['A', 0.5],
      ['M', 1.5],
      ['C', 0.3],
    ] as const) {
      const logits = marginLogits(tf.tensor2d(x), tf.tensor2d(w), tf.tensor1d(labels, 'int32'), {
        normalizeInput: true,
        scale: 3,
        targetMargin: sphereFace2Margin(variant, m, 2),
      });
      expectClose(
        await toMatrix(logits),
        sphereFace2Ref(x, w, sphereFace2DeltaRef(x, w, labels, variant, m, 2), 3, 0, 2),
        3 * 3 * transcendentalAtol() + 1e-5,
        1e-5,
      );
    }
  });

  it("with sphereFace2Loss gives the reference's loss and its gradients in embeddings, kernel and bias", async () => {
    const x = randomMatrix(6, 3, 93, 2);
    const w = randomMatrix(3, 4, 94);
    const labels = [3, 0, 1, 2, 0, 3];
    const [r, alpha, lw] = [5, 0.6, 2];
    const head = sphereFace2({ units: 4, r, alpha, variant: 'A', margin: 0.3 });
    head.build([
      [null, 3],
      [null, 1],
    ]);
    const bias = 0.25;
    head.setWeights([tf.tensor2d(w), tf.scalar(bias)]);
    const delta = sphereFace2DeltaRef(x, w, labels, 'A', 0.3, 3);
    const lossOf = sphereFace2Loss({ alpha, r, lossWeight: lw });
    const [kernel, b] = head.trainableWeights.map((v) => v.read() as tf.Variable);
    const xv = tf.variable(tf.tensor2d(x));
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
    const { value, grads } = tf.variableGrads(
      () => lossOf(y, head.apply([xv, tf.tensor1d(labels, 'int32')], { training: true }) as tf.Tensor),
      [xv, kernel!, b!],
    );
    const ref = (xx: Matrix, ww: Matrix, bb: number) => sphereFace2LossRef(sphereFace2Ref(xx, ww, delta, r, bb, 3), labels, alpha, r, lw);
    // The backend's pow and cos err by up to transcendentalAtol() (webgpu: 2e-4), amplified by g's slope t = 3 and by r.
    const atol = 2e-4 + 3 * r * transcendentalAtol();
    expect(Math.abs((await value.data())[0]! - ref(x, w, bias))).toBeLessThan(atol);
    expectClose(
      await toMatrix(grads[xv.name]!),
      numericGradient((xx) => ref(xx, w, bias), x),
      atol,
      1e-3,
    );
    expectClose(
      await toMatrix(grads[kernel!.name]!),
      numericGradient((ww) => ref(x, ww, bias), w),
      atol,
      1e-3,
    );
    const h = 1e-6;
    expect(Math.abs((await grads[b!.name]!.data())[0]! - (ref(x, w, bias + h) - ref(x, w, bias - h)) / (2 * h))).toBeLessThan(atol);
  });

  it('trains in model.compile with its loss: the loss falls, nothing leaks', async () => {
    const images = tfl.input({ shape: [6] });
    const labelInput = tfl.input({ shape: [1] });
    const embeddings = tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }).apply(images) as tfl.SymbolicTensor;
    const logits = sphereFace2({ units: 3, r: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 6 }) }).apply([
      embeddings,
      labelInput,
    ]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [images, labelInput], outputs: logits });
    model.compile({ optimizer: tf.train.adam(0.03), loss: sphereFace2Loss({ r: 10 }) });
    const classes = Array.from({ length: 60 }, (_, i) => i % 3);
    const xs = tf.tensor2d(classes.map((c, i) => Array.from({ length: 6 }, (_, k) => (k === c ? 2 : 0) + Math.sin(i * 7 + k))));
    const labels = tf.tensor2d(classes.map((c) => [c]));
    const ys = tf.oneHot(tf.tensor1d(classes, 'int32'), 3);
    await model.fit([xs, labels], ys, { epochs: 1, batchSize: 20, verbose: 0 });
    const before = tf.memory().numTensors;
    const history = await model.fit([xs, labels], ys, { epochs: 15, batchSize: 20, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    const losses = history.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
  });
});
