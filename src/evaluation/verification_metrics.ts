import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, describe } from '../util/validate.js';
import { forEachScoreChunk, labelValues, unitRows } from './unit_rows.js';

/** One target false-accept rate of {@link verificationMetrics} and what the ROC gives there. */
export interface TarAtFar {
  /** The target false-accept rate, as given. */
  far: number;
  /** The largest true-accept rate over the ROC points whose false-accept rate is ≤ `far`. */
  tar: number;
  /** That point's threshold: pairs scoring ≥ it are accepted (+Infinity where no point but (0, 0) qualifies). */
  threshold: number;
}

/** What {@link verificationMetrics} returns. */
export interface VerificationMetrics {
  /** The area under the ROC (pairs of equal score counted half, as scikit-learn's `roc_auc_score`). */
  auc: number;
  /** The equal error rate, where FAR = 1 − TAR, interpolated between the two ROC points around it. */
  eer: number;
  /** One entry per target of `farTargets`, in its order. */
  tarAtFar: TarAtFar[];
  /** The pairs scored. */
  pairs: {
    /** Same-label pairs. */
    genuine: number;
    /** Different-label pairs. */
    impostor: number;
  };
}

/** Points of the ROC for plotting: false-accept rate, true-accept rate and threshold, from (0, 0) to (1, 1). */
export interface VerificationCurve {
  /** The false-accept rate of each point, ascending. */
  far: number[];
  /** The true-accept rate of each point, ascending. */
  tar: number[];
  /** The threshold of each point, descending (the first +Infinity). */
  thresholds: number[];
}

/** Options of {@link verificationMetrics} and {@link verificationCurve}. */
export interface VerificationOptions {
  /** The false-accept rates of `tarAtFar`, each in (0, 1]. Default: [1e-1, 1e-2, 1e-3, 1e-4]. */
  farTargets?: number[];
  /** {@link verificationCurve}: the most points returned, ≥ 2. Default: 1000. */
  maxPoints?: number;
}

/** The cosine of every unordered pair i < j, split by whether the labels agree, each sorted in descending order. */
async function pairScores(
  owner: string,
  embeddings: tf.Tensor | number[][],
  labels: tf.Tensor | ArrayLike<number>,
): Promise<{ genuine: Float32Array; impostor: Float32Array }> {
  const rows = unitRows(owner, 'embeddings', embeddings);
  try {
    const n = rows.shape[0];
    const ys = await labelValues(owner, 'labels', labels, n);
    const perLabel = new Map<number, number>();
    for (const y of ys) perLabel.set(y, (perLabel.get(y) ?? 0) + 1);
    let genuineCount = 0;
    for (const c of perLabel.values()) genuineCount += (c * (c - 1)) / 2;
    const impostorCount = (n * (n - 1)) / 2 - genuineCount;
    if (genuineCount === 0 || impostorCount === 0) {
      throw new Error(`${owner}: need a pair of the same label and a pair of different labels, but the ${n} rows give ${genuineCount} and ${impostorCount}.`);
    }
    const genuine = new Float32Array(genuineCount);
    const impostor = new Float32Array(impostorCount);
    let [g, p] = [0, 0];
    await forEachScoreChunk(
      rows,
      rows,
      (scores) => [scores],
      (start, count, [scores]) => {
        for (let r = 0; r < count; r++) {
          const i = start + r;
          for (let j = i + 1; j < n; j++) {
            if (ys[i] === ys[j]) genuine[g++] = scores![r * n + j]!;
            else impostor[p++] = scores![r * n + j]!;
          }
        }
      },
    );
    // Descending: sort ascending, then reverse in place.
    return { genuine: genuine.sort().reverse(), impostor: impostor.sort().reverse() };
  } finally {
    rows.dispose();
  }
}

/**
 * Walks the exact ROC from the highest threshold down: one point per distinct score (scikit-learn's
 * `roc_curve` without dropping collinear points), after the point (0, 0) at +Infinity.
 */
function walkRoc(genuine: Float32Array, impostor: Float32Array, visit: (far: number, tar: number, threshold: number) => void): void {
  const [G, I] = [genuine.length, impostor.length];
  visit(0, 0, Number.POSITIVE_INFINITY);
  let [tp, fp] = [0, 0];
  while (tp < G || fp < I) {
    const t = Math.max(tp < G ? genuine[tp]! : -Infinity, fp < I ? impostor[fp]! : -Infinity);
    while (tp < G && genuine[tp] === t) tp++;
    while (fp < I && impostor[fp] === t) fp++;
    visit(fp / I, tp / G, t);
  }
}

function farTargetsOf(owner: string, options: VerificationOptions): number[] {
  const targets = options.farTargets ?? [1e-1, 1e-2, 1e-3, 1e-4];
  if (!Array.isArray(targets) || !targets.every((f) => typeof f === 'number' && f > 0 && f <= 1)) {
    throw new Error(`${owner}: farTargets must be an array of rates in (0, 1], but got ${describe(targets)}.`);
  }
  return targets;
}

/**
 * Face-verification metrics over ALL unordered pairs of embeddings, compared by cosine similarity:
 * a pair is accepted when its score is ≥ a threshold; genuine pairs share a label, impostor pairs
 * do not; FAR = accepted impostors / impostors, TAR = accepted genuine / genuine. From the exact ROC
 * (every distinct score a threshold, scikit-learn's `roc_curve`):
 *
 * - `auc`: the exact area, ties counted half (`roc_auc_score`);
 * - `tarAtFar`: per target rate, the largest TAR among ROC points with FAR ≤ it, and that point's
 *   threshold — the IJB protocol of face recognition, which reports TAR at FAR = 1e-4 and 1e-5;
 * - `eer`: for consecutive ROC points P0 (FAR < FRR) and P1 (FAR ≥ FRR), FRR = 1 − TAR and
 *   (a, b) = (FAR, FRR): a0 + t·(a1 − a0), t = (b0 − a0) / ((a1 − a0) − (b1 − b0)).
 *
 * Scores come from the active backend in chunks (no N × N matrix); the N(N − 1)/2 pair scores are
 * kept as float32 on the host (N = 10,000: 200 MB) and sorted.
 *
 * @param embeddings - [N, D], a tensor or an array of rows.
 * @param labels - N int32 labels.
 * @param options - `farTargets` (default [1e-1, 1e-2, 1e-3, 1e-4]).
 * @returns auc, eer, tarAtFar and the pair counts.
 * @throws Error for bad input, or without both a genuine and an impostor pair.
 * @example
 * ```ts
 * const { tarAtFar, eer } = await verificationMetrics(embeddings, labels, { farTargets: [1e-3] });
 * const threshold = tarAtFar[0].threshold; // for an EmbeddingIndex's match, say
 * ```
 */
export async function verificationMetrics(
  embeddings: tf.Tensor | number[][],
  labels: tf.Tensor | ArrayLike<number>,
  options: VerificationOptions = {},
): Promise<VerificationMetrics> {
  const owner = 'verificationMetrics';
  assertOptions(owner, options, '{ farTargets: [1e-3] }');
  const targets = farTargetsOf(owner, options);
  const { genuine, impostor } = await pairScores(owner, embeddings, labels);
  let auc = 0;
  let eer = Number.NaN;
  const best = targets.map(() => ({ tar: 0, threshold: Number.POSITIVE_INFINITY }));
  let previous = { far: 0, tar: 0 };
  walkRoc(genuine, impostor, (far, tar, threshold) => {
    auc += ((far - previous.far) * (tar + previous.tar)) / 2;
    targets.forEach((target, i) => {
      if (far <= target) best[i] = { tar, threshold };
    });
    const [a0, b0, a1, b1] = [previous.far, 1 - previous.tar, far, 1 - tar];
    if (Number.isNaN(eer) && a1 >= b1 && a0 < b0) {
      const t = (b0 - a0) / (a1 - a0 - (b1 - b0));
      eer = a0 + t * (a1 - a0);
    }
    previous = { far, tar };
  });
  return { auc, eer, tarAtFar: targets.map((far, i) => ({ far, ...best[i]! })), pairs: { genuine: genuine.length, impostor: impostor.length } };
}

/**
 * The ROC of {@link verificationMetrics} for plotting: its points from (0, 0) at threshold
 * +Infinity to (1, 1), down-sampled evenly by position to at most `maxPoints` (default 1000),
 * keeping both ends.
 *
 * @example
 * ```ts
 * const { far, tar } = await verificationCurve(embeddings, labels);
 * ```
 */
export async function verificationCurve(
  embeddings: tf.Tensor | number[][],
  labels: tf.Tensor | ArrayLike<number>,
  options: VerificationOptions = {},
): Promise<VerificationCurve> {
  const owner = 'verificationCurve';
  assertOptions(owner, options, '{ maxPoints: 1000 }');
  const maxPoints = options.maxPoints ?? 1000;
  if (!Number.isSafeInteger(maxPoints) || maxPoints < 2) throw new Error(`${owner}: maxPoints must be an integer >= 2, but got ${describe(maxPoints)}.`);
  const { genuine, impostor } = await pairScores(owner, embeddings, labels);
  let total = 0;
  walkRoc(genuine, impostor, () => total++);
  const curve: VerificationCurve = { far: [], tar: [], thresholds: [] };
  // Keep point k where its position crosses the next of maxPoints evenly spaced marks (both ends included).
  let index = 0;
  let next = 0;
  walkRoc(genuine, impostor, (far, tar, threshold) => {
    if (index >= next || index === total - 1) {
      curve.far.push(far);
      curve.tar.push(tar);
      curve.thresholds.push(threshold);
      next = Math.round((curve.far.length * (total - 1)) / (maxPoints - 1));
    }
    index++;
  });
  return curve;
}
