import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retrievalMetrics } from '../../src/evaluation/retrieval_metrics.js';

/** The definitions in float64, by brute force: full ranking by cosine (distinct scores assumed). */
function reference(queries: number[][], labels: number[], refs: number[][] | null, refLabels: number[] | null, ks: number[]) {
  const unit = (v: number[]) => {
    const n = Math.hypot(...v);
    return v.map((x) => (n > 0 ? x / n : 0));
  };
  const q = queries.map(unit);
  const r = (refs ?? queries).map(unit);
  const rl = refLabels ?? labels;
  let [p1, rp, map, counted, lone] = [0, 0, 0, 0, 0];
  const recall = ks.map(() => 0);
  q.forEach((v, i) => {
    const ranked = r
      .map((w, j) => ({ j, s: v.reduce((a, x, d) => a + x * w[d]!, 0) }))
      .filter(({ j }) => refs != null || j !== i)
      .sort((a, b) => b.s - a.s);
    const rel = ranked.map(({ j }) => rl[j] === labels[i]);
    const R = rel.filter(Boolean).length;
    if (R === 0) {
      lone++;
      return;
    }
    counted++;
    p1 += rel[0] ? 1 : 0;
    rp += rel.slice(0, R).filter(Boolean).length / R;
    let hits = 0;
    let sum = 0;
    rel.slice(0, R).forEach((x, k) => {
      if (x) {
        hits++;
        sum += hits / (k + 1);
      }
    });
    map += sum / R;
    ks.forEach((k, t) => (recall[t]! += rel.slice(0, k).some(Boolean) ? 1 : 0));
  });
  return {
    precisionAt1: p1 / counted,
    rPrecision: rp / counted,
    mapAtR: map / counted,
    recallAt: Object.fromEntries(ks.map((k, t) => [k, recall[t]! / counted])),
    queries: counted,
    loneQueries: lone,
  };
}

function expectMetrics(got: Awaited<ReturnType<typeof retrievalMetrics>>, want: ReturnType<typeof reference>) {
  expect([got.queries, got.loneQueries]).toEqual([want.queries, want.loneQueries]);
  for (const key of ['precisionAt1', 'rPrecision', 'mapAtR'] as const) expect(got[key]).toBeCloseTo(want[key], 6);
  expect(Object.keys(got.recallAt)).toEqual(Object.keys(want.recallAt));
  for (const k of Object.keys(want.recallAt)) expect(got.recallAt[Number(k)]).toBeCloseTo(want.recallAt[Number(k)]!, 6);
}

describe('retrievalMetrics', () => {
  it('computes a hand-worked case: P@1, R-precision, MAP@R, Recall@k, with a lone query left out', async () => {
    // Angles on a circle (no two distances equal where it matters): class 0 at 0°, 12°, 100°;
    // class 1 at 20°, 95°; class 2 (lone) at 200°.
    const deg = [0, 12, 100, 20, 95, 200];
    const x = deg.map((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]);
    const y = [0, 0, 0, 1, 1, 2];
    const got = await retrievalMetrics(x, y, { recallAt: [1, 2] });
    // 0° (R 2): 12°(0) 20°(1) …: P@1 1, RP 1/2, AP (1/1)/2 = 1/2, R@2 1.
    // 12° (R 2): 20°(1) 0°(0) …: P@1 0, RP 1/2, AP (1/2)/2 = 1/4, R@2 1.
    // 100° (R 2): 95°(1) 20°(1) …: all 0.
    // 20° (R 1): 12°(0) 0°(0) …: all 0.   95° (R 1): 100°(0) 20°(1) …: 0, but R@2 1.   200°: lone.
    expect(got.queries).toBe(5);
    expect(got.loneQueries).toBe(1);
    expect(got.precisionAt1).toBeCloseTo(1 / 5, 12);
    expect(got.rPrecision).toBeCloseTo(1 / 5, 12);
    expect(got.mapAtR).toBeCloseTo(0.75 / 5, 12);
    expect(got.recallAt).toEqual({ 1: 1 / 5, 2: 3 / 5 });
  });

  it('matches the brute-force definitions on random sets, with and without a reference set', async () => {
    // D ≥ 2: in one dimension every cosine is ±1, and the order of ties is the backend's.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1e6 }),
        async (n, d, classes, seed) => {
          const x = tf.randomNormal([n, d], 0, 1, 'float32', seed).arraySync() as number[][];
          const y = Array.from({ length: n }, (_, i) => (i * 7 + seed) % classes);
          const ks = [1, 3, 50];
          const want = reference(x, y, null, null, ks);
          if (want.queries === 0) {
            await expect(retrievalMetrics(x, y, { recallAt: ks })).rejects.toThrow(/every query is lone/);
            return;
          }
          expectMetrics(await retrievalMetrics(x, y, { recallAt: ks }), want);
          const refs = tf.randomNormal([n + 3, d], 0, 1, 'float32', seed + 1).arraySync() as number[][];
          const refLabels = Array.from({ length: n + 3 }, (_, i) => (i * 5 + 1) % (classes + 1));
          const withRef = reference(x, y, refs, refLabels, ks);
          if (withRef.queries > 0)
            expectMetrics(
              await retrievalMetrics(tf.tensor2d(x), tf.tensor1d(y, 'int32'), { reference: refs, referenceLabels: refLabels, recallAt: ks }),
              withRef,
            );
        },
      ),
      { numRuns: 30, seed: 29 },
    );
  });

  it('is 1 for perfectly separated embeddings, invariant to permuting the rows and scaling them, and P@1 = Recall@1', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.double({ min: 1e-20, max: 1e20, noNaN: true }),
        async (classes, perClass, seed, scale) => {
          const labels = Array.from({ length: classes * perClass }, (_, i) => i % classes);
          // Each class on its own axis, slightly perturbed: perfect retrieval.
          const x = labels.map((c, i) => Array.from({ length: classes }, (_, d) => (d === c ? 1 : 0) + 0.01 * Math.sin(i * 13 + d * 7 + seed)));
          const perfect = await retrievalMetrics(x, labels, { recallAt: [1, 2] });
          expect([perfect.precisionAt1, perfect.rPrecision, perfect.mapAtR, perfect.recallAt[1], perfect.recallAt[2]]).toEqual([1, 1, 1, 1, 1]);
          const noisy = tf.randomNormal([labels.length, 3], 0, 1, 'float32', seed).arraySync() as number[][];
          const base = await retrievalMetrics(noisy, labels, { recallAt: [1, 4] });
          for (const v of [base.precisionAt1, base.rPrecision, base.mapAtR, base.recallAt[1]!, base.recallAt[4]!]) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
          expect(base.precisionAt1).toBe(base.recallAt[1]);
          const order = labels.map((_, i) => i).sort((a, b) => Math.sin(a * 31 + seed) - Math.sin(b * 31 + seed));
          const permuted = await retrievalMetrics(
            order.map((i) => noisy[i]!.map((v) => v * scale)),
            order.map((i) => labels[i]!),
            { recallAt: [1, 4] },
          );
          expect(permuted.mapAtR).toBeCloseTo(base.mapAtR, 5);
          expect(permuted.rPrecision).toBeCloseTo(base.rPrecision, 5);
          expect(permuted.precisionAt1).toBeCloseTo(base.precisionAt1, 5);
        },
      ),
      { numRuns: 20, seed: 2929 },
    );
  });

  it('removes the query itself by position, not a duplicate elsewhere; with a reference set nothing is removed', async () => {
    const x = [
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
    ];
    const y = [0, 1, 1, 0];
    // Row 0's duplicate (row 1) has another label: P@1 of row 0 is 0 (its duplicate comes first).
    const same = await retrievalMetrics(x, y, { recallAt: [1] });
    expect(same.precisionAt1).toBe(0);
    const withRef = await retrievalMetrics([[1, 0]], [0], { reference: x, referenceLabels: y, recallAt: [1] });
    expect([withRef.queries, withRef.loneQueries]).toEqual([1, 0]);
  });

  it('leaves no tensor behind and says what is wrong with its input', async () => {
    const before = tf.memory().numTensors;
    await retrievalMetrics(
      tf.tensor2d([
        [1, 0],
        [0.9, 0.1],
        [0, 1],
        [0.1, 0.9],
      ]),
      [0, 0, 1, 1],
    );
    expect(tf.memory().numTensors).toBe(before + 1); // the input tensor itself
    await expect(
      retrievalMetrics(
        [
          [1, 0],
          [0, 1],
        ],
        [0, 1],
      ),
    ).rejects.toThrow('retrievalMetrics: every query is lone (no reference shares its label), so there is nothing to average.');
    await expect(retrievalMetrics([[1, 0]], [0, 1])).rejects.toThrow('retrievalMetrics: got 2 labels for 1 embeddings.');
    await expect(retrievalMetrics([[1, 0]], [0.5])).rejects.toThrow('retrievalMetrics: labels must be int32 integers, but the label at index 0 is 0.5.');
    await expect(retrievalMetrics([[1, 0]], [0], { recallAt: [0] })).rejects.toThrow(
      'retrievalMetrics: recallAt must be a non-empty array of integers >= 1, but got [0].',
    );
    await expect(retrievalMetrics([[1, 0]], [0], { reference: [[1, 0]] })).rejects.toThrow(
      'retrievalMetrics: give reference and referenceLabels together, or neither.',
    );
    await expect(retrievalMetrics([[1, 0]], [0], { reference: [[1, 0, 0]], referenceLabels: [0] })).rejects.toThrow(
      'retrievalMetrics: reference has dimension 3, but the embeddings have 2.',
    );
    await expect(retrievalMetrics([[1, Number.NaN]], [0])).rejects.toThrow(
      'retrievalMetrics: embeddings must be finite numbers, but row 0 holds NaN at column 1.',
    );
    expect(tf.memory().numTensors).toBe(before + 1);
  });
});
