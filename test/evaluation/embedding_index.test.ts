import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmbeddingIndex } from '../../src/evaluation/embedding_index.js';

describe('EmbeddingIndex', () => {
  it('finds the k nearest references by cosine, in the order of add calls, exactly', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1e6 }), async (first, second, d, k, seed) => {
      const a = tf.randomNormal([first, d], 0, 1, 'float32', seed).arraySync() as number[][];
      const b = tf.randomNormal([second, d], 0, 1, 'float32', seed + 1).arraySync() as number[][];
      const q = tf.randomNormal([4, d], 0, 1, 'float32', seed + 2).arraySync() as number[][];
      const index = new EmbeddingIndex();
      await index.add(a, a.map((_, i) => i % 3));
      await index.add(tf.tensor2d(b), tf.tensor1d(b.map((_, i) => 10 + i), 'int32'));
      const all = [...a, ...b];
      const labels = [...a.map((_, i) => i % 3), ...b.map((_, i) => 10 + i)];
      const got = await index.search(q, { k });
      const cos = (u: number[], v: number[]) => u.reduce((s, x, i) => s + x * v[i]!, 0) / (Math.hypot(...u) * Math.hypot(...v) || 1);
      q.forEach((query, r) => {
        const want = all.map((v, i) => ({ i, s: cos(query, v) })).sort((x, y) => y.s - x.s).slice(0, Math.min(k, all.length));
        expect(got.scores[r]!.length).toBe(want.length);
        want.forEach((w, j) => {
          expect(got.scores[r]![j]).toBeCloseTo(w.s, 5);
          expect(got.labels[r]![j]).toBe(labels[got.indices[r]![j]!]);
        });
        for (let j = 1; j < want.length; j++) expect(got.scores[r]![j]! <= got.scores[r]![j - 1]!).toBe(true);
      });
    }), { numRuns: 25, seed: 2901 });
  });

  it('matches to the nearest label at or above the threshold (inclusive), else −1; survives toData/fromData', async () => {
    const index = new EmbeddingIndex();
    await index.add([[1, 0], [0, 1]], [7, 9]);
    const probes = [[1, 0.001], [0.6, 0.8], [-1, 0]];
    const [near] = (await index.search([[0.6, 0.8]], { k: 1 })).scores[0]!;
    expect(await index.match(probes, { threshold: near! })).toEqual([7, 9, -1]); // 0.8 exactly: inclusive
    expect(await index.match(probes, { threshold: near! + 1e-6 })).toEqual([7, -1, -1]);
    const copy = await EmbeddingIndex.fromData(JSON.parse(JSON.stringify({ ...index.toData(), vectors: Array.from(index.toData().vectors) }), (key, v) => (key === 'vectors' ? Float32Array.from(v) : v)));
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
    await expect(EmbeddingIndex.fromData({ dim: 2, labels: [1], vectors: new Float32Array(3) })).rejects.toThrow('EmbeddingIndex.fromData: vectors must be a Float32Array of 1 × 2 values, but got 3.');
    const before = tf.memory().numTensors;
    await index.search([[1, 0]], { k: 3 });
    await index.match([[0, 1]], { threshold: 0 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
