// Which path l2Normalize takes: the fused kernel for the rows or columns of a float32 matrix
// (axis given from the end too) where fused kernels are active, the composite ops otherwise —
// the same values either way, so the path is seen in the kernels that run.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { fusedKernelActive, useFusedKernels } from '../../src/kernels/fused_kernels.js';
import { L2_NORMALIZE } from '../../src/kernels/l2_normalize/names.js';
import { divideByNorm, l2Normalize, safeL2Norm } from '../../src/ops/l2_norm.js';
import { expectClose, toMatrix } from '../helpers.js';

afterEach(() => {
  useFusedKernels(true);
});

async function fusedRuns(f: () => tf.Tensor): Promise<boolean> {
  const profile = await tf.profile(() => {
    tf.dispose(f());
  });
  return profile.kernels.some((k) => k.name === L2_NORMALIZE);
}

describe('l2Normalize path', () => {
  const m = tf.tensor2d([
    [3, 4],
    [-1, 2],
  ]);

  it('the fused kernel for axis 0, 1, −1 and −2 of a float32 matrix, where active', async () => {
    const fused = fusedKernelActive(L2_NORMALIZE);
    for (const axis of [0, 1, -1, -2]) expect(await fusedRuns(() => l2Normalize(m, axis))).toBe(fused);
  });

  it('axis −1 and −2 normalize rows and columns, on either path', async () => {
    for (const on of [true, false]) {
      useFusedKernels(on);
      expectClose(
        await toMatrix(l2Normalize(m, -1)),
        [
          [0.6, 0.8],
          [-1 / Math.sqrt(5), 2 / Math.sqrt(5)],
        ],
        1e-6,
      );
      expectClose(
        await toMatrix(l2Normalize(m, -2)),
        [
          [3 / Math.sqrt(10), 4 / Math.sqrt(20)],
          [-1 / Math.sqrt(10), 2 / Math.sqrt(20)],
        ],
        1e-6,
      );
    }
  });

  it('composite ops for other ranks, for other dtypes, and with fused kernels off', async () => {
    expect(await fusedRuns(() => l2Normalize(tf.ones([2, 2, 2]), 1))).toBe(false);
    expect(await fusedRuns(() => l2Normalize(tf.ones([4]), 0))).toBe(false);
    expect(await fusedRuns(() => l2Normalize(tf.ones([2, 2], 'int32'), 1))).toBe(false);
    useFusedKernels(false);
    expect(await fusedRuns(() => l2Normalize(m, 1))).toBe(false);
  });

  it("an axis outside the matrix fails on either path, as tfjs's reductions do", () => {
    for (const on of [true, false]) {
      useFusedKernels(on);
      expect(() => l2Normalize(m, 2)).toThrow();
      expect(() => l2Normalize(m, -3)).toThrow();
    }
  });
});

describe('divideByNorm', () => {
  it('sums the gradient in the norm over the broadcast axes only', async () => {
    const a = tf.tensor2d([
      [3, 4],
      [6, 8],
    ]);
    const n = safeL2Norm(a, 1);
    const [, dn] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(divideByNorm(p, q)))([a, n]);
    // d/dn Σ_j a_j / n = −Σ_j a_j / n² per row.
    expectClose(await toMatrix(dn!), [[-7 / 25], [-14 / 100]], 1e-6);
    const same = tf.tensor2d([[2, 3]]);
    const [, dSame] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(divideByNorm(p, q)))([tf.tensor2d([[4, 9]]), same]);
    expect(dSame!.shape).toEqual([1, 2]);
    expectClose(await toMatrix(dSame!), [[-1, -1]], 1e-6);
  });
});
