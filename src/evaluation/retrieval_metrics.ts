import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, describe } from '../util/validate.js';
import { forEachScoreChunk, labelValues, unitRows } from './unit_rows.js';

/** Options of {@link retrievalMetrics}. */
export interface RetrievalMetricsOptions {
  /** The rows searched: [M, D]. Default: unset — each query is searched among the other queries. */
  reference?: tf.Tensor | number[][];
  /** The reference rows' labels (required with `reference`). */
  referenceLabels?: tf.Tensor | ArrayLike<number>;
  /** The k's of Recall@k, integers ≥ 1. Default: [1, 5, 10]. */
  recallAt?: number[];
}

/** What {@link retrievalMetrics} returns: each a mean over the non-lone queries, in [0, 1]. */
export interface RetrievalMetrics {
  /** Precision@1: the nearest reference has the query's label. */
  precisionAt1: number;
  /** R-precision: the same-label share of the first R references, R the references of the query's label. */
  rPrecision: number;
  /** MAP@R: (1/R)·Σ_{i≤R} P(i)·rel(i). */
  mapAtR: number;
  /** Recall@k per requested k: at least one same-label reference among the first k. */
  recallAt: Record<number, number>;
  /** The queries averaged over. */
  queries: number;
  /** Lone queries (no reference of their label), left out. */
  loneQueries: number;
}

/**
 * Retrieval metrics of embeddings compared by cosine similarity, as pytorch-metric-learning's
 * `AccuracyCalculator` defines `precision_at_1`, `r_precision` and `mean_average_precision_at_r`
 * (the metrics of Musgrave et al., "A Metric Learning Reality Check", ECCV 2020), and Recall@k of
 * the deep-metric-learning papers:
 *
 * - Without `reference`, each row is a query ranked against every other row: its own row is
 *   removed by position (a duplicate elsewhere stays), and R = (rows of its label) − 1. With
 *   `reference`, queries are ranked against the reference rows, nothing is removed, and R = the
 *   reference rows of the query's label.
 * - A query with R = 0 is lone (PML's `get_lone_query_labels`): left out of every mean (PML's
 *   `avg_of_avgs = false`) and counted in `loneQueries`; a lone row still serves as a reference.
 * - precisionAt1 = [the first reference has the query's label]; rPrecision = (same-label among
 *   the first R) / R; mapAtR = (1/R)·Σ_{i≤R} P(i)·rel(i), P(i) = (same-label among the first i) / i;
 *   recallAt[k] = [any of the first k has the query's label].
 *
 * Ranking uses the cosine of the L2-normalized rows, computed on the active backend in chunks of at
 * most 2^24 scores (never an N × N matrix), the references transposed once; labels are any int32.
 *
 * @param embeddings - the queries [N, D] (a tensor or an array of rows).
 * @param labels - their N labels.
 * @param options - `reference` and `referenceLabels`, `recallAt` (see {@link RetrievalMetricsOptions}).
 * @returns the means over the non-lone queries, their count and the lone ones' count.
 * @throws Error for bad shapes, labels, options, or when every query is lone.
 * @example
 * ```ts
 * const { precisionAt1, mapAtR, recallAt } = await retrievalMetrics(embed.predict(test) as tf.Tensor2D, testLabels);
 * ```
 */
export async function retrievalMetrics(
  embeddings: tf.Tensor | number[][],
  labels: tf.Tensor | ArrayLike<number>,
  options: RetrievalMetricsOptions = {},
): Promise<RetrievalMetrics> {
  const owner = 'retrievalMetrics';
  assertOptions(owner, options, '{ recallAt: [1, 5, 10] }');
  const recallAt = options.recallAt ?? [1, 5, 10];
  if (!Array.isArray(recallAt) || recallAt.length === 0 || !recallAt.every((k) => Number.isSafeInteger(k) && k >= 1)) {
    throw new Error(`${owner}: recallAt must be a non-empty array of integers >= 1, but got ${describe(recallAt)}.`);
  }
  const sameSource = options.reference === undefined;
  if (sameSource !== (options.referenceLabels === undefined)) throw new Error(`${owner}: give reference and referenceLabels together, or neither.`);
  const queries = unitRows(owner, 'embeddings', embeddings);
  const references = sameSource ? queries : unitRows(owner, 'reference', options.reference!);
  try {
    const [n, dim] = queries.shape;
    const m = references.shape[0];
    if (references.shape[1] !== dim) throw new Error(`${owner}: reference has dimension ${references.shape[1]}, but the embeddings have ${dim}.`);
    const queryLabels = await labelValues(owner, 'labels', labels, n);
    const referenceLabels = sameSource ? queryLabels : await labelValues(owner, 'referenceLabels', options.referenceLabels!, m);
    const perLabel = new Map<number, number>();
    for (const y of referenceLabels) perLabel.set(y, (perLabel.get(y) ?? 0) + 1);
    const rOf = (y: number) => (perLabel.get(y) ?? 0) - (sameSource ? 1 : 0);
    let largestR = 0;
    for (const y of queryLabels) largestR = Math.max(largestR, rOf(y));
    const maxK = Math.max(...recallAt);
    const available = m - (sameSource ? 1 : 0); // references a query is ranked against
    const depth = Math.min(available, Math.max(largestR, maxK)); // ranked references each query needs
    const sums = { p1: 0, rp: 0, map: 0, recall: recallAt.map(() => 0) };
    let counted = 0;
    let lone = 0;
    if (depth > 0) {
      const width = Math.min(m, depth + (sameSource ? 1 : 0));
      await forEachScoreChunk(
        queries,
        references,
        (scores) => [tf.topk(scores, width).indices],
        (start, rows, [order]) => {
          for (let q = 0; q < rows; q++) {
            const y = queryLabels[start + q]!;
            const r = rOf(y);
            if (r <= 0) {
              lone++;
              continue;
            }
            counted++;
            let seen = 0;
            let hits = 0;
            let precisionSum = 0;
            let firstHit = Infinity;
            for (let j = 0; j < width && seen < depth; j++) {
              const index = order![q * width + j]!;
              if (sameSource && index === start + q) continue; // the query itself, by position
              seen++;
              if (referenceLabels[index] === y) {
                if (firstHit === Infinity) firstHit = seen;
                if (seen <= r) {
                  hits++;
                  precisionSum += hits / seen;
                }
              }
            }
            sums.p1 += firstHit === 1 ? 1 : 0;
            sums.rp += hits / r;
            sums.map += precisionSum / r;
            recallAt.forEach((k, i) => (sums.recall[i]! += firstHit <= k ? 1 : 0));
          }
        },
      );
    } else {
      lone = n;
    }
    if (counted === 0) throw new Error(`${owner}: every query is lone (no reference shares its label), so there is nothing to average.`);
    return {
      precisionAt1: sums.p1 / counted,
      rPrecision: sums.rp / counted,
      mapAtR: sums.map / counted,
      recallAt: Object.fromEntries(recallAt.map((k, i) => [k, sums.recall[i]! / counted])),
      queries: counted,
      loneQueries: lone,
    };
  } finally {
    queries.dispose();
    if (!sameSource) references.dispose();
  }
}
