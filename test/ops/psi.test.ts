import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { psi } from '../../src/ops/psi.js';
import { gradCheck } from '../../src/testing/grad_check.js';
import { psiRef } from '../reference/sphereface.js';
import { allFinite, expectClose, expectNoLeak } from '../helpers.js';

/** Cosines on a grid, at every interval boundary cos(jπ/m), just beside each, and at ±1. */
function probePoints(m: number): number[] {
  const points = Array.from({ length: 41 }, (_, i) => -1 + i / 20);
  for (let j = 1; j < m; j++) {
    const b = Math.cos((j * Math.PI) / m);
    points.push(b, b + 1e-3, b - 1e-3, b + 2e-2, b - 2e-2);
  }
  return points.filter((c) => c >= -1 && c <= 1);
}

/** dψ/dc of the float64 reference by finite differences; one-sided at ±1, where acos ends. */
function referenceDerivative(c: number, m: number): number {
  const h = 1e-7;
  if (c + h > 1) return (psiRef(c, m) - psiRef(c - h, m)) / h;
  if (c - h < -1) return (psiRef(c + h, m) - psiRef(c, m)) / h;
  return (psiRef(c + h, m) - psiRef(c - h, m)) / (2 * h);
}

describe('psi', () => {
  for (let m = 1; m <= 6; m++) {
    it(`matches the paper's ψ(θ) = (−1)^k cos(mθ) − 2k in value for m = ${m}`, async () => {
      const points = probePoints(m);
      const out = psi(tf.tensor1d(points), m);
      // float32 input rounding moves c by ~6e-8; ψ' is at most m², hence the tolerance.
      expectClose(
        Array.from(await out.data()),
        points.map((c) => psiRef(c, m)),
        2e-6 * m * m + 1e-6,
      );
    });

    it(`has the gradient of the float64 reference for m = ${m}, at boundaries and at ±1`, async () => {
      const points = probePoints(m);
      const grad = tf.grad((c: tf.Tensor) => tf.sum(psi(c, m)))(tf.tensor1d(points));
      expect(await allFinite(grad)).toBe(true);
      expectClose(
        Array.from(await grad.data()),
        points.map((c) => referenceDerivative(c, m)),
        1e-4 * m * m + 2e-5,
        1e-4,
      );
    });
  }

  it('has ψ = cos θ for m = 1, ψ(1) = 1 and ψ(−1) = 1 − 2m', async () => {
    expectClose(Array.from(await psi(tf.tensor1d([0.3, -0.7]), 1).data()), [0.3, -0.7], 1e-7);
    for (let m = 1; m <= 6; m++) expectClose(Array.from(await psi(tf.tensor1d([1, -1]), m).data()), [1, 1 - 2 * m], 1e-6);
  });

  it('is monotone decreasing in θ', async () => {
    const cs = Array.from({ length: 2001 }, (_, i) => 1 - i / 1000);
    const values = Array.from(await psi(tf.tensor1d(cs), 4).data());
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]! + 1e-6);
  });

  it('clips cosines outside [−1, 1] and stays finite, with finite gradient', async () => {
    const c = tf.tensor1d([1.0000002, -1.0000002, 3, -3]);
    expectClose(Array.from(await psi(c, 4).data()), [1, -7, 1, -7], 1e-6);
    // The derivative at the clipped point is passed through: m·U_{m−1}(±1)·(−1)^k = m² = 16 at both ends (ψ increases with c).
    expectClose(
      Array.from(
        await tf
          .grad((x: tf.Tensor) => tf.sum(psi(x, 4)))(c)
          .data(),
      ),
      [16, 16, 16, 16],
      1e-4,
    );
  });

  it('passes gradCheck away from the boundaries', async () => {
    const result = await gradCheck((c) => psi(c, 4), [tf.tensor1d([0.95, 0.5, 0.1, -0.4, -0.8, -0.95])]);
    expect(result.maxRelativeError).toBeLessThan(1e-2);
  });

  it('rejects a margin that is not an integer >= 1', async () => {
    const c = tf.tensor1d([0.5]);
    expect(() => psi(c, 0)).toThrow(/^psi: m \(the angular margin\) must be an integer >= 1, but got 0/);
    expect(() => psi(c, 2.5)).toThrow(/but got 2.5/);
    expect(() => psi(c, Number.NaN)).toThrow(/but got NaN/);
  });

  it('leaks no tensors, forward or backward', async () => {
    const c = tf.tensor1d([0.9, -0.3, 0.2]);
    expectNoLeak(() => {
      psi(c, 4).dispose();
      tf.grad((x: tf.Tensor) => tf.sum(psi(x, 4)))(c).dispose();
    });
    c.dispose();
  });

  it('works elementwise on a matrix of cosines (the interval count compares along a new last axis)', async () => {
    const rows = [
      [-0.9, -0.3, 0.2],
      [0.5, 0.95, -1],
    ];
    const out = psi(tf.tensor2d(rows), 4);
    expectClose(
      (await out.array()) as number[][],
      rows.map((r) => r.map((c) => psiRef(c, 4))),
      1e-5,
    );
    out.dispose();
  });

  it('m = 1 is cos θ itself, without interval comparisons', async () => {
    const c = tf.tensor1d([-0.5, 0.25, 1]);
    const profile = await tf.profile(() => {
      tf.dispose(psi(c, 1));
    });
    expect(profile.kernels.map((k) => k.name)).not.toContain('LessEqual');
    const three = await tf.profile(() => {
      tf.dispose(psi(c, 3));
    });
    expect(three.kernels.map((k) => k.name)).toContain('LessEqual');
    c.dispose();
  });
});
