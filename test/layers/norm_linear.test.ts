import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { NormLinear, normLinear } from '../../src/layers/norm_linear.js';
import { normLinearRef } from '../reference/sphereface.js';
import { expectClose, randomMatrix, toMatrix } from '../helpers.js';
import { describeHeadConformance } from './conformance.js';

describeHeadConformance({
  className: 'NormLinear',
  make: () => normLinear({ units: 4, normalizeInput: true, scale: 3 }),
  inferenceRef: (x, w) => normLinearRef(x, w, true, 3),
  trainingRef: (x, w) => normLinearRef(x, w, true, 3),
  nonTrainableWeights: 0,
});

describe('NormLinear', () => {
  it('defaults to logits x·ŵ_j = ‖x‖cos θ_j with scale 1', async () => {
    const head = new NormLinear({ units: 3 });
    expect(head.normalizeInput).toBe(false);
    expect(head.scale).toBe(1);
    const x = randomMatrix(4, 2, 5);
    const out = head.apply(tf.tensor2d(x)) as tf.Tensor;
    const w = (await head.getWeights()[0]!.array()) as number[][];
    expectClose(await toMatrix(out), normLinearRef(x, w, false, 1), 1e-5, 1e-5);
  });

  it('rejects bad arguments, saying what was expected and what came', async () => {
    expect(() => normLinear({ units: 0 })).toThrow(/NormLinear: units must be an integer >= 1, but got 0/);
    expect(() => normLinear({ units: 2.5 })).toThrow(/but got 2.5/);
    expect(() => normLinear({ units: 3, scale: 0 })).toThrow(/scale must be a finite number > 0, but got 0/);
    expect(() => normLinear({ units: 3, scale: -2 })).toThrow(/but got -2/);
    expect(() => normLinear({ units: 3, normalizeInput: 'yes' as unknown as boolean })).toThrow(/normalizeInput must be a boolean, but got "yes"/);
    expect(() => normLinear({ units: 3, kernelInitializer: 'nope' as 'zeros' })).toThrow(/kernelInitializer must be one of .*glorotUniform.* but got "nope"/);
    expect(() => normLinear(undefined as unknown as { units: number })).toThrow();
  });

  it('rejects inputs of the wrong rank', async () => {
    expect(() => normLinear({ units: 3 }).apply(tf.zeros([2, 3, 4]))).toThrow(/embeddings must have rank 2 \(\[batch, dim\]\), but got shape \[2, 3, 4\]/);
    expect(() => normLinear({ units: 3 }).apply([tf.zeros([2, 3]), tf.zeros([2, 2])])).toThrow(
      /labels must have shape \[B\] or \[B, 1\], but got shape \[2, 2\]/,
    );
  });

  it('accepts initializers by name, instance and serialized form', async () => {
    const byName = normLinear({ units: 2, kernelInitializer: 'ones' });
    byName.build([null, 2]);
    expect(Array.from(await byName.getWeights()[0]!.data())).toEqual([1, 1, 1, 1]);
    const config = byName.getConfig();
    const again = new NormLinear(config as unknown as ConstructorParameters<typeof NormLinear>[0]);
    again.build([null, 2]);
    expect(Array.from(await again.getWeights()[0]!.data())).toEqual([1, 1, 1, 1]);
  });
});
