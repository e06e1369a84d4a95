import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { SphereFaceR, sphereFaceR } from '../../src/layers/sphere_face_r.js';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';
import { sphereFaceRMargin } from '../../src/margins/sphere_face_r_margin.js';
import { marginLogits } from '../../src/functional/margin_logits.js';
import { crossEntropyRef, norm, normLinearRef, numericGradient, sphereFaceRDeltaRef, sphereFaceRRef, type Matrix } from '../reference/sphereface.js';
import { CONFORMANCE_X, describeHeadConformance } from './conformance.js';
import { expectClose, randomMatrix, toMatrix, transcendentalAtol } from '../helpers.js';

// d(θ) is a constant of the backward pass (characteristic gradient detachment), so the training
// references take it from the fixed conformance embeddings and kernel: their numeric gradients are
// then the detached formula's. The conformance kernel is the suite's W; its labels are LABELS.
const LABELS = [0, 1, 2, 3, 1];
const W = randomMatrix(3, 4, 22);
const V0 = sphereFaceRDeltaRef(CONFORMANCE_X, W, LABELS, 1.5, 'v0');
const V2 = sphereFaceRDeltaRef(CONFORMANCE_X, W, LABELS, 1.5, 'v2');

describeHeadConformance({
  className: 'SphereFaceR',
  label: "v0, 'hard'",
  make: () => sphereFaceR({ units: 4, scale: 2, margin: 1.5 }),
  inferenceRef: (x, w) => normLinearRef(x, w, true, 2),
  trainingRef: (x, w) => sphereFaceRRef(x, w, V0, true, 2),
  trainingAtol: 3e-4 + 2 * transcendentalAtol(), // g = cos(mθ) through the backend's cos, times s = 2
  nonTrainableWeights: 0,
});

describeHeadConformance({
  className: 'SphereFaceR',
  label: "v2, 'none'",
  make: () => sphereFaceR({ units: 4, margin: 1.5, variant: 'v2', featureNormalization: 'none' }),
  inferenceRef: (x, w) => normLinearRef(x, w, false, 1),
  trainingRef: (x, w) => sphereFaceRRef(x, w, V2, false, 1),
  trainingAtol: 3e-4 + Math.max(...CONFORMANCE_X.map(norm)) * transcendentalAtol(), // cos(θ/m) times ‖x‖
  nonTrainableWeights: 0,
});

describe('SphereFaceR', () => {
  it("has the reference's defaults and rejects bad parameters, naming them", () => {
    const head = new SphereFaceR({ units: 2 });
    expect([head.margin, head.scale, head.variant, head.featureNormalization, head.featureLossWeight, head.marginWarmupSteps]).toEqual([
      1.5,
      30,
      'v0',
      'hard',
      0.01,
      0,
    ]);
    expect(() => sphereFaceR({ units: 2, margin: 0.9 })).toThrow(/SphereFaceR: margin must be a finite number >= 1 \(1: no margin\), but got 0.9/);
    expect(() => sphereFaceR({ units: 2, margin: Number.NaN })).toThrow(/margin must be a finite number >= 1 .* but got NaN/);
    expect(() => sphereFaceR({ units: 2, variant: 'v3' as 'v0' })).toThrow(/SphereFaceR: variant must be one of v0, v1, v2, but got "v3"/);
    expect(() => sphereFaceR({ units: 2, featureNormalization: 'l2' as 'hard' })).toThrow(
      /SphereFaceR: featureNormalization must be one of hard, none, soft, but got "l2"/,
    );
    expect(() => sphereFaceR({ units: 2, featureLossWeight: -1 })).toThrow(/SphereFaceR: featureLossWeight .* but got -1/);
    expect(() => sphereFaceRMargin(1.5, 'x' as 'v0')).toThrow(/variant must be one of v0, v1, v2/);
  });

  it('gives the reference values of every variant, with k up to 2 for v0 (m = 2.5)', async () => {
    const x = randomMatrix(12, 3, 81, 2);
    const w = randomMatrix(3, 5, 82);
    const labels = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1];
    const ks = new Set<number>();
    for (const [m, variant] of [
      [2.5, 'v0'],
      [1.5, 'v0'],
      [2.5, 'v1'],
      [1.5, 'v2'],
      [1, 'v0'],
    ] as const) {
      const delta = sphereFaceRDeltaRef(x, w, labels, m, variant);
      for (const hard of [true, false]) {
        const logits = marginLogits(tf.tensor2d(x), tf.tensor2d(w), tf.tensor1d(labels, 'int32'), {
          normalizeInput: hard,
          scale: hard ? 3 : 1,
          targetMargin: sphereFaceRMargin(m, variant),
        });
        const scale = hard ? 3 : Math.max(...x.map(norm));
        expectClose(await toMatrix(logits), sphereFaceRRef(x, w, delta, hard, hard ? 3 : 1), scale * transcendentalAtol() + 1e-5, 1e-5);
      }
      if (variant === 'v0' && m === 2.5) {
        const cos = normLinearRef(x, w, true, 1);
        cos.forEach((row, b) => ks.add(Math.floor((m * Math.acos(row[labels[b]!]!)) / Math.PI)));
      }
    }
    expect([...ks].sort()).toEqual([0, 1, 2]);
  });

  it('soft feature normalization adds the gradient of t·mean |‖x‖ − s| to the embeddings, and nothing to the logits', async () => {
    const x = randomMatrix(5, 3, 83, 2);
    const w = randomMatrix(3, 4, 84);
    const labels = [3, 0, 1, 2, 0];
    const [s, t] = [1.2, 0.3];
    const norms = x.map(norm);
    expect(norms.some((n) => n > s) && norms.some((n) => n < s)).toBe(true); // both signs of the pull
    const head = sphereFaceR({ units: 4, scale: s, variant: 'v1', featureNormalization: 'soft', featureLossWeight: t });
    head.build([
      [null, 3],
      [null, 1],
    ]);
    head.setWeights([tf.tensor2d(w)]);
    const delta = sphereFaceRDeltaRef(x, w, labels, 1.5, 'v1');
    const xv = tf.variable(tf.tensor2d(x));
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
    const { value, grads } = tf.variableGrads(
      () => marginCrossEntropy(y, head.apply([xv, tf.tensor1d(labels, 'int32')], { training: true }) as tf.Tensor),
      [xv],
    );
    const ce = (xx: Matrix) => crossEntropyRef(sphereFaceRRef(xx, w, delta, false, 1), labels);
    expect((await value.data())[0]).toBeCloseTo(ce(x), 4);
    const penalty = (xx: Matrix) => (t * xx.reduce((a, row) => a + Math.abs(norm(row) - s), 0)) / xx.length;
    expectClose(
      await toMatrix(grads[xv.name]!),
      numericGradient((xx) => ce(xx) + penalty(xx), x),
      2e-4,
      1e-3,
    );
    // Inference: the plain ‖x‖·cos θ, no penalty in sight.
    expectClose(await toMatrix(head.apply(tf.tensor2d(x)) as tf.Tensor), normLinearRef(x, w, false, 1), 1e-4, 1e-5);
  });

  it('its margin never raises a target logit, and v2 never lowers a non-target one', async () => {
    const x = randomMatrix(40, 4, 85, 3);
    const w = randomMatrix(4, 6, 86);
    const labels = Array.from({ length: 40 }, (_, i) => i % 6);
    const plain = normLinearRef(x, w, true, 1);
    for (const variant of ['v0', 'v1', 'v2'] as const) {
      const logits = await toMatrix(
        marginLogits(tf.tensor2d(x), tf.tensor2d(w), tf.tensor1d(labels, 'int32'), {
          normalizeInput: true,
          scale: 1,
          targetMargin: sphereFaceRMargin(1.5, variant),
        }),
      );
      logits.forEach((row, b) =>
        row.forEach((v, j) => {
          if (j === labels[b]) expect(v).toBeLessThanOrEqual(plain[b]![j]! + 1e-5);
          else if (variant === 'v2') expect(v).toBeGreaterThanOrEqual(plain[b]![j]! - 1e-5);
          else expect(v).toBeCloseTo(plain[b]![j]!, 5);
        }),
      );
    }
  });
});
