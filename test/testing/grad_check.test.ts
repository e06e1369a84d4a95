import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../../src/testing/grad_check.js';
import { seededRandom } from '../../src/testing/random.js';
import { expectNoLeak } from '../helpers.js';

describe('gradCheck', () => {
  it('passes a correct gradient with a small error', () => {
    const result = gradCheck((a, b) => tf.mul(tf.sin(a), tf.square(b)), [tf.tensor1d([0.1, 0.7, -1.2]), tf.tensor1d([2, -0.5, 1])]);
    expect(result.ok).toBe(true);
    expect(result.errors.length).toBe(6);
    expect(result.maxRelativeError).toBeLessThan(1e-3);
  });

  it('fails a wrong gradient', () => {
    // x² whose custom gradient claims 3x instead of 2x.
    const wrong = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([x]);
      return { value: tf.square(x), gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => [tf.mul(dy, tf.mul(3, s!))] };
    });
    const result = gradCheck((x) => wrong(x), [tf.tensor1d([0.5, -1, 2])], { directions: 3, seed: 7 });
    expect(result.ok).toBe(false);
    expect(result.maxRelativeError).toBeGreaterThan(0.2);
  });

  it('is reproducible for a seed and leaks no tensors', () => {
    const x = tf.tensor1d([0.3, 0.4]);
    const f = (t: tf.Tensor) => tf.exp(t);
    let first = 0;
    expectNoLeak(() => {
      first = gradCheck(f, [x], { seed: 3 }).maxRelativeError;
    });
    expect(gradCheck(f, [x], { seed: 3 }).maxRelativeError).toBe(first);
  });

  it('rejects bad options', () => {
    const x = tf.tensor1d([1]);
    expect(() => gradCheck((t) => t, [])).toThrow(/at least one input tensor/);
    expect(() => gradCheck((t) => t, [x], { directions: 0 })).toThrow(/directions must be an integer >= 1, but got 0/);
    expect(() => gradCheck((t) => t, [x], { epsilon: -1 })).toThrow(/epsilon must be a finite number > 0, but got -1/);
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    for (let i = 0; i < 100; i++) {
      const v = a();
      expect(v).toBe(b());
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
    expect(seededRandom(6)()).not.toBe(seededRandom(5)());
  });
});
