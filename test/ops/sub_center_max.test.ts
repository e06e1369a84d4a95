// Sub-center ArcFace's class cosines (src/ops/sub_center_max.ts): the largest of each class's K
// sub-center cosines, with the gradient going to the sub-center that gave it, as torch.max's does
// in the reference. Checked against plain arrays on every backend lane.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { maxOverSubCenters } from '../../src/ops/sub_center_max.js';
import type { Matrix } from '../reference/sphereface.js';
import { expectNoLeak, randomMatrix, toMatrix } from '../helpers.js';

const B = 3;
const C = 4;
const K = 3;
// Distinct values: no ties.
const COS = randomMatrix(B, C * K, 41);
// Weights of the outputs in a scalar loss, so that each gradient entry is distinct.
const W = Array.from({ length: B }, (_, b) => Array.from({ length: C }, (_, c) => 1 + b * C + c));

/** The index, among class c's K columns of row `row`, of the largest. */
function argMaxOf(row: number[], c: number, k: number): number {
  let best = 0;
  for (let i = 1; i < k; i++) if (row[c * k + i]! > row[c * k + best]!) best = i;
  return best;
}

async function gradientOf(cos: Matrix, k: number, weights: Matrix): Promise<Matrix> {
  const g = tf.grad((m: tf.Tensor) => tf.sum(tf.mul(maxOverSubCenters(m as tf.Tensor2D, k), tf.tensor2d(weights))))(tf.tensor2d(cos));
  return toMatrix(g);
}

describe('maxOverSubCenters', () => {
  it("gives the largest of each class's K adjacent columns", async () => {
    const got = maxOverSubCenters(tf.tensor2d(COS), K);
    expect(got.shape).toEqual([B, C]);
    expect(await toMatrix(got)).toEqual(COS.map((row) => Array.from({ length: C }, (_, c) => Math.fround(row[c * K + argMaxOf(row, c, K)]!))));
  });

  it('sends the gradient to the sub-center that gave the maximum, and nothing to the others', async () => {
    const expected = COS.map((row, b) => row.map((_, j) => (j % K === argMaxOf(row, Math.floor(j / K), K) ? W[b]![Math.floor(j / K)]! : 0)));
    expect(await gradientOf(COS, K, W)).toEqual(expected);
  });

  it("on a tie (identical sub-centers) sends each class's gradient to one of them, not to each", async () => {
    const tied = [
      [0.5, 0.5, 0.5, -0.25, 0.75, 0.75],
      [1, 1, 1, 0, 0, 0],
    ];
    const weights = [
      [2, 3],
      [5, 7],
    ];
    const g = await gradientOf(tied, 3, weights);
    for (const [b, row] of g.entries()) {
      for (let c = 0; c < 2; c++) {
        const group = row.slice(c * 3, c * 3 + 3);
        expect(group.filter((v) => v !== 0)).toEqual([weights[b]![c]!]);
        // ... and it is one of the tied maxima.
        const at = group.findIndex((v) => v !== 0);
        expect(tied[b]![c * 3 + at]).toBe(Math.max(...tied[b]!.slice(c * 3, c * 3 + 3)));
      }
    }
  });

  it('is the identity for K = 1, in value and gradient', async () => {
    const x = randomMatrix(2, 5, 42);
    expect(await toMatrix(maxOverSubCenters(tf.tensor2d(x), 1))).toEqual(x.map((row) => row.map((v) => Math.fround(v))));
    const weights = randomMatrix(2, 5, 43);
    expect(await gradientOf(x, 1, weights)).toEqual(weights.map((row) => row.map((v) => Math.fround(v))));
  });

  it('leaks no tensors, forward and backward', () => {
    const cos = tf.tensor2d(COS);
    expectNoLeak(() => {
      tf.dispose(maxOverSubCenters(cos, K));
      tf.dispose(tf.grads((m: tf.Tensor) => tf.sum(maxOverSubCenters(m as tf.Tensor2D, K)))([cos]));
    });
    cos.dispose();
  });
});
