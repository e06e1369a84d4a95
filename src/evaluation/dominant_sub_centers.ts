import * as tf from '@tensorflow/tfjs-core';
import type { SubCenterArcFace } from '../layers/sub_center_arc_face.js';
import { readSync } from '../util/read_sync.js';
import { describe } from '../util/validate.js';
import { dot, toLabels, toRows, unit } from './angular_statistics.js';

/** What {@link dominantSubCenters} finds. */
export interface DominantSubCenters {
  /** Per class, the sub-center (0 … K − 1) that most of its samples are closest to; −1 for a class without samples. */
  dominant: number[];
  /** Per sample, the sub-center of its class that it is closest to. */
  subCenterOf: number[];
  /** Per sample, its angle in degrees to its class's dominant sub-center. */
  angleToDominant: number[];
}

/**
 * The dominant sub-center of each class of a trained {@link SubCenterArcFace} head, and each
 * sample's angle to it: the paper's way to find noisy samples (those far from their class's
 * dominant sub-center, e.g. beyond 75°) and drop them before training on.
 *
 * Computed on the host in float64 from the head's kernel and the given embeddings.
 *
 * @param head - a built SubCenterArcFace head.
 * @param embeddings - [N, D] as a tensor or nested array.
 * @param labels - N class labels in [0, C), as a tensor or array.
 * @returns the dominant sub-center per class, and per sample its nearest sub-center and angle to the dominant one.
 * @throws Error for an unbuilt head, or embeddings and labels that do not fit it.
 * @example
 * ```ts
 * const { angleToDominant } = dominantSubCenters(head, embeddings, labels);
 * const clean = angleToDominant.map((a, i) => (a < 75 ? i : -1)).filter((i) => i >= 0);
 * ```
 */
export function dominantSubCenters(head: SubCenterArcFace, embeddings: tf.Tensor | number[][], labels: tf.Tensor | ArrayLike<number>): DominantSubCenters {
  const owner = 'dominantSubCenters';
  const kernel = typeof head?.getWeights === 'function' ? head.getWeights()[0] : undefined;
  if (kernel == null) throw new Error(`${owner}: expected a built SubCenterArcFace head, but got ${describe(head)}.`);
  const [dim, columns] = kernel.shape as [number, number];
  const [classes, k] = [head.units, head.subCenters];
  if (!Number.isInteger(k) || columns !== classes * k) {
    const name = typeof head.getClassName === 'function' ? `a ${head.getClassName()} layer` : describe(head);
    throw new Error(`${owner}: expected a built SubCenterArcFace head (a kernel of K columns per class), but got ${name}.`);
  }
  const values = readSync(owner, 'reading the kernel', kernel, 'call it on the cpu backend');
  // Unit sub-centers: column j·K + s of the kernel [D, C·K].
  const centre = (j: number, s: number) => unit(Array.from({ length: dim }, (_, d) => values[d * columns + j * k + s]!));
  const centres = Array.from({ length: classes }, (_, j) => Array.from({ length: k }, (_, s) => centre(j, s)));
  const rows = toRows(embeddings, owner).map(unit);
  if (rows.length > 0 && rows[0]!.length !== dim)
    throw new Error(`${owner}: embeddings have dimension ${rows[0]!.length}, but the head's kernel expects ${dim}.`);
  const ys = toLabels(labels, rows.length, owner);
  ys.forEach((y, i) => {
    if (y < 0 || y >= classes) throw new Error(`${owner}: labels must be in [0, ${classes}), but the label at index ${i} is ${y}.`);
  });
  const subCenterOf = rows.map((x, i) => {
    const sims = centres[ys[i]!]!.map((c) => dot(x, c));
    return sims.indexOf(Math.max(...sims));
  });
  const dominant = Array.from({ length: classes }, (_, j) => {
    const counts = new Array<number>(k).fill(0);
    subCenterOf.forEach((s, i) => {
      if (ys[i] === j) counts[s]!++;
    });
    return counts.every((n) => n === 0) ? -1 : counts.indexOf(Math.max(...counts));
  });
  const angleToDominant = rows.map((x, i) => {
    const c = centres[ys[i]!]![dominant[ys[i]!]!]!;
    return (Math.acos(Math.min(1, Math.max(-1, dot(x, c)))) * 180) / Math.PI;
  });
  return { dominant, subCenterOf, angleToDominant };
}
