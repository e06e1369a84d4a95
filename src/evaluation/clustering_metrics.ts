import * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '../util/seeded_random.js';
import { assertOptions, describe } from '../util/validate.js';
import { labelValues, unitRows } from './unit_rows.js';

/** Options of {@link clusteringMetrics}. */
export interface ClusteringOptions {
  /** The number of clusters k, an integer ≥ 1. Default: the number of distinct labels. */
  clusters?: number;
  /** The seed of k-means++'s choices. Default: 1. */
  seed?: number;
  /** The most Lloyd iterations. Default: 300 (scikit-learn's). */
  maxIterations?: number;
}

/** What {@link clusteringMetrics} returns. */
export interface ClusteringMetrics {
  /** Normalized mutual information of labels and clusters (arithmetic-mean normalization). */
  nmi: number;
  /** Adjusted mutual information (arithmetic mean), as scikit-learn's `adjusted_mutual_info_score`. */
  ami: number;
  /** Each row's cluster, in [0, k). */
  assignments: number[];
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The contingency table of two labelings (rows: values of `a`, columns: values of `b`) and its sums. */
function contingency(a: ArrayLike<number>, b: ArrayLike<number>): { table: number[][]; rows: number[]; columns: number[]; n: number } {
  const index = (values: ArrayLike<number>) => {
    const map = new Map<number, number>();
    for (let i = 0; i < values.length; i++) if (!map.has(values[i]!)) map.set(values[i]!, map.size);
    return map;
  };
  const [ia, ib] = [index(a), index(b)];
  const table = Array.from({ length: ia.size }, () => new Array<number>(ib.size).fill(0));
  for (let i = 0; i < a.length; i++) table[ia.get(a[i]!)!]![ib.get(b[i]!)!]!++;
  return {
    table,
    rows: table.map((r) => r.reduce((s, v) => s + v, 0)),
    columns: Array.from({ length: ib.size }, (_, j) => table.reduce((s, r) => s + r[j]!, 0)),
    n: a.length,
  };
}

/** Entropy (natural log) of a labeling with these class sizes. */
function entropy(sizes: number[], n: number): number {
  return -sizes.reduce((s, c) => (c > 0 ? s + (c / n) * Math.log(c / n) : s), 0);
}

/**
 * The expected mutual information of two random labelings with the given class sizes (the
 * hypergeometric model of Vinh, Epps and Bailey, JMLR 2010):
 * E[MI] = Σ_ij Σ_nij (nij/N)·ln(N·nij / (a_i·b_j))·P(nij), P hypergeometric, nij from
 * max(1, a_i + b_j − N) to min(a_i, b_j).
 */
function expectedMutualInformation(rows: number[], columns: number[], n: number): number {
  if (rows.length === 1 || columns.length === 1) return 0;
  const lnN = Math.log(n);
  const lgN = logGamma(n + 1);
  let emi = 0;
  for (const a of rows) {
    for (const b of columns) {
      const fixed = logGamma(a + 1) + logGamma(b + 1) + logGamma(n - a + 1) + logGamma(n - b + 1) - lgN;
      for (let nij = Math.max(1, a + b - n); nij <= Math.min(a, b); nij++) {
        const logP = fixed - logGamma(nij + 1) - logGamma(a - nij + 1) - logGamma(b - nij + 1) - logGamma(n - a - b + nij + 1);
        emi += (nij / n) * (lnN + Math.log(nij) - Math.log(a) - Math.log(b)) * Math.exp(logP);
      }
    }
  }
  return emi;
}

/**
 * NMI and AMI of two labelings, as scikit-learn's `normalized_mutual_info_score` and
 * `adjusted_mutual_info_score` with `average_method='arithmetic'`: 1 where both have one class.
 * @internal
 */
export function mutualInformationScores(a: ArrayLike<number>, b: ArrayLike<number>): { nmi: number; ami: number } {
  const { table, rows, columns, n } = contingency(a, b);
  if ((rows.length === 1 && columns.length === 1) || n === 0) return { nmi: 1, ami: 1 };
  let mi = 0;
  table.forEach((row, i) =>
    row.forEach((c, j) => {
      if (c > 0) mi += (c / n) * (Math.log(c * n) - Math.log(rows[i]! * columns[j]!));
    }),
  );
  mi = Math.max(mi, 0);
  const mean = (entropy(rows, n) + entropy(columns, n)) / 2;
  const eps = Number.EPSILON;
  const emi = expectedMutualInformation(rows, columns, n);
  let denominator = mean - emi;
  denominator = denominator < 0 ? Math.min(denominator, -eps) : Math.max(denominator, eps);
  return { nmi: mi / Math.max(mean, eps), ami: (mi - emi) / denominator };
}

/** k-means++ seeding and Lloyd iterations on unit rows (float64 on the host). */
function kMeans(points: Float32Array, n: number, dim: number, k: number, seed: number, maxIterations: number): number[] {
  const rand = seededRandom(seed);
  const centres = new Float64Array(k * dim);
  const distance = (i: number, c: number) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += (points[i * dim + d]! - centres[c * dim + d]!) ** 2;
    return s;
  };
  const first = Math.floor(rand() * n);
  for (let d = 0; d < dim; d++) centres[d] = points[first * dim + d]!;
  const nearest = Array.from({ length: n }, (_, i) => distance(i, 0));
  for (let c = 1; c < k; c++) {
    // The next centre with probability proportional to the squared distance to the nearest one.
    const total = nearest.reduce((s, v) => s + v, 0);
    let pick = n - 1;
    if (total > 0) {
      let r = rand() * total;
      for (let i = 0; i < n; i++)
        if ((r -= nearest[i]!) < 0) {
          pick = i;
          break;
        }
    } else pick = Math.floor(rand() * n);
    for (let d = 0; d < dim; d++) centres[c * dim + d] = points[pick * dim + d]!;
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i]!, distance(i, c));
  }
  const assignments = new Array<number>(n).fill(-1);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        const dist = distance(i, c);
        if (dist < bestDistance) [best, bestDistance] = [c, dist];
      }
      if (assignments[i] !== best) [assignments[i], changed] = [best, true];
    }
    if (!changed) break;
    const sums = new Float64Array(k * dim);
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      counts[assignments[i]!]!++;
      for (let d = 0; d < dim; d++) sums[assignments[i]! * dim + d]! += points[i * dim + d]!;
    }
    // An emptied cluster keeps its centre.
    for (let c = 0; c < k; c++) if (counts[c]! > 0) for (let d = 0; d < dim; d++) centres[c * dim + d] = sums[c * dim + d]! / counts[c]!;
  }
  return assignments;
}

/**
 * Clustering quality of embeddings: k-means (k-means++ seeding with `seed`, then Lloyd's
 * iterations) on the L2-normalized rows, then the normalized and the adjusted mutual information
 * of the labels and the assignments, exactly as scikit-learn's `normalized_mutual_info_score` and
 * `adjusted_mutual_info_score` (arithmetic mean) compute them. The metrics of deep metric learning's
 * clustering evaluation (NMI) and of pytorch-metric-learning's `AccuracyCalculator` (NMI, AMI).
 *
 * @param embeddings - [N, D], a tensor or an array of rows.
 * @param labels - N int32 labels.
 * @param options - `clusters` (default: the number of distinct labels), `seed` (default 1), `maxIterations` (300).
 * @returns nmi and ami (1 for a perfect clustering; AMI near 0 for a random one) and the assignments.
 * @example
 * ```ts
 * const { nmi, ami } = await clusteringMetrics(embeddings, labels, { seed: 1 });
 * ```
 */
export async function clusteringMetrics(
  embeddings: tf.Tensor | number[][],
  labels: tf.Tensor | ArrayLike<number>,
  options: ClusteringOptions = {},
): Promise<ClusteringMetrics> {
  const owner = 'clusteringMetrics';
  assertOptions(owner, options, '{ clusters: 10, seed: 1 }');
  const unit = unitRows(owner, 'embeddings', embeddings);
  let values: Float32Array;
  try {
    values = (await unit.data()) as Float32Array;
  } finally {
    unit.dispose();
  }
  const [n, dim] = unit.shape;
  const ys = await labelValues(owner, 'labels', labels, n);
  const k = options.clusters ?? new Set(ys).size;
  if (!Number.isSafeInteger(k) || k < 1 || k > Math.max(1, n))
    throw new Error(`${owner}: clusters must be an integer from 1 to the ${n} rows, but got ${describe(k)}.`);
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new Error(`${owner}: seed must be an integer, but got ${describe(seed)}.`);
  const maxIterations = options.maxIterations ?? 300;
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 1)
    throw new Error(`${owner}: maxIterations must be an integer >= 1, but got ${describe(maxIterations)}.`);
  if (n === 0) throw new Error(`${owner}: no embeddings to cluster.`);
  const assignments = kMeans(values, n, dim, k, seed, maxIterations);
  return { ...mutualInformationScores(ys, assignments), assignments };
}
