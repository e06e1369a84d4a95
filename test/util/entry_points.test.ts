// Bad arguments at the public entry points: each error names the function and the argument, says
// what was expected and shows what came.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { angularStatistics, angularSoftmaxLogits, chebyshevT, chebyshevU, embeddingModel, pairVerification } from '../../src/index.js';
import { registerFastConvGradients } from '../../src/fast_kernels.js';

const readsSync = ['cpu', 'wasm'].includes(tf.getBackend());

describe('entry points', () => {
  it('angularSoftmaxLogits requires λ: a finite number >= 0 or a float32 scalar tensor', () => {
    const x = tf.ones([2, 3]) as tf.Tensor2D;
    const w = tf.ones([3, 4]) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 1], 'int32');
    const call = (lambda: unknown) => () => angularSoftmaxLogits(x, w, labels, { margin: 4, lambda: lambda as number });
    expect(call(undefined)).toThrow(/angularSoftmax: lambda \(λ\) is required: a finite number >= 0 or a float32 scalar tensor, but got undefined/);
    expect(call(Number.NaN)).toThrow(/lambda must be a finite number >= 0, but got NaN/);
    expect(call(tf.tensor1d([1]))).toThrow(/but got a float32 tensor of shape \[1\]/);
    if (readsSync) expect(call(tf.scalar(-1))).toThrow(/lambda \(λ\) must be finite and >= 0, but the tensor holds -1/);
    expect(() => angularSoftmaxLogits(x, w, labels, { margin: 4, lambda: tf.scalar(0.5) })).not.toThrow();
  });

  it('chebyshevT and chebyshevU take integer degrees >= 0', () => {
    const c = tf.tensor1d([0.5]);
    for (const n of [-1, 2.5, Number.NaN]) {
      expect(() => chebyshevT(c, n)).toThrow(new RegExp(`chebyshevT: the degree n must be an integer >= 0, but got ${n}`));
      expect(() => chebyshevU(c, n)).toThrow(new RegExp(`chebyshevU: the degree n must be an integer >= 0, but got ${n}`));
    }
  });

  it('evaluation rejects NaN, Inf, ragged and non-numeric rows, naming the row', () => {
    const labels = [0, 0, 1, 1, 2, 2, 3, 3];
    const ok = [
      [1, 0],
      [0.9, 0.1],
      [0, 1],
      [0.1, 0.9],
      [-1, 0],
      [-0.9, 0.1],
      [0, -1],
      [0.1, -0.9],
    ];
    const rest = ok.slice(4);
    for (const f of [
      (e: unknown) => angularStatistics(e as number[][], labels),
      (e: unknown) => pairVerification(e as number[][], labels, { pairs: 2, folds: 2 }),
    ]) {
      expect(() => f(ok)).not.toThrow();
      expect(() => f([[1, 0], [Number.NaN, 0], [0, 1], [0, 1], ...rest])).toThrow(/embeddings must be finite numbers, but row 1 holds NaN at column 0/);
      expect(() => f([[1, 0], [0, 1], [Number.POSITIVE_INFINITY, 0], [0, 1], ...rest])).toThrow(/row 2 holds Infinity/);
      expect(() => f([[1, 0], [0, 1, 2], [0, 1], [0, 1], ...rest])).toThrow(/every embedding must be an array of 2 numbers, but row 1 is \[0, 1, 2\]/);
      expect(() => f([[1, 0], ['a', 1], [0, 1], [0, 1], ...rest])).toThrow(/row 1 holds "a" at column 0/);
      expect(() => f('abc')).toThrow(/embeddings must be a tensor \[count, dim\] or an array of rows, but got "abc"/);
    }
    expect(() => angularStatistics(ok, 'abc' as unknown as number[])).toThrow(
      /labels must be a tensor or an array of integers, but got "abc"|got 3 labels for 8/,
    );
  });

  it('embeddingModel and registerFastConvGradients say what they expected', () => {
    expect(() => embeddingModel(null as never)).toThrow(/embeddingModel: expected a tf.LayersModel \(from tf.model or tf.loadLayersModel\), but got null/);
    expect(() => registerFastConvGradients({ backends: 'wasm' as never })).toThrow(
      /registerFastConvGradients: backends must be an array of backend names, e\.g\. \['wasm'\], but got "wasm"/,
    );
  });
});
