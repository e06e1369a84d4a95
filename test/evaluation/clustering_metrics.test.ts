import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusteringMetrics, mutualInformationScores } from '../../src/evaluation/clustering_metrics.js';

/** The definitions in float64 without log-gamma: MI and entropies from counts, E[MI] from exact hypergeometric probabilities. */
function reference(a: number[], b: number[]): { nmi: number; ami: number } {
  const n = a.length;
  const av = [...new Set(a)];
  const bv = [...new Set(b)];
  if (av.length === 1 && bv.length === 1) return { nmi: 1, ami: 1 };
  const count = (f: (i: number) => boolean) => a.reduce((s, _, i) => s + (f(i) ? 1 : 0), 0);
  const rows = av.map((x) => count((i) => a[i] === x));
  const cols = bv.map((y) => count((i) => b[i] === y));
  let mi = 0;
  av.forEach((x, i) =>
    bv.forEach((y, j) => {
      const c = count((t) => a[t] === x && b[t] === y);
      if (c > 0) mi += (c / n) * Math.log((c * n) / (rows[i]! * cols[j]!));
    }),
  );
  const h = (s: number[]) => -s.reduce((t, c) => t + (c / n) * Math.log(c / n), 0);
  const choose = (m: number, k: number) => {
    let r = 1;
    for (let i = 1; i <= k; i++) r = (r * (m - k + i)) / i;
    return r;
  };
  let emi = 0;
  if (av.length > 1 && bv.length > 1) {
    for (const r of rows)
      for (const c of cols)
        for (let k = Math.max(1, r + c - n); k <= Math.min(r, c); k++) {
          const p = (choose(r, k) * choose(n - r, c - k)) / choose(n, c);
          emi += (k / n) * Math.log((n * k) / (r * c)) * p;
        }
  }
  const mean = (h(rows) + h(cols)) / 2;
  return { nmi: mi / Math.max(mean, Number.EPSILON), ami: (mi - emi) / (mean - emi) };
}

describe('mutualInformationScores', () => {
  it("gives scikit-learn documentation's values", () => {
    const same = mutualInformationScores([0, 0, 1, 1], [0, 0, 1, 1]);
    expect(same.nmi).toBeCloseTo(1, 12);
    expect(same.ami).toBeCloseTo(1, 12);
    expect(mutualInformationScores([3, 3], [5, 5])).toEqual({ nmi: 1, ami: 1 }); // one class each
    const swapped = mutualInformationScores([0, 0, 1, 1], [1, 1, 0, 0]);
    expect(swapped.nmi).toBeCloseTo(1, 12);
    expect(swapped.ami).toBeCloseTo(1, 12);
    const split = mutualInformationScores([0, 0, 0, 0], [0, 1, 2, 3]);
    expect([split.nmi, split.ami]).toEqual([0, 0]);
  });

  it('matches exact hypergeometric expectations on random labelings (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 })), { minLength: 2, maxLength: 40 }), (pairs) => {
        const [a, b] = [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
        const got = mutualInformationScores(a, b);
        const want = reference(a, b);
        expect(got.nmi).toBeCloseTo(want.nmi, 9);
        if (Math.abs(want.ami) < 1e6) expect(got.ami).toBeCloseTo(want.ami, 7);
      }),
      { numRuns: 300, seed: 2902 },
    );
  });
});

describe('clusteringMetrics', () => {
  it('finds well-separated classes: NMI = AMI = 1; the same seed gives the same assignments', async () => {
    const labels = Array.from({ length: 60 }, (_, i) => i % 4);
    const x = labels.map((c, i) => Array.from({ length: 4 }, (_, d) => (d === c ? 1 : 0) + 0.05 * Math.sin(i * 7 + d)));
    const got = await clusteringMetrics(x, labels, { seed: 3 });
    expect(got.nmi).toBeCloseTo(1, 9);
    expect(got.ami).toBeCloseTo(1, 9);
    expect(got.assignments.every((a) => Number.isInteger(a) && a >= 0 && a < 4)).toBe(true);
    expect((await clusteringMetrics(tf.tensor2d(x), labels, { seed: 3 })).assignments).toEqual(got.assignments);
  });

  it('is near 0 in AMI for random embeddings, in [0, 1] in NMI, invariant to scale (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 1e-10, max: 1e10, noNaN: true }), async (seed, scale) => {
        const labels = Array.from({ length: 80 }, (_, i) => i % 5);
        const x = tf.randomNormal([80, 6], 0, 1, 'float32', seed).arraySync() as number[][];
        const got = await clusteringMetrics(x, labels, { seed: 1 });
        expect(got.nmi >= 0 && got.nmi <= 1).toBe(true);
        expect(Math.abs(got.ami)).toBeLessThan(0.15);
        const scaled = await clusteringMetrics(
          x.map((r) => r.map((v) => v * scale)),
          labels,
          { seed: 1 },
        );
        expect(scaled.assignments).toEqual(got.assignments);
      }),
      { numRuns: 10, seed: 2903 },
    );
  });

  it('says what is wrong with its options', async () => {
    await expect(clusteringMetrics([[1, 0]], [0], { clusters: 2 })).rejects.toThrow(
      'clusteringMetrics: clusters must be an integer from 1 to the 1 rows, but got 2.',
    );
    await expect(clusteringMetrics([[1, 0]], [0], { seed: 0.5 })).rejects.toThrow('clusteringMetrics: seed must be an integer, but got 0.5.');
  });
});
