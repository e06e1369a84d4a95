import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verificationCurve, verificationMetrics } from '../../src/evaluation/verification_metrics.js';

/** The definitions in float64 on the pair scores: ROC by brute force over every distinct score. */
function reference(scores: Array<{ s: number; genuine: boolean }>, targets: number[]) {
  const G = scores.filter((p) => p.genuine).length;
  const I = scores.length - G;
  // AUC: P(genuine > impostor) + ½ P(equal) (Mann-Whitney).
  let wins = 0;
  for (const a of scores) if (a.genuine) for (const b of scores) if (!b.genuine) wins += a.s > b.s ? 1 : a.s === b.s ? 0.5 : 0;
  const thresholds = [Infinity, ...[...new Set(scores.map((p) => p.s))].sort((a, b) => b - a)];
  const points = thresholds.map((t) => ({
    t,
    far: scores.filter((p) => !p.genuine && p.s >= t).length / I,
    tar: scores.filter((p) => p.genuine && p.s >= t).length / G,
  }));
  const tarAtFar = targets.map((far) => {
    const ok = points.filter((p) => p.far <= far);
    const best = ok[ok.length - 1]!;
    return { far, tar: best.tar, threshold: best.t };
  });
  let eer = NaN;
  for (let k = 1; k < points.length && Number.isNaN(eer); k++) {
    const [a0, b0, a1, b1] = [points[k - 1]!.far, 1 - points[k - 1]!.tar, points[k]!.far, 1 - points[k]!.tar];
    if (a0 < b0 && a1 >= b1) eer = a0 + ((b0 - a0) / (a1 - a0 - (b1 - b0))) * (a1 - a0);
  }
  return { auc: wins / (G * I), eer, tarAtFar, points };
}

/** Pair scores as the backend computes them (float32 cosines of the unit rows; read asynchronously: webgpu in Node has no sync read). */
async function pairsOf(x: number[][], y: number[]) {
  const unit = tf.tidy(() => {
    const t = tf.tensor2d(x);
    return tf.div(t, tf.norm(t, 2, 1, true));
  });
  const product = tf.matMul(unit, unit, false, true);
  const s = (await product.array()) as number[][];
  tf.dispose([unit, product]);
  const out: Array<{ s: number; genuine: boolean }> = [];
  for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) out.push({ s: s[i]![j]!, genuine: y[i] === y[j] });
  return out;
}

describe('verificationMetrics', () => {
  it('computes a hand-worked case: AUC with a tie counted half, TAR@FAR and its threshold, EER', async () => {
    // Four rows on a circle: labels 0, 0, 1, 1. Pair cosines: (0,1) genuine 0.8; (2,3) genuine 0.6;
    // (0,2) 0.6 impostor (tied with a genuine pair), (0,3) 0, (1,2) 0, (1,3) -0.6... built below.
    const x = [
      [1, 0],
      [0.8, 0.6],
      [0.6, 0.8],
      [0.6, -0.8],
    ];
    const y = [0, 0, 1, 1];
    const got = await verificationMetrics(x, y, { farTargets: [0.25, 0.5, 1] });
    const want = reference(await pairsOf(x, y), [0.25, 0.5, 1]);
    expect(got.pairs).toEqual({ genuine: 2, impostor: 4 });
    expect(got.auc).toBeCloseTo(want.auc, 6);
    expect(got.eer).toBeCloseTo(want.eer, 6);
    got.tarAtFar.forEach((t, i) => {
      expect(t.far).toBe(want.tarAtFar[i]!.far);
      expect(t.tar).toBeCloseTo(want.tarAtFar[i]!.tar, 9);
      expect(t.threshold).toBeCloseTo(want.tarAtFar[i]!.threshold, 6);
    });
  });

  it('matches the float64 definitions on random sets; metrics in [0, 1], invariant to order and scale', async () => {
    // D ≥ 2: in one dimension every cosine is ±1, and ties would hang on float32 rounding that differs between
    // this reference's normalization and the library's (the fused kernel on cpu and webgpu).
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 30 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 1e6 }),
        async (n, d, classes, seed) => {
          const x = tf.randomNormal([n, d], 0, 1, 'float32', seed).arraySync() as number[][];
          const y = Array.from({ length: n }, (_, i) => i % classes);
          const pairs = await pairsOf(x, y);
          if (pairs.every((p) => p.genuine) || pairs.every((p) => !p.genuine)) return;
          const targets = [0.1, 0.5];
          const got = await verificationMetrics(x, y, { farTargets: targets });
          const want = reference(pairs, targets);
          expect(got.auc).toBeCloseTo(want.auc, 5);
          expect(got.eer).toBeCloseTo(want.eer, 5);
          got.tarAtFar.forEach((t, i) => expect(t.tar).toBeCloseTo(want.tarAtFar[i]!.tar, 5));
          for (const v of [got.auc, got.eer, ...got.tarAtFar.map((t) => t.tar)]) expect(v >= 0 && v <= 1).toBe(true);
          const order = y.map((_, i) => i).reverse();
          const again = await verificationMetrics(
            order.map((i) => x[i]!.map((v) => v * 1e10)),
            order.map((i) => y[i]!),
            { farTargets: targets },
          );
          expect(again.auc).toBeCloseTo(got.auc, 5);
        },
      ),
      { numRuns: 25, seed: 290 },
    );
  });

  it('is perfect for separated classes: AUC 1, EER 0, TAR 1 at every FAR', async () => {
    const x = [
      [1, 0.01],
      [1, -0.01],
      [0.01, 1],
      [-0.01, 1],
      [-1, 0.02],
      [-1, -0.02],
    ];
    const got = await verificationMetrics(x, [0, 0, 1, 1, 2, 2], { farTargets: [1e-4] });
    expect([got.auc, got.eer, got.tarAtFar[0]!.tar]).toEqual([1, 0, 1]);
  });

  it('gives the ROC for plotting, down-sampled with both ends kept, and refuses sets without both kinds of pairs', async () => {
    const x = tf.randomNormal([60, 3], 0, 1, 'float32', 7).arraySync() as number[][];
    const y = x.map((_, i) => i % 3);
    const full = await verificationCurve(x, y, { maxPoints: 100_000 });
    expect(full.far.length).toBe((60 * 59) / 2 + 1); // every pair's distinct score, and (0, 0)
    expect([full.far[0], full.tar[0], full.thresholds[0]]).toEqual([0, 0, Infinity]);
    expect([full.far.at(-1), full.tar.at(-1)]).toEqual([1, 1]);
    const small = await verificationCurve(x, y, { maxPoints: 50 });
    expect(small.far.length).toBe(50);
    expect([small.far[0], small.far.at(-1), small.tar.at(-1)]).toEqual([0, 1, 1]);
    for (let i = 1; i < small.far.length; i++) expect(small.far[i]! >= small.far[i - 1]! && small.tar[i]! >= small.tar[i - 1]!).toBe(true);
    await expect(
      verificationMetrics(
        [
          [1, 0],
          [0, 1],
        ],
        [0, 1],
      ),
    ).rejects.toThrow('verificationMetrics: need a pair of the same label and a pair of different labels, but the 2 rows give 0 and 1.');
    await expect(verificationMetrics([[1, 0]], [0], { farTargets: [0] })).rejects.toThrow(
      'verificationMetrics: farTargets must be an array of rates in (0, 1], but got [0].',
    );
    await expect(verificationCurve([[1, 0]], [0], { maxPoints: 1 })).rejects.toThrow('verificationCurve: maxPoints must be an integer >= 2, but got 1.');
  });
});
