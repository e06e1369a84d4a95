import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../ops/l2_norm.js';
import { describe } from '../util/validate.js';

/**
 * Embeddings [N, D] (a tensor or an array of rows, untrusted) as unit rows on the active backend,
 * so that a matrix product gives cosines. A zero row stays zero (its cosines are 0).
 * @internal
 */
export function unitRows(owner: string, name: string, embeddings: tf.Tensor | number[][]): tf.Tensor2D {
  if (embeddings instanceof tf.Tensor) {
    if (embeddings.rank !== 2 || embeddings.shape[1] === 0)
      throw new Error(`${owner}: ${name} must be a tensor [count, dim], but got shape [${embeddings.shape.join(', ')}].`);
    return tf.tidy(() => l2Normalize(tf.cast(embeddings, 'float32'), 1)) as tf.Tensor2D;
  }
  if (!Array.isArray(embeddings)) throw new Error(`${owner}: ${name} must be a tensor [count, dim] or an array of rows, but got ${describe(embeddings)}.`);
  const dim = Array.isArray(embeddings[0]) ? embeddings[0].length : 0;
  embeddings.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== dim || dim === 0)
      throw new Error(`${owner}: every row of ${name} must be an array of ${dim || 'one or more'} numbers, but row ${i} is ${describe(row)}.`);
    const bad = row.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${owner}: ${name} must be finite numbers, but row ${i} holds ${describe(row[bad])} at column ${bad}.`);
  });
  return tf.tidy(() => l2Normalize(tf.tensor2d(embeddings.length === 0 ? [] : embeddings, [embeddings.length, Math.max(dim, 1)]), 1)) as tf.Tensor2D;
}

/** Labels (a tensor or an array of integers, untrusted) as an Int32Array of `count` values, read asynchronously. @internal */
export async function labelValues(owner: string, name: string, labels: tf.Tensor | ArrayLike<number>, count: number): Promise<Int32Array> {
  let values: ArrayLike<number>;
  if (labels instanceof tf.Tensor) values = await labels.data();
  else if (labels != null && typeof labels === 'object' && typeof labels.length === 'number') values = labels;
  else throw new Error(`${owner}: ${name} must be a tensor or an array of integers, but got ${describe(labels)}.`);
  if (values.length !== count) throw new Error(`${owner}: got ${values.length} ${name} for ${count} embeddings.`);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31)
      throw new Error(`${owner}: ${name} must be int32 integers, but the label at index ${i} is ${describe(v)}.`);
    out[i] = v;
  }
  return out;
}

/**
 * Scores unit queries [Q, D] against unit references [M, D] (cosines) chunk by chunk of query rows,
 * each chunk at most 2^24 scores (64 MiB of float32), so that no function of the evaluation
 * allocates a Q × M matrix. The references are transposed once ([D, M]: products without a
 * transposed operand, many times faster on wasm). `reduce` turns a chunk's scores [rows, M] into
 * the tensors to read (inside a tidy); `visit` gets the chunk's first row, its row count and the
 * values read, in order.
 * @internal
 */
export async function forEachScoreChunk(
  queries: tf.Tensor2D,
  references: tf.Tensor2D,
  reduce: (scores: tf.Tensor2D) => tf.Tensor[],
  visit: (start: number, rows: number, values: Array<tf.TypedArray>) => void,
): Promise<void> {
  const [q, dim] = queries.shape;
  const m = references.shape[0];
  const step = Math.max(1, Math.floor(2 ** 24 / Math.max(1, m)));
  const transposed = tf.transpose(references) as tf.Tensor2D;
  try {
    for (let start = 0; start < q; start += step) {
      const rows = Math.min(step, q - start);
      const outputs = tf.tidy(() => reduce(tf.matMul(tf.slice(queries, [start, 0], [rows, dim]), transposed)));
      const values = await Promise.all(outputs.map((t) => t.data()));
      tf.dispose(outputs);
      visit(start, rows, values);
    }
  } finally {
    transposed.dispose();
  }
}
