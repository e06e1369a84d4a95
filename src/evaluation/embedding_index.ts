import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, describe } from '../util/validate.js';
import { joinWeightData } from '../util/weight_data.js';
import { forEachScoreChunk, labelValues, unitRows } from './unit_rows.js';

/** What {@link EmbeddingIndex.search} returns, one row per query. */
export interface SearchResult {
  /** 0-based positions of the nearest references, in the order the references were added. */
  indices: number[][];
  /** Their labels. */
  labels: number[][];
  /** Their cosine similarities to the query, descending. */
  scores: number[][];
}

/** The saved form of an index: JSON-safe metadata and the unit references as float32 bytes. */
export interface EmbeddingIndexData {
  /** The embedding dimension. */
  dim: number;
  /** The references' labels. */
  labels: number[];
  /** The unit references, row-major float32 [count, dim]. */
  vectors: Float32Array;
}

/** The `modelTopology` by which a saved index is known (tfjs's model artifacts carry it). */
const SAVED_FORMAT = { format: 'tfjs-angular-margin/embedding-index', version: 1 } as const;

/** An IOHandler, or a URL that tfjs resolves to one (`downloads://…`, `indexeddb://…`, `http://…`). */
export type IndexStore = tf.io.IOHandler | string;

function handlerOf(owner: string, store: IndexStore, kind: 'save' | 'load'): tf.io.IOHandler {
  if (typeof store !== 'string') {
    if (store == null || typeof store[kind] !== 'function')
      throw new Error(`${owner}: expected an IOHandler with ${kind}() or a URL string, but got ${describe(store)}.`);
    return store;
  }
  const handlers = kind === 'save' ? tf.io.getSaveHandlers(store) : tf.io.getLoadHandlers(store);
  if (handlers.length !== 1)
    throw new Error(
      `${owner}: tfjs has ${handlers.length === 0 ? 'no' : handlers.length} ${kind} handlers for "${store}"; pass an IOHandler (in Node: fileSystem(folder) from tfjs-angular-margin/node).`,
    );
  return handlers[0]!;
}

/**
 * An exact nearest-neighbour index over labelled embeddings, by cosine similarity — what a face
 * matcher or a retrieval service deploys after training (pytorch-metric-learning's
 * `InferenceModel`, face-api.js's `FaceMatcher`): add references with their labels, then search
 * the k nearest or match each query to a label when the nearest is close enough.
 *
 * References are kept as unit vectors on the host (float32) and scored on the active backend in
 * chunks of at most 2^24 scores. The threshold for `match` can come from
 * {@link verificationMetrics}' `tarAtFar` on held-out data.
 *
 * @example
 * ```ts
 * const index = new EmbeddingIndex();
 * await index.add(embed.predict(galleryImages) as tf.Tensor2D, galleryIds);
 * const { tarAtFar } = await verificationMetrics(validationEmbeddings, validationIds, { farTargets: [1e-3] });
 * const ids = await index.match(embed.predict(probeImages) as tf.Tensor2D, { threshold: tarAtFar[0].threshold }); // −1: unknown
 * ```
 */
export class EmbeddingIndex {
  private dim = 0;
  private readonly rows: Float32Array[] = [];
  private readonly rowLabels: number[] = [];

  /** The number of references. */
  get size(): number {
    return this.rowLabels.length;
  }

  /**
   * Adds references [N, D] with their N int32 labels, after those added before (their positions
   * continue). Every call must have the dimension of the first.
   */
  async add(embeddings: tf.Tensor | number[][], labels: tf.Tensor | ArrayLike<number>): Promise<void> {
    const owner = 'EmbeddingIndex.add';
    const unit = unitRows(owner, 'embeddings', embeddings);
    try {
      const [n, dim] = unit.shape;
      if (this.dim !== 0 && dim !== this.dim) throw new Error(`${owner}: embeddings have dimension ${dim}, but the index holds dimension ${this.dim}.`);
      const ys = await labelValues(owner, 'labels', labels, n);
      const values = (await unit.data()) as Float32Array;
      this.dim = dim;
      for (let i = 0; i < n; i++) this.rows.push(values.slice(i * dim, (i + 1) * dim));
      this.rowLabels.push(...ys);
    } finally {
      unit.dispose();
    }
  }

  /** The `k` nearest references of each query [Q, D] (k capped at the index's size), by descending cosine. */
  async search(queries: tf.Tensor | number[][], options: { k?: number } = {}): Promise<SearchResult> {
    const owner = 'EmbeddingIndex.search';
    assertOptions(owner, options, '{ k: 5 }');
    const k = options.k ?? 1;
    if (!Number.isSafeInteger(k) || k < 1) throw new Error(`${owner}: k must be an integer >= 1, but got ${describe(k)}.`);
    if (this.size === 0) throw new Error(`${owner}: the index is empty: add references first.`);
    const unit = unitRows(owner, 'queries', queries);
    const result: SearchResult = { indices: [], labels: [], scores: [] };
    try {
      const dim = unit.shape[1];
      if (dim !== this.dim) throw new Error(`${owner}: queries have dimension ${dim}, but the index holds dimension ${this.dim}.`);
      const m = this.size;
      const flat = new Float32Array(m * dim);
      this.rows.forEach((row, i) => flat.set(row, i * dim));
      const references = tf.tensor2d(flat, [m, dim]);
      const width = Math.min(k, m);
      try {
        await forEachScoreChunk(
          unit,
          references,
          (scores) => {
            const top = tf.topk(scores, width);
            return [top.indices, top.values];
          },
          (_start, rows, [indices, scores]) => {
            for (let r = 0; r < rows; r++) {
              const ids = Array.from(indices!.subarray(r * width, (r + 1) * width));
              result.indices.push(ids);
              result.labels.push(ids.map((i) => this.rowLabels[i]!));
              result.scores.push(Array.from(scores!.subarray(r * width, (r + 1) * width)));
            }
          },
        );
      } finally {
        references.dispose();
      }
    } finally {
      unit.dispose();
    }
    return result;
  }

  /** Each query's label: the nearest reference's if its cosine is ≥ `threshold` (inclusive), else −1. */
  async match(queries: tf.Tensor | number[][], options: { threshold: number }): Promise<number[]> {
    const owner = 'EmbeddingIndex.match';
    assertOptions(owner, options, '{ threshold: 0.5 }');
    const { threshold } = options;
    if (typeof threshold !== 'number' || Number.isNaN(threshold))
      throw new Error(`${owner}: threshold must be a number (a cosine), but got ${describe(threshold)}.`);
    const { labels, scores } = await this.search(queries, { k: 1 });
    return labels.map((row, i) => (scores[i]![0]! >= threshold ? row[0]! : -1));
  }

  /** The index as data to store (e.g. JSON for `dim` and `labels`, a binary file for `vectors`). */
  toData(): EmbeddingIndexData {
    const vectors = new Float32Array(this.size * this.dim);
    this.rows.forEach((row, i) => vectors.set(row, i * this.dim));
    return { dim: this.dim, labels: [...this.rowLabels], vectors };
  }

  /**
   * Saves the index as tfjs model artifacts — a small JSON (`modelTopology` names the format) and
   * the float32 unit references and int32 labels as two weight entries — through any tfjs
   * IOHandler: in Node `fileSystem(folder)` from `tfjs-angular-margin/node` (one atomic commit),
   * in a browser `'downloads://name'` or `'indexeddb://name'`.
   *
   * @example
   * ```ts
   * await index.save(fileSystem('gallery'));       // Node: gallery/model.json and its weights
   * const again = await EmbeddingIndex.load(fileSystem('gallery'));
   * ```
   */
  async save(store: IndexStore): Promise<tf.io.SaveResult> {
    const owner = 'EmbeddingIndex.save';
    const handler = handlerOf(owner, store, 'save');
    if (this.size === 0) throw new Error(`${owner}: the index is empty; add references before saving it.`);
    const { dim, labels, vectors } = this.toData();
    const weightData = new ArrayBuffer(vectors.byteLength + 4 * labels.length);
    new Float32Array(weightData, 0, vectors.length).set(vectors);
    new Int32Array(weightData, vectors.byteLength, labels.length).set(labels);
    return handler.save!({
      modelTopology: { ...SAVED_FORMAT, dim, count: labels.length },
      weightSpecs: [
        { name: 'references', shape: [labels.length, dim], dtype: 'float32' },
        { name: 'labels', shape: [labels.length], dtype: 'int32' },
      ],
      weightData,
    });
  }

  /**
   * Loads an index that {@link EmbeddingIndex.save} wrote, from an IOHandler or a URL (checked:
   * the format, the entries' names, shapes and types, the bytes, finite values, int32 labels).
   */
  static async load(store: IndexStore): Promise<EmbeddingIndex> {
    const owner = 'EmbeddingIndex.load';
    const artifacts = await handlerOf(owner, store, 'load').load!();
    const topology = artifacts.modelTopology as Record<string, unknown> | undefined;
    if (topology == null || topology['format'] !== SAVED_FORMAT.format) {
      throw new Error(
        `${owner}: expected a saved EmbeddingIndex (modelTopology.format "${SAVED_FORMAT.format}"), but got ${topology == null ? 'no modelTopology' : `format ${describe(topology['format'])}`}.`,
      );
    }
    if (topology['version'] !== SAVED_FORMAT.version)
      throw new Error(`${owner}: this version reads format version ${SAVED_FORMAT.version}, but the file has ${describe(topology['version'])}.`);
    const { dim, count } = topology as { dim: unknown; count: unknown };
    if (!Number.isSafeInteger(dim) || (dim as number) < 1 || !Number.isSafeInteger(count) || (count as number) < 0) {
      throw new Error(`${owner}: dim must be an integer >= 1 and count one >= 0, but got ${describe(dim)} and ${describe(count)}.`);
    }
    const [d, n] = [dim as number, count as number];
    const expected = JSON.stringify([
      { name: 'references', shape: [n, d], dtype: 'float32' },
      { name: 'labels', shape: [n], dtype: 'int32' },
    ]);
    const specs = JSON.stringify((artifacts.weightSpecs ?? []).map(({ name, shape, dtype }) => ({ name, shape, dtype })));
    if (specs !== expected) throw new Error(`${owner}: expected the weight entries ${expected}, but got ${specs}.`);
    const bytes = artifacts.weightData == null ? null : joinWeightData(artifacts.weightData);
    if (bytes == null || bytes.byteLength !== 4 * n * (d + 1))
      throw new Error(`${owner}: expected ${4 * n * (d + 1)} bytes of weights, but got ${bytes == null ? 'none' : bytes.byteLength}.`);
    const copy = bytes.slice().buffer;
    const vectors = new Float32Array(copy, 0, n * d);
    return EmbeddingIndex.fromData({ dim: d, labels: Array.from(new Int32Array(copy, 4 * n * d, n)), vectors });
  }

  /** An index from {@link EmbeddingIndex.toData}'s data, its vectors kept bit for bit (checked: sizes agree, values finite, labels int32). */
  static async fromData(data: EmbeddingIndexData): Promise<EmbeddingIndex> {
    const owner = 'EmbeddingIndex.fromData';
    if (data == null || typeof data !== 'object') throw new Error(`${owner}: expected { dim, labels, vectors }, but got ${describe(data)}.`);
    const { dim, labels, vectors } = data;
    if (!Number.isSafeInteger(dim) || dim < 1) throw new Error(`${owner}: dim must be an integer >= 1, but got ${describe(dim)}.`);
    if (!Array.isArray(labels)) throw new Error(`${owner}: labels must be an array of integers, but got ${describe(labels)}.`);
    if (!(vectors instanceof Float32Array) || vectors.length !== labels.length * dim) {
      throw new Error(
        `${owner}: vectors must be a Float32Array of ${labels.length} × ${dim} values, but got ${vectors instanceof Float32Array ? vectors.length : describe(vectors)}.`,
      );
    }
    const ys = await labelValues(owner, 'labels', labels, labels.length);
    const bad = vectors.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${owner}: vectors must be finite, but row ${Math.floor(bad / dim)} holds ${vectors[bad]} at column ${bad % dim}.`);
    // Kept as they are (toData's unit rows): normalizing again could change their last bits.
    const index = new EmbeddingIndex();
    if (ys.length === 0) return index;
    index.dim = dim;
    for (let i = 0; i < ys.length; i++) index.rows.push(vectors.slice(i * dim, (i + 1) * dim));
    index.rowLabels.push(...ys);
    return index;
  }
}
