import type * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '../util/seeded_random.js';
import { assertInteger } from '../util/validate.js';
import { dot, toLabels, toRows, unit } from './angular_statistics.js';

/** Options of {@link pairVerification}. */
export interface PairVerificationOptions {
  /** Same-class pairs and different-class pairs to generate, each. Default: 3000 (LFW: 3000 + 3000). */
  pairs?: number;
  /** Folds of the cross-validation, an integer ≥ 2. Default: 10 (the LFW protocol). */
  folds?: number;
  /** Seed of the pair generation and fold assignment. Default: 1. */
  seed?: number;
}

/** What {@link pairVerification} measured. */
export interface PairVerificationResult {
  /** Mean accuracy over the held-out folds. */
  accuracy: number;
  /** Standard deviation of the fold accuracies. */
  std: number;
  /** Accuracy of each held-out fold. */
  foldAccuracies: number[];
  /** The cosine threshold chosen on the other folds, for each fold. */
  thresholds: number[];
  /** Same-class pairs used. */
  samePairs: number;
  /** Different-class pairs used. */
  differentPairs: number;
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

/**
 * Pair-verification accuracy of embeddings with the LFW protocol: generate same-class and
 * different-class pairs, score each by cosine similarity, and for each of k folds choose the
 * threshold that maximizes accuracy on the other k − 1 folds and measure accuracy on the fold.
 *
 * Protocol: G. B. Huang et al., "Labeled Faces in the Wild", 2007 (10 folds of 300 + 300 pairs).
 *
 * @param embeddings - [N, D] as a tensor or nested array.
 * @param labels - N integer class labels.
 * @param options - see {@link PairVerificationOptions}.
 * @returns mean and standard deviation of the fold accuracies, and each fold's threshold.
 * @throws Error for fewer than two classes, a class with a single member only, or bad options.
 * @example
 * ```ts
 * const { accuracy, std } = pairVerification(embed.predict(testImages) as tf.Tensor2D, testLabels);
 * ```
 */
export function pairVerification(embeddings: tf.Tensor | number[][], labels: tf.Tensor | ArrayLike<number>, options: PairVerificationOptions = {}): PairVerificationResult {
  const owner = 'pairVerification';
  const { pairs = 3000, folds = 10, seed = 1 } = options;
  assertInteger(owner, 'pairs', pairs, 1);
  assertInteger(owner, 'folds', folds, 2);
  if (pairs < folds) throw new Error(`${owner}: pairs (${pairs}) must be at least folds (${folds}).`);
  // Unit rows once, so that each pair's cosine is a dot product (a zero row scores 0).
  const rows = toRows(embeddings, owner).map(unit);
  const ys = toLabels(labels, rows.length, owner);
  const members = new Map<number, number[]>();
  ys.forEach((y, i) => members.set(y, [...(members.get(y) ?? []), i]));
  const multi = [...members.values()].filter((m) => m.length >= 2);
  if (members.size < 2) throw new Error(`${owner}: need at least two classes, but got ${members.size}.`);
  if (multi.length === 0) throw new Error(`${owner}: no class has two members, so no same-class pair exists.`);
  const rand = seededRandom(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)]!;
  const scored: Array<{ s: number; same: boolean; fold: number }> = [];
  for (let k = 0; k < pairs; k++) {
    const group = pick(multi);
    const a = pick(group);
    let b = pick(group);
    while (b === a) b = pick(group);
    scored.push({ s: dot(rows[a]!, rows[b]!), same: true, fold: k % folds });
    let c = Math.floor(rand() * rows.length);
    let d = Math.floor(rand() * rows.length);
    while (ys[c] === ys[d]) [c, d] = [Math.floor(rand() * rows.length), Math.floor(rand() * rows.length)];
    scored.push({ s: dot(rows[c]!, rows[d]!), same: false, fold: k % folds });
  }
  const foldAccuracies: number[] = [];
  const thresholds: number[] = [];
  for (let f = 0; f < folds; f++) {
    const threshold = bestThreshold(scored.filter((p) => p.fold !== f));
    const held = scored.filter((p) => p.fold === f);
    foldAccuracies.push(held.filter((p) => (p.s > threshold) === p.same).length / held.length);
    thresholds.push(threshold);
  }
  const accuracy = foldAccuracies.reduce((a, b) => a + b, 0) / folds;
  const std = Math.sqrt(foldAccuracies.reduce((a, v) => a + (v - accuracy) ** 2, 0) / folds);
  // The counts of what was scored, not of what was asked for.
  const samePairs = scored.filter((p) => p.same).length;
  return { accuracy, std, foldAccuracies, thresholds, samePairs, differentPairs: scored.length - samePairs };
}
