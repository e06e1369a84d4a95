import * as tf from '@tensorflow/tfjs-core';
import { readSync } from '../util/read_sync.js';
import { describe } from '../util/validate.js';

/** Angular statistics of embeddings per class, as computed by {@link angularStatistics}. */
export interface AngularStatistics {
  /** The class labels present, ascending. */
  classes: number[];
  /** Unit direction of each class centre (normalized mean of the normalized embeddings), per class. */
  centres: number[][];
  /** Number of embeddings per class. */
  counts: number[];
  /** Mean angle, in degrees, between an embedding and its class centre, per class. */
  meanIntraClassAngleByClass: number[];
  /** Mean angle, in degrees, between an embedding and its class centre, over all embeddings. */
  meanIntraClassAngle: number;
  /** Largest angle, in degrees, between an embedding and its class centre. */
  maxIntraClassAngle: number;
  /** Smallest angle, in degrees, between two class centres (NaN with fewer than two classes). */
  minInterClassAngle: number;
  /** The two classes whose centres are closest. */
  minInterClassPair: [number, number] | null;
}

const DEG = 180 / Math.PI;

/** Dot product of two vectors of the same length. @internal */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function angleDeg(a: number[], b: number[]): number {
  return Math.acos(Math.min(1, Math.max(-1, dot(a, b)))) * DEG;
}

/** The vector scaled to unit length (zero stays zero). @internal */
export function unit(v: ArrayLike<number>): number[] {
  const n = Math.sqrt(dot(v, v));
  return Array.from(v, (x) => (n > 0 ? x / n : 0));
}

/** Rows of a [N, D] tensor or nested array as float64 arrays. @internal */
export function toRows(embeddings: tf.Tensor | number[][], owner: string): number[][] {
  let rows: number[][];
  if (embeddings instanceof tf.Tensor) {
    if (embeddings.rank !== 2) {
      throw new Error(`${owner}: embeddings must have rank 2 ([count, dim]), but got shape [${embeddings.shape.join(', ')}].`);
    }
    const [count, dim] = embeddings.shape as [number, number];
    const values = readSync(owner, 'reading the embeddings', embeddings, 'pass the embeddings as arrays (await embeddings.array())');
    rows = Array.from({ length: count }, (_, i) => Array.from(values.subarray(i * dim, (i + 1) * dim)));
  } else if (Array.isArray(embeddings)) {
    rows = embeddings;
  } else {
    throw new Error(`${owner}: embeddings must be a tensor [count, dim] or an array of rows, but got ${describe(embeddings)}.`);
  }
  const dim = Array.isArray(rows[0]) ? rows[0].length : 0;
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== dim || dim === 0) {
      throw new Error(`${owner}: every embedding must be an array of ${dim || 'one or more'} numbers, but row ${i} is ${describe(row)}.`);
    }
    const bad = row.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${owner}: embeddings must be finite numbers, but row ${i} holds ${describe(row[bad])} at column ${bad}.`);
  });
  return rows;
}

/** Labels of a tensor or array as integers. @internal */
export function toLabels(labels: tf.Tensor | ArrayLike<number>, count: number, owner: string): number[] {
  if (!(labels instanceof tf.Tensor) && (labels == null || typeof labels !== 'object' || typeof labels.length !== 'number')) {
    throw new Error(`${owner}: labels must be a tensor or an array of integers, but got ${describe(labels)}.`);
  }
  const values =
    labels instanceof tf.Tensor
      ? Array.from(readSync(owner, 'reading the labels', labels, 'pass the labels as an array (await labels.data())'))
      : Array.from(labels);
  if (values.length !== count) throw new Error(`${owner}: got ${values.length} labels for ${count} embeddings.`);
  values.forEach((v, i) => {
    if (!Number.isInteger(v)) throw new Error(`${owner}: labels must be integers, but the label at index ${i} is ${v}.`);
  });
  return values;
}

/**
 * Angular statistics of labelled embeddings — the quantities an angular margin exists to change:
 * how tightly each class gathers around its centre direction, and how far apart the centres are.
 *
 * Each embedding is normalized to unit length; a class centre is the normalized mean of its unit
 * embeddings. Angles are in degrees, computed in float64 on the host.
 *
 * @param embeddings - [N, D] as a tensor or nested array.
 * @param labels - N class labels (integers), as a tensor or array.
 * @returns per-class centres and counts, intra-class angles (mean per class, mean and largest
 *   overall) and the smallest inter-class centre angle with its pair.
 * @throws Error if the counts differ, a label is not an integer, or the rank is not 2.
 * @example
 * ```ts
 * const stats = angularStatistics(embed.predict(testImages) as tf.Tensor2D, testLabels);
 * console.log(stats.meanIntraClassAngle, stats.minInterClassAngle);
 * ```
 */
export function angularStatistics(embeddings: tf.Tensor | number[][], labels: tf.Tensor | ArrayLike<number>): AngularStatistics {
  const rows = toRows(embeddings, 'angularStatistics');
  const ys = toLabels(labels, rows.length, 'angularStatistics');
  const dim = rows[0]?.length ?? 0;
  const units = rows.map(unit);
  const classes = [...new Set(ys)].sort((a, b) => a - b);
  const index = new Map(classes.map((c, i) => [c, i]));
  const sums = classes.map(() => new Array<number>(dim).fill(0));
  const counts = classes.map(() => 0);
  units.forEach((u, i) => {
    const k = index.get(ys[i]!)!;
    counts[k]!++;
    u.forEach((v, d) => (sums[k]![d]! += v));
  });
  const centres = sums.map(unit);
  const angleSums = classes.map(() => 0);
  let total = 0;
  let largest = 0;
  units.forEach((u, i) => {
    const k = index.get(ys[i]!)!;
    const a = angleDeg(u, centres[k]!);
    angleSums[k]! += a;
    total += a;
    largest = Math.max(largest, a);
  });
  let minInter = Number.NaN;
  let pair: [number, number] | null = null;
  for (let a = 0; a < classes.length; a++) {
    for (let b = a + 1; b < classes.length; b++) {
      const angle = angleDeg(centres[a]!, centres[b]!);
      if (!(angle >= minInter)) {
        minInter = angle;
        pair = [classes[a]!, classes[b]!];
      }
    }
  }
  return {
    classes,
    centres,
    counts,
    meanIntraClassAngleByClass: angleSums.map((s, k) => s / counts[k]!),
    meanIntraClassAngle: rows.length > 0 ? total / rows.length : Number.NaN,
    maxIntraClassAngle: largest,
    minInterClassAngle: minInter,
    minInterClassPair: pair,
  };
}
