import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairVerification } from '../../src/evaluation/pair_verification.js';
import { seededRandom } from '../../src/util/seeded_random.js';

function clusters(classes: number, perClass: number, spread: number, seed: number): { emb: number[][]; labels: number[] } {
  const rand = seededRandom(seed);
  const emb: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    const angle = (2 * Math.PI * c) / classes;
    for (let i = 0; i < perClass; i++) {
      const a = angle + spread * (2 * rand() - 1);
      emb.push([Math.cos(a), Math.sin(a)]);
      labels.push(c);
    }
  }
  return { emb, labels };
}

describe('pairVerification', () => {
  it('is perfect for well-separated classes and near chance for random embeddings', () => {
    // Six classes along six orthogonal axes, each sample tilted a little: every different-class
    // pair scores below 0.2, every same-class pair above 0.9, in every fold.
    const tilt = seededRandom(1);
    const tight = { labels: Array.from({ length: 240 }, (_, i) => i % 6), emb: [] as number[][] };
    tight.emb = tight.labels.map((y) => Array.from({ length: 6 }, (_, d) => (d === y ? 1 : 0) + 0.1 * (2 * tilt() - 1)));
    const good = pairVerification(tight.emb, tight.labels, { pairs: 600, folds: 3 });
    expect(good.accuracy).toBe(1);
    expect(good.foldAccuracies.length).toBe(3);
    expect(good.thresholds.every((t) => t > 0.2 && t < 0.9)).toBe(true);
    const rand = seededRandom(3);
    const noise = tight.labels.map(() => [2 * rand() - 1, 2 * rand() - 1, 2 * rand() - 1]);
    const chance = pairVerification(noise, tight.labels, { pairs: 600, folds: 3 });
    expect(chance.accuracy).toBeGreaterThan(0.4);
    expect(chance.accuracy).toBeLessThan(0.62);
  });

  it('is at chance on random embeddings of 10 classes of 5: distinct pairs, no class in two folds', () => {
    // Drawn with replacement and folds sharing classes, the defaults (3000 + 3000 pairs, 10 folds)
    // scored the same 100 same-class pairs about 30 times each, in the folds that chose the
    // threshold too: 0.529 on such sets. Now the defaults are refused there, and the most pairs
    // 5 class-disjoint folds hold (100 + 100) are at chance: mean over 100 random sets.
    const rand = seededRandom(499);
    const labels = Array.from({ length: 50 }, (_, i) => i % 10);
    expect(() =>
      pairVerification(
        labels.map(() => [rand(), rand()]),
        labels,
      ),
    ).toThrow(/10 folds with no class in two need 20 classes/);
    expect(() =>
      pairVerification(
        labels.map(() => [rand(), rand()]),
        labels,
        { folds: 5, pairs: 101 },
      ),
    ).toThrow(/holds 20 distinct same-class and 25 different-class pairs, but must draw 21 of each/);
    let sum = 0;
    for (let k = 0; k < 100; k++) {
      const rand = seededRandom(500 + k);
      const noise = labels.map(() => Array.from({ length: 16 }, () => 2 * rand() - 1));
      sum += pairVerification(noise, labels, { pairs: 100, folds: 5, seed: k }).accuracy;
    }
    expect(Math.abs(sum / 100 - 0.5)).toBeLessThan(0.02);
  });

  it('splits the classes into folds, each class in one fold, the folds balanced by rows', () => {
    const labels = [...Array.from({ length: 30 }, (_, i) => i % 6), 6, 7, 8, 9]; // 6 classes of 5, 4 of 1
    const emb = labels.map((_, i) => [Math.cos(i), Math.sin(i)]);
    const r = pairVerification(emb, labels, { pairs: 20, folds: 2, seed: 3 });
    expect(r.foldClasses.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const rowsOf = (fold: number[]) => fold.reduce((a, c) => a + (c < 6 ? 5 : 1), 0);
    expect(r.foldClasses.map(rowsOf)).toEqual([17, 17]);
    expect(r.foldClasses.map((f) => f.filter((c) => c < 6).length)).toEqual([3, 3]);
    expect([r.samePairs, r.differentPairs]).toEqual([20, 20]);
    // Another seed, another split (classes of equal size are shuffled).
    expect(pairVerification(emb, labels, { pairs: 20, folds: 2, seed: 4 }).foldClasses).not.toEqual(r.foldClasses);
  });

  it('draws every distinct pair of a fold when asked for as many as it holds, and refuses one more', () => {
    // 4 classes of 3 rows in 2 folds: each fold holds 2 classes, 6 same-class and 9 different-class pairs.
    const labels = Array.from({ length: 12 }, (_, i) => i % 4);
    const emb = labels.map((y) => [0, 1, 2, 3].map((d) => (d === y ? 1 : 0)));
    const all = pairVerification(emb, labels, { pairs: 12, folds: 2 });
    expect([all.samePairs, all.differentPairs, all.accuracy]).toEqual([12, 12, 1]);
    expect(() => pairVerification(emb, labels, { pairs: 13, folds: 2 })).toThrow(
      /^pairVerification: fold 1 of 2 \(classes \d, \d; 6 rows\) holds 6 distinct same-class and 9 different-class pairs, but must draw 7 of each for pairs = 13\. Ask for fewer pairs or folds\.$/,
    );
  });
  it('draws the rows of its pairs uniformly, and exactly as many pairs as asked', () => {
    // Row 0 is a class-0 sample lying among the other classes: every pair with it is misjudged.
    // Drawn uniformly, a small share of the pairs contain it; a sampler that kept returning row 0
    // would put it in most different-class pairs and pull the accuracy towards 0.5.
    const labels = Array.from({ length: 160 }, (_, i) => i % 4);
    const emb = labels.map((y, i) => (i === 0 ? [-1, 0] : y % 2 === 0 ? [1, 0] : [-1, 0]));
    const result = pairVerification(
      emb,
      labels.map((y) => y),
      { pairs: 600, folds: 2, seed: 2 },
    );
    expect([result.samePairs, result.differentPairs]).toEqual([600, 600]);
    const small = pairVerification(emb, labels, { pairs: 7, folds: 2 });
    expect([small.samePairs, small.differentPairs]).toEqual([7, 7]);
  });

  it('keeps "all pairs same" with a threshold just below the lowest score when no split does better', () => {
    // Identical embeddings: every pair scores 1, no threshold separates anything, accuracy 0.5.
    const result = pairVerification(
      Array.from({ length: 12 }, () => [0.6, 0.8]),
      Array.from({ length: 12 }, (_, i) => i % 4),
      { pairs: 12, folds: 2 },
    );
    expect(result.accuracy).toBe(0.5);
    for (const t of result.thresholds) expect(t).toBeCloseTo(1 - 1e-6, 9);
  });

  it('never puts a threshold inside a group of equal scores', () => {
    // Two directions u and v (cos 0.6) shared by both classes: every pair scores 1 or 0.6, same
    // and different pairs at both. A threshold must lie below, between or above those two values
    // (0.6 − 1e-6, 0.8, 1 + 1e-6); one at a score itself would have counted the tied pairs on
    // both sides when it was chosen.
    const u = [1, 0];
    const v = [0.6, 0.8];
    const emb = [u, u, u, v, v, v, u, v, v];
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 1];
    const r = pairVerification([...emb, ...emb.map(([x, y]) => [x!, y!])], [...labels, ...labels.map((y) => y + 2)], { pairs: 24, folds: 2, seed: 4 });
    for (const t of r.thresholds) expect([0.6 - 1e-6, 0.8, 1 + 1e-6].some((allowed) => Math.abs(t - allowed) < 1e-9)).toBe(true);
  });

  it('chooses each threshold on the other folds, never on the fold it scores', () => {
    // Random embeddings and folds of one same and one different pair: a threshold chosen on the
    // held-out fold itself separates its two pairs whenever the same pair scores higher (half the
    // time), which would give about 0.75; chosen on the other folds, accuracy is chance (0.526
    // for these seeded inputs, the standard error of 1,200 pairs being 0.014).
    const rand = seededRandom(7);
    const labels = Array.from({ length: 2400 }, (_, i) => i % 1200);
    const noise = labels.map(() => [2 * rand() - 1, 2 * rand() - 1, 2 * rand() - 1]);
    const r = pairVerification(noise, labels, { pairs: 600, folds: 600 });
    expect(r.foldAccuracies).toHaveLength(600);
    expect(r.accuracy).toBeLessThan(0.6);
  });

  it('orders overlapping clusters sensibly and is reproducible for a seed', () => {
    const loose = clusters(6, 40, 0.6, 2);
    const a = pairVerification(loose.emb, loose.labels, { pairs: 600, folds: 3, seed: 5 });
    expect(a.accuracy).toBeGreaterThan(0.6);
    expect(a.accuracy).toBeLessThan(1);
    expect(pairVerification(loose.emb, loose.labels, { pairs: 600, folds: 3, seed: 5 })).toEqual(a);
  });

  it('reports the mean and the population standard deviation of its fold accuracies', () => {
    const loose = clusters(12, 40, 0.6, 2);
    const r = pairVerification(loose.emb, loose.labels, { pairs: 600, folds: 6, seed: 3 });
    expect(r.foldAccuracies).toHaveLength(6);
    expect(r.thresholds).toHaveLength(6);
    const mean = r.foldAccuracies.reduce((a, b) => a + b, 0) / 6;
    expect(r.accuracy).toBeCloseTo(mean, 12);
    expect(r.std).toBeCloseTo(Math.sqrt(r.foldAccuracies.reduce((a, v) => a + (v - mean) ** 2, 0) / 6), 12);
    expect(new Set(r.foldAccuracies).size).toBeGreaterThan(1); // so that n and n − 1 differ
  });

  it('rejects inputs without pairs to form and bad options', () => {
    // Four embeddings of two classes: two distinct same-class pairs (drawn with replacement, 3000 were reported).
    const four = [
      [1, 0],
      [0.9, 0.1],
      [0, 1],
      [0.1, 0.9],
    ];
    expect(() => pairVerification(four, [0, 0, 1, 1])).toThrow(
      'pairVerification: 10 folds with no class in two need 20 classes, 10 of them with two or more rows, but the labels hold 2 classes, 2 with two or more rows. Use fewer folds, or verificationMetrics (all pairs, no folds).',
    );
    expect(() => pairVerification([...four, ...four], [0, 0, 1, 1, 2, 2, 3, 3], { folds: 2, pairs: 2 })).not.toThrow();
    expect(() =>
      pairVerification(
        [
          [1, 0],
          [0, 1],
          [1, 1],
          [0, 2],
        ],
        [0, 1, 2, 3],
        { folds: 2, pairs: 2 },
      ),
    ).toThrow(/need 4 classes, 2 of them with two or more rows, but the labels hold 4 classes, 0 with two/);
    expect(() => pairVerification([[1, 0]], [0], { folds: 1 })).toThrow('pairVerification: folds must be an integer >= 2, but got 1.');
    expect(() => pairVerification([[1, 0]], [0], { pairs: 0 })).toThrow('pairVerification: pairs must be an integer >= 1, but got 0.');
    expect(() => pairVerification([[1, 0]], [0], { pairs: 5 })).toThrow(/pairs \(5\) must be at least folds \(10\)/);
  });

  it('on any valid set: accuracy in [0, 1], the pairs asked for, the classes partitioned, unchanged by scaling the rows (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (folds, perFold, perClass, seed, scale) => {
          const classes = folds * perFold;
          const rand = seededRandom(seed);
          const labels = Array.from({ length: classes * perClass }, (_, i) => (i * 7919) % classes);
          const emb = labels.map(() => [rand() - 0.5, rand() - 0.5, rand() - 0.5]);
          // The most pairs every fold can give: its classes are balanced, perFold of them of perClass rows.
          const pairs = folds * Math.min((perFold * perClass * (perClass - 1)) / 2, (perFold * (perFold - 1) * perClass * perClass) / 2);
          const r = pairVerification(emb, labels, { pairs, folds, seed });
          expect(r.accuracy).toBeGreaterThanOrEqual(0);
          expect(r.accuracy).toBeLessThanOrEqual(1);
          expect([r.samePairs, r.differentPairs]).toEqual([pairs, pairs]);
          expect(r.foldClasses.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: classes }, (_, c) => c));
          expect(r.foldClasses.every((f) => f.length === perFold)).toBe(true);
          const scaled = pairVerification(
            emb.map((row) => row.map((v) => v * scale)),
            labels,
            { pairs, folds, seed },
          );
          expect(scaled.foldAccuracies).toEqual(r.foldAccuracies);
        },
      ),
      { numRuns: 60, seed: 2902 },
    );
  });
});
