import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddingIndex } from '../../src/evaluation/embedding_index.js';
import { fileSystem } from '../../src/io/file_system.js';

const dir = mkdtempSync(join(tmpdir(), 'tfjs-am-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('EmbeddingIndex', () => {
  it('finds the k nearest references by cosine, in the order of add calls, exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 1e6 }),
        async (first, second, d, k, seed) => {
          const a = tf.randomNormal([first, d], 0, 1, 'float32', seed).arraySync() as number[][];
          const b = tf.randomNormal([second, d], 0, 1, 'float32', seed + 1).arraySync() as number[][];
          const q = tf.randomNormal([4, d], 0, 1, 'float32', seed + 2).arraySync() as number[][];
          const index = new EmbeddingIndex();
          await index.add(
            a,
            a.map((_, i) => i % 3),
          );
          await index.add(
            tf.tensor2d(b),
            tf.tensor1d(
              b.map((_, i) => 10 + i),
              'int32',
            ),
          );
          const all = [...a, ...b];
          const labels = [...a.map((_, i) => i % 3), ...b.map((_, i) => 10 + i)];
          const got = await index.search(q, { k });
          const cos = (u: number[], v: number[]) => u.reduce((s, x, i) => s + x * v[i]!, 0) / (Math.hypot(...u) * Math.hypot(...v) || 1);
          q.forEach((query, r) => {
            const want = all
              .map((v, i) => ({ i, s: cos(query, v) }))
              .sort((x, y) => y.s - x.s)
              .slice(0, Math.min(k, all.length));
            expect(got.scores[r]!.length).toBe(want.length);
            want.forEach((w, j) => {
              expect(got.scores[r]![j]).toBeCloseTo(w.s, 5);
              expect(got.labels[r]![j]).toBe(labels[got.indices[r]![j]!]);
            });
            for (let j = 1; j < want.length; j++) expect(got.scores[r]![j]! <= got.scores[r]![j - 1]!).toBe(true);
          });
        },
      ),
      { numRuns: 25, seed: 2901 },
    );
  });

  it('matches to the nearest label at or above the threshold (inclusive), else −1; survives toData/fromData', async () => {
    const index = new EmbeddingIndex();
    await index.add(
      [
        [1, 0],
        [0, 1],
      ],
      [7, 9],
    );
    const probes = [
      [1, 0.001],
      [0.6, 0.8],
      [-1, 0],
    ];
    const [near] = (await index.search([[0.6, 0.8]], { k: 1 })).scores[0]!;
    expect(await index.match(probes, { threshold: near! })).toEqual([7, 9, -1]); // 0.8 exactly: inclusive
    expect(await index.match(probes, { threshold: near! + 1e-6 })).toEqual([7, -1, -1]);
    const copy = await EmbeddingIndex.fromData(
      JSON.parse(JSON.stringify({ ...index.toData(), vectors: Array.from(index.toData().vectors) }), (key, v) =>
        key === 'vectors' ? Float32Array.from(v) : v,
      ),
    );
    expect(copy.size).toBe(2);
    expect(await copy.match(probes, { threshold: 0.5 })).toEqual([7, 9, -1]);
  });

  it('says what is wrong: empty index, dimensions, k, threshold, data', async () => {
    const index = new EmbeddingIndex();
    await expect(index.search([[1, 0]])).rejects.toThrow('EmbeddingIndex.search: the index is empty: add references first.');
    await index.add([[1, 0]], [1]);
    await expect(index.add([[1, 0, 0]], [1])).rejects.toThrow('EmbeddingIndex.add: embeddings have dimension 3, but the index holds dimension 2.');
    await expect(index.search([[1, 0, 0]])).rejects.toThrow('EmbeddingIndex.search: queries have dimension 3, but the index holds dimension 2.');
    await expect(index.search([[1, 0]], { k: 0 })).rejects.toThrow('EmbeddingIndex.search: k must be an integer >= 1, but got 0.');
    await expect(index.match([[1, 0]], { threshold: Number.NaN })).rejects.toThrow('EmbeddingIndex.match: threshold must be a number (a cosine), but got NaN.');
    await expect(EmbeddingIndex.fromData({ dim: 2, labels: [1], vectors: new Float32Array(3) })).rejects.toThrow(
      'EmbeddingIndex.fromData: vectors must be a Float32Array of 1 × 2 values, but got 3.',
    );
    const before = tf.memory().numTensors;
    await index.search([[1, 0]], { k: 3 });
    await index.match([[0, 1]], { threshold: 0 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves and loads through fileSystem (Node) and any IOHandler (browser), bit for bit, labels any int32', async () => {
    const rows = tf.randomNormal([50, 6], 0, 1, 'float32', 5).arraySync() as number[][];
    const labels = rows.map((_, i) => (i % 2 === 0 ? -2147483648 : 2147483647 - i));
    const index = new EmbeddingIndex();
    await index.add(rows, labels);
    const folder = join(dir, 'gallery');
    await index.save(fileSystem(folder));
    expect(readdirSync(folder).sort()).toHaveLength(2); // model.json and one weights file
    const loaded = await EmbeddingIndex.load(fileSystem(folder));
    expect(loaded.toData().labels).toEqual(labels);
    expect(Buffer.from(loaded.toData().vectors.buffer).equals(Buffer.from(index.toData().vectors.buffer))).toBe(true);
    const queries = rows.slice(0, 5);
    expect(await loaded.search(queries, { k: 3 })).toEqual(await index.search(queries, { k: 3 }));
    // The browser's way: the artifacts handed to a handler, and back through tf.io.fromMemory.
    let artifacts: tf.io.ModelArtifacts | null = null;
    await index.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const fromMemory = await EmbeddingIndex.load(tf.io.fromMemory(artifacts!));
    expect(fromMemory.toData()).toEqual(index.toData());
  });

  it('refuses what it cannot save or load, saying what it expected', async () => {
    await expect(new EmbeddingIndex().save(fileSystem(join(dir, 'empty')))).rejects.toThrow(
      'EmbeddingIndex.save: the index is empty; add references before saving it.',
    );
    await expect(new EmbeddingIndex().save('nowhere://x')).rejects.toThrow(
      /EmbeddingIndex.save: tfjs has no save handlers for "nowhere:\/\/x"; pass an IOHandler/,
    );
    await expect(EmbeddingIndex.load(42 as never)).rejects.toThrow('EmbeddingIndex.load: expected an IOHandler with load() or a URL string, but got 42.');
    const index = new EmbeddingIndex();
    await index.add(
      [
        [1, 0],
        [0, 1],
      ],
      [3, 4],
    );
    const folder = join(dir, 'refused');
    await index.save(fileSystem(folder));
    const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
    const load = (edit: (j: any) => void) => {
      const copy = structuredClone(json);
      edit(copy);
      writeFileSync(join(folder, 'model.json'), JSON.stringify(copy));
      return EmbeddingIndex.load(fileSystem(folder));
    };
    await expect(load((j) => (j.modelTopology = { class_name: 'Sequential' }))).rejects.toThrow(
      'EmbeddingIndex.load: expected a saved EmbeddingIndex (modelTopology.format "tfjs-angular-margin/embedding-index"), but got format undefined.',
    );
    await expect(load((j) => (j.modelTopology.version = 2))).rejects.toThrow('EmbeddingIndex.load: this version reads format version 1, but the file has 2.');
    await expect(load((j) => (j.modelTopology.dim = 0))).rejects.toThrow(
      'EmbeddingIndex.load: dim must be an integer >= 1 and count one >= 0, but got 0 and 2.',
    );
    await expect(load((j) => (j.modelTopology.count = 1))).rejects.toThrow(
      /EmbeddingIndex.load: expected the weight entries \[\{"name":"references","shape":\[1,2\]/,
    );
    await expect(load((j) => (j.weightsManifest[0].weights[1].dtype = 'float32'))).rejects.toThrow(/but got .*"name":"labels","shape":\[2\],"dtype":"float32"/);
    // Finite values only (a NaN written into the weights file).
    const weights = join(folder, json.weightsManifest[0].paths[0]);
    writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
    const bytes = readFileSync(weights);
    bytes.writeFloatLE(Number.NaN, 4);
    writeFileSync(weights, bytes);
    await expect(EmbeddingIndex.load(fileSystem(folder))).rejects.toThrow('EmbeddingIndex.fromData: vectors must be finite, but row 0 holds NaN at column 1.');
  });
});
