import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArcFace, arcFace } from '../../src/layers/arc_face.js';
import { CombinedMargin, combinedMargin } from '../../src/layers/combined_margin.js';
import { CosFace, cosFace } from '../../src/layers/cos_face.js';
import { arcFaceRef, combinedMarginRef, cosFaceRef, normLinearRef } from '../reference/sphereface.js';
import { describeHeadConformance } from './conformance.js';
import { expectClose, randomMatrix, toMatrix } from '../helpers.js';

const plain = (s: number) => (x: number[][], w: number[][]) => normLinearRef(x, w, true, s);

describeHeadConformance({
  className: 'CosFace',
  make: () => cosFace({ units: 4, scale: 3, margin: 0.35 }),
  inferenceRef: plain(3),
  trainingRef: (x, w, l) => cosFaceRef(x, w, l, 3, 0.35),
  nonTrainableWeights: 0,
});

describeHeadConformance({
  className: 'ArcFace',
  make: () => arcFace({ units: 4, scale: 3, margin: 0.5 }),
  inferenceRef: plain(3),
  trainingRef: (x, w, l) => arcFaceRef(x, w, l, 3, 0.5),
  nonTrainableWeights: 0,
});

describeHeadConformance({
  className: 'CombinedMargin',
  make: () => combinedMargin({ units: 4, scale: 3, m1: 0.9, m2: 0.3, m3: 0.1 }),
  inferenceRef: plain(3),
  trainingRef: (x, w, l) => combinedMarginRef(x, w, l, 3, 0.9, 0.3, 0.1),
  nonTrainableWeights: 0,
});

describe('cosine-margin heads', () => {
  it("have the papers' defaults", () => {
    const c = new CosFace({ units: 2 });
    expect([c.scale, c.margin]).toEqual([64, 0.35]);
    const a = new ArcFace({ units: 2 });
    expect([a.scale, a.margin, a.easyMargin]).toEqual([64, 0.5, false]);
    const m = new CombinedMargin({ units: 2 });
    expect([m.scale, m.m1, m.m2, m.m3]).toEqual([64, 1, 0.5, 0]);
  });

  it('reject bad parameters with the class name', () => {
    expect(() => cosFace({ units: 2, scale: -3 })).toThrow(/CosFace: scale must be a finite number > 0, but got -3/);
    expect(() => cosFace({ units: 2, margin: 5 })).toThrow(/CosFace: margin must be a number in \[0, 2\), but got 5/);
    expect(() => arcFace({ units: 2, margin: -1 })).toThrow(/ArcFace: margin must be a number in \[0, π\), but got -1/);
    expect(() => arcFace({ units: 2, easyMargin: 'no' as unknown as boolean })).toThrow(/ArcFace: easyMargin must be a boolean, but got "no"/);
    expect(() => combinedMargin({ units: 2, m3: -1 })).toThrow(/CombinedMargin: m3 must be a number in \[0, 2\)/);
    expect(() => combinedMargin({ units: 0 })).toThrow(/CombinedMargin: units must be an integer >= 1, but got 0/);
  });
});

describe('margin warm-up of the cosine heads', () => {
  it('grows the target logit linearly from no margin to the full one, and saves its step counter', async () => {
    const x = randomMatrix(3, 2, 51, 2);
    const labels = [0, 1, 0];
    const w = [
      [1, 0.2],
      [-0.3, 1],
    ];
    const head = cosFace({ units: 2, scale: 4, margin: 0.4, marginWarmupSteps: 4 });
    head.build([
      [null, 2],
      [null, 1],
    ]);
    head.setWeights([tf.tensor2d(w), tf.tensor1d([0, 0], 'int32')]);
    expect(head.nonTrainableWeights.map((v) => v.name)).toEqual([expect.stringMatching(/warmup_step/)]);
    const inputs = [tf.tensor2d(x), tf.tensor1d(labels, 'int32')];
    for (let step = 0; step < 6; step++) {
      const t = Math.min(1, step / 4); // written out: the warm-up's progress at this step
      const logits = head.apply(inputs, { training: true }) as tf.Tensor;
      expectClose(await toMatrix(logits), cosFaceRef(x, w, labels, 4, 0.4 * t), 1e-4, 1e-5);
    }
    expect(Array.from(await head.getWeights()[1]!.data())).toEqual([0, 6]); // [high, low]: 6
    head.apply(inputs, { training: false });
    expect(Array.from(await head.getWeights()[1]!.data())).toEqual([0, 6]);
    expect(head.getConfig()['marginWarmupSteps']).toBe(4);
    expect(() => arcFace({ units: 2, marginWarmupSteps: -1 })).toThrow(
      'ArcFace: marginWarmupSteps must be an integer from 0 to 2^53 - 1 (9007199254740991), but got -1.',
    );
    expect(() => arcFace({ units: 2, marginWarmupSteps: 2 ** 53 })).toThrow(
      'ArcFace: marginWarmupSteps must be an integer from 0 to 2^53 - 1 (9007199254740991), but got 9007199254740992.',
    );
    const plainHead = arcFace({ units: 2 });
    plainHead.build([
      [null, 2],
      [null, 1],
    ]);
    expect(plainHead.nonTrainableWeights).toEqual([]);
  });

  it('interpolates any margin: ArcFace halfway is halfway between s·cos θ and s·cos(θ + m)', async () => {
    const x = randomMatrix(2, 2, 52, 2);
    const labels = [1, 0];
    const w = [
      [1, 0.4],
      [0.2, -1],
    ];
    const head = arcFace({ units: 2, scale: 2, margin: 0.5, marginWarmupSteps: 2 });
    head.build([
      [null, 2],
      [null, 1],
    ]);
    head.setWeights([tf.tensor2d(w), tf.tensor1d([0, 1], 'int32')]);
    const logits = await toMatrix(head.apply([tf.tensor2d(x), tf.tensor1d(labels, 'int32')], { training: true }) as tf.Tensor);
    const [none, full] = [normLinearRef(x, w, true, 2), arcFaceRef(x, w, labels, 2, 0.5)];
    expectClose(
      logits,
      none.map((row, i) => row.map((v, j) => (v + full[i]![j]!) / 2)),
      1e-4,
      1e-5,
    );
  });

  it('counts exactly past 2^24 and 2^30 (int32 [high, low]): a warm-up of 2^24 + 2 steps reaches its full margin, one of 2^53 − 1 too', async () => {
    const x = randomMatrix(2, 2, 53, 2);
    const labels = [1, 0];
    const w = [
      [1, 0.4],
      [0.2, -1],
    ];
    const inputs = [tf.tensor2d(x), tf.tensor1d(labels, 'int32')];
    const [none, full] = [normLinearRef(x, w, true, 2), cosFaceRef(x, w, labels, 2, 0.4)];
    const cases: Array<[number, [number, number], number, [number, number]]> = [
      // steps, counter before the pass [high, low], progress of that pass, counter after it
      [2 ** 24 + 2, [0, 2 ** 24 + 1], (2 ** 24 + 1) / (2 ** 24 + 2), [0, 2 ** 24 + 2]], // a float32 counter stops at 2^24
      [2 ** 24 + 2, [0, 2 ** 24 + 2], 1, [0, 2 ** 24 + 3]],
      [2 ** 31, [0, 2 ** 30 - 1], 0.5, [1, 0]], // the carry
      [2 ** 53 - 1, [2 ** 23 - 1, 2 ** 30 - 2], 1, [2 ** 23 - 1, 2 ** 30 - 1]], // 2^53 − 2: below, but float32 rounds the quotient to 1
      [2 ** 53 - 1, [2 ** 23 - 1, 2 ** 30 - 1], 1, [2 ** 23, 0]],
    ];
    for (const [steps, before, progress, after] of cases) {
      const head = cosFace({ units: 2, scale: 2, margin: 0.4, marginWarmupSteps: steps });
      head.build([
        [null, 2],
        [null, 1],
      ]);
      head.setWeights([tf.tensor2d(w), tf.tensor1d(before, 'int32')]);
      const logits = await toMatrix(head.apply(inputs, { training: true }) as tf.Tensor);
      expectClose(
        logits,
        none.map((row, i) => row.map((v, j) => v + progress * (full[i]![j]! - v))),
        1e-4,
        1e-5,
      );
      expect(Array.from(await head.getWeights()[1]!.data())).toEqual(after);
    }
  });
});
