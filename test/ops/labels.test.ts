// labelsToIndices, the label check every head and functional op goes through.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { labelsToIndices } from '../../src/ops/labels.js';

describe('labelsToIndices', () => {
  it('accepts [B] and [B, 1], int32 or float32 holding integers, and returns int32 [B]', async () => {
    for (const labels of [tf.tensor1d([2, 0], 'int32'), tf.tensor2d([[2], [0]]), tf.tensor2d([[2], [0]], [2, 1], 'int32')]) {
      const got = labelsToIndices('Head', labels, 2, 3, false);
      expect(got.dtype).toBe('int32');
      expect(got.shape).toEqual([2]);
      expect(Array.from(await got.data())).toEqual([2, 0]);
    }
  });

  it('rejects any other shape, [B, 1, 1] included', () => {
    expect(() => labelsToIndices('Head', tf.zeros([2, 1, 1], 'int32'), 2, 3, false)).toThrow(
      'Head: labels must be class indices of shape [B] or [B, 1], but got shape [2, 1, 1].',
    );
    expect(() => labelsToIndices('Head', tf.zeros([2, 2], 'int32'), 2, 3, false)).toThrow(
      'Head: labels must be class indices of shape [B] or [B, 1], but got shape [2, 2].',
    );
  });

  it('rejects other dtypes, naming the one it got', () => {
    expect(() => labelsToIndices('Head', tf.tensor1d([true, false], 'bool'), 2, 3, false)).toThrow(
      'Head: labels must be int32 or float32 class indices, but got dtype bool.',
    );
  });

  it("rejects a batch size that differs from the embeddings'", () => {
    expect(() => labelsToIndices('Head', tf.tensor1d([0, 1, 2], 'int32'), 2, 3, false)).toThrow(
      'Head: labels have batch size 3, but the embeddings have batch size 2.',
    );
  });
});
