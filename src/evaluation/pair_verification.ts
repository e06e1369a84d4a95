import type * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '../util/seeded_random.js';
import { assertInteger } from '../util/validate.js';
import { dot, toLabels, toRows, unit } from './angular_statistics.js';

/** Options of {@link pairVerification}. */
export interface PairVerificationOptions {
  /**
   * Same-class pairs and different-class pairs to draw, each, spread evenly over the folds; every
   * pair distinct. Default: 3000 (LFW: 3000 + 3000).
   */
  pairs?: number;
  /** Folds of the cross-validation, an integer ≥ 2; no class appears in two folds. Default: 10 (the LFW protocol). */
  folds?: number;
  /** Seed of the fold assignment and the pair draws. Default: 1. */
  seed?: number;
}

/** What {@link pairVerification} measured. */
export interface PairVerificationResult {
  /** Mean accuracy over the held-out folds. */
  accuracy: number;
  /** Standard deviation of the fold accuracies (population: divided by the number of folds). */
  std: number;
  /** Accuracy of each held-out fold. */
  foldAccuracies: number[];
  /** The cosine threshold chosen on the other folds, for each fold. */
  thresholds: number[];
  /** Same-class pairs used (distinct). */
  samePairs: number;
  /** Different-class pairs used (distinct). */
  differentPairs: number;
  /** The classes of each fold, each in exactly one fold. */
  foldClasses: number[][];
}

/** The threshold on sorted scores that maximizes accuracy of "same ⇔ score > threshold". */
function bestThreshold(scores: Array<{ s: number; same: boolean }>): number {
  const sorted = [...scores].sort((a, b) => a.s - b.s);
  // Threshold below everything: all predicted same.
  let correct = sorted.filter((p) => p.same).length;
  let best = correct;
  let threshold = (sorted[0]?.s ?? 0) - 1e-6;
  sorted.forEach((p, i) => {
    correct += p.same ? -1 : 1; // p moves to "different"
    const next = sorted[i + 1]?.s;
    if (correct > best && (next == null || next > p.s)) {
      best = correct;
      threshold = next == null ? p.s + 1e-6 : (p.s + next) / 2;
    }
  });
  return threshold;
}

/** The rows of each class, in the order of their first appearance. */
function classMembers(ys: readonly number[]): Map<number, number[]> {
  const members = new Map<number, number[]>();
  ys.forEach((y, i) => {
    const list = members.get(y);
    if (list == null) members.set(y, [i]);
    else list.push(i);
  });
  return members;
}

/**
 * Assigns whole classes to `folds` folds: the classes with two or more rows first, then the rest,
 * each in a seeded random order, each to the fold with the fewest rows so far (ties: the lowest
 * fold). Rows of one class never fall in two folds.
 */
function foldsOfClasses(members: Map<number, number[]>, folds: number, rand: () => number): number[][] {
  const shuffled = (list: number[]) => {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  };
  const classes = [...members.keys()];
  const order = [...shuffled(classes.filter((c) => members.get(c)!.length >= 2)), ...shuffled(classes.filter((c) => members.get(c)!.length < 2))];
  const out = Array.from({ length: folds }, () => [] as number[]);
  const rows = new Array<number>(folds).fill(0);
  for (const c of order) {
    const f = rows.indexOf(Math.min(...rows));
    out[f]!.push(c);
    rows[f]! += members.get(c)!.length;
  }
  return out;
}

/**
 * `count` distinct pairs drawn uniformly from the pairs that `accepts`, among the unordered pairs
 * of `rows`. Enumerated and shuffled where the pairs accepted are fewer than twice `count`;
 * otherwise drawn and redrawn on a repeat (at most half are taken, so a draw is new with
 * probability ≥ 1/2).
 */
function distinctPairs(
  rows: readonly number[],
  available: number,
  count: number,
  accepts: (a: number, b: number) => boolean,
  draw: () => [number, number],
  rand: () => number,
): Array<[number, number]> {
  if (available < 2 * count) {
    const all: Array<[number, number]> = [];
    for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) if (accepts(rows[i]!, rows[j]!)) all.push([rows[i]!, rows[j]!]);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(rand() * (all.length - i));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    return all.slice(0, count);
  }
  const seen = new Set<string>();
  const out: Array<[number, number]> = [];
  while (out.length < count) {
    const [a, b] = draw();
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([a, b]);
  }
  return out;
}

/**
 * Pair-verification accuracy of embeddings with the LFW protocol: the classes are split into k
 * folds (no class in two folds); in each fold, distinct same-class and different-class pairs are
 * drawn uniformly without replacement; each pair is scored by cosine similarity, and for each fold
 * the threshold that maximizes accuracy on the other k − 1 folds is applied to it.
 *
 * Protocol: G. B. Huang et al., "Labeled Faces in the Wild", 2007 (10 folds of 300 + 300 pairs,
 * identities disjoint across folds). A fold needs two classes, one with two rows: 10 folds need at
 * least 20 classes; for few classes, use fewer folds, or {@link verificationMetrics} (all pairs,
 * no folds).
 *
 * @param embeddings - [N, D] as a tensor or nested array.
 * @param labels - N integer class labels.
 * @param options - see {@link PairVerificationOptions}.
 * @returns mean and standard deviation of the fold accuracies, each fold's threshold and classes.
 * @throws Error for bad options, or a fold that holds fewer distinct pairs than it must draw (the
 *   message gives the counts).
 * @example
 * ```ts
 * const { accuracy, std } = pairVerification(embed.predict(testImages) as tf.Tensor2D, testLabels, { folds: 5, pairs: 1000 });
 * ```
 */
export function pairVerification(
  embeddings: tf.Tensor | number[][],
  labels: tf.Tensor | ArrayLike<number>,
  options: PairVerificationOptions = {},
): PairVerificationResult {
  const owner = 'pairVerification';
  const { pairs = 3000, folds = 10, seed = 1 } = options;
  assertInteger(owner, 'pairs', pairs, 1);
  assertInteger(owner, 'folds', folds, 2);
  if (pairs < folds) throw new Error(`${owner}: pairs (${pairs}) must be at least folds (${folds}).`);
  // Unit rows once, so that each pair's cosine is a dot product (a zero row scores 0).
  const rows = toRows(embeddings, owner).map(unit);
  const ys = toLabels(labels, rows.length, owner);
  const members = classMembers(ys);
  const multi = [...members.values()].filter((m) => m.length >= 2).length;
  if (members.size < 2 * folds || multi < folds) {
    throw new Error(
      `${owner}: ${folds} folds with no class in two need ${2 * folds} classes, ${folds} of them with two or more rows, but the labels hold ${members.size} classes, ${multi} with two or more rows. Use fewer folds, or verificationMetrics (all pairs, no folds).`,
    );
  }
  const rand = seededRandom(seed);
  const foldClasses = foldsOfClasses(members, folds, rand);
  const scored: Array<{ s: number; same: boolean; fold: number }> = [];
  foldClasses.forEach((classes, fold) => {
    // Pairs of this fold: pairs / folds, the first pairs % folds folds one more.
    const count = Math.floor(pairs / folds) + (fold < pairs % folds ? 1 : 0);
    const groups = classes.map((c) => members.get(c)!);
    const foldRows = groups.flat();
    const sizes = groups.map((g) => g.length);
    const sameAvailable = sizes.reduce((a, n) => a + (n * (n - 1)) / 2, 0);
    const allPairs = (foldRows.length * (foldRows.length - 1)) / 2;
    const differentAvailable = allPairs - sameAvailable;
    if (sameAvailable < count || differentAvailable < count) {
      throw new Error(
        `${owner}: fold ${fold + 1} of ${folds} (classes ${classes.join(', ')}; ${foldRows.length} rows) holds ${sameAvailable} distinct same-class and ${differentAvailable} different-class pairs, but must draw ${count} of each for pairs = ${pairs}. Ask for fewer pairs or folds.`,
      );
    }
    // Same-class pair: a class with probability ∝ its pairs, then two of its rows.
    const drawSame = (): [number, number] => {
      let r = rand() * sameAvailable;
      let g = 0;
      while (g < groups.length - 1 && r >= (sizes[g]! * (sizes[g]! - 1)) / 2) {
        r -= (sizes[g]! * (sizes[g]! - 1)) / 2;
        g++;
      }
      const group = groups[g]!;
      const a = Math.floor(rand() * group.length);
      let b = Math.floor(rand() * (group.length - 1));
      if (b >= a) b++;
      return [group[a]!, group[b]!];
    };
    // Different-class pair: two rows of the fold, drawn again until their classes differ.
    const drawDifferent = (): [number, number] => {
      for (;;) {
        const a = foldRows[Math.floor(rand() * foldRows.length)]!;
        const b = foldRows[Math.floor(rand() * foldRows.length)]!;
        if (ys[a] !== ys[b]) return [a, b];
      }
    };
    for (const [a, b] of distinctPairs(foldRows, sameAvailable, count, (a, b) => ys[a] === ys[b], drawSame, rand))
      scored.push({ s: dot(rows[a]!, rows[b]!), same: true, fold });
    for (const [a, b] of distinctPairs(foldRows, differentAvailable, count, (a, b) => ys[a] !== ys[b], drawDifferent, rand))
      scored.push({ s: dot(rows[a]!, rows[b]!), same: false, fold });
  });
  const foldAccuracies: number[] = [];
  const thresholds: number[] = [];
  for (let f = 0; f < folds; f++) {
    const threshold = bestThreshold(scored.filter((p) => p.fold !== f));
    const held = scored.filter((p) => p.fold === f);
    foldAccuracies.push(held.filter((p) => p.s > threshold === p.same).length / held.length);
    thresholds.push(threshold);
  }
  const accuracy = foldAccuracies.reduce((a, b) => a + b, 0) / folds;
  const std = Math.sqrt(foldAccuracies.reduce((a, v) => a + (v - accuracy) ** 2, 0) / folds);
  const samePairs = scored.filter((p) => p.same).length;
  return { accuracy, std, foldAccuracies, thresholds, samePairs, differentPairs: scored.length - samePairs, foldClasses };
}
