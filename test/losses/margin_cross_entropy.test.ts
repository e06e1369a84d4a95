import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';
import { marginAccuracy } from '../../src/metrics/margin_accuracy.js';
import { crossEntropyRef } from '../reference/sphereface.js';

const LOGITS = [
  [2, -1, 0.5],
  [-30, 4, 1],
  [0, 0, 0],
  [-100, -200, 50],
];
const LABELS = [0, 2, 0, 1]; // row 3 is a tie, which argmax resolves to the first class

describe('marginCrossEntropy', () => {
  it('is the mean softmax cross-entropy of logits, stable for extreme logits', async () => {
    const loss = marginCrossEntropy(tf.oneHot(tf.tensor1d(LABELS, 'int32'), 3), tf.tensor2d(LOGITS));
    expect(loss.shape).toEqual([]);
    expect((await loss.data())[0]).toBeCloseTo(crossEntropyRef(LOGITS, LABELS), 4);
  });

  it('rejects logits of another rank and targets of rank 3, with whole messages', () => {
    expect(() => marginCrossEntropy(tf.zeros([4, 3, 1]), tf.zeros([4, 3, 1]))).toThrow(
      'marginCrossEntropy: logits must have rank 2 ([batch, classes]), but got shape [4, 3, 1].',
    );
    expect(() => marginCrossEntropy(tf.zeros([4, 3, 1]), tf.zeros([4, 3]))).toThrow(
      "marginCrossEntropy: targets must be one-hot of the logits' shape [4, 3], but got shape [4, 3, 1].",
    );
  });

  it('rejects targets that are not one-hot of the logits shape', async () => {
    expect(() => marginCrossEntropy(tf.tensor1d(LABELS), tf.tensor2d(LOGITS))).toThrow(
      /targets must be one-hot of the logits' shape \[4, 3\], but got shape \[4\]. Turn class indices into targets with tf.oneHot/,
    );
    expect(() => marginCrossEntropy(tf.zeros([4, 3]), tf.zeros([4, 3, 1]))).toThrow(/logits must have rank 2/);
  });
});

describe('marginAccuracy', () => {
  it('is 1 where the argmax matches, per example', async () => {
    const acc = marginAccuracy(tf.oneHot(tf.tensor1d(LABELS, 'int32'), 3), tf.tensor2d(LOGITS));
    expect(Array.from(await acc.data())).toEqual([1, 0, 1, 0]);
    expect(() => marginAccuracy(tf.zeros([2, 3]), tf.zeros([3, 3]))).toThrow(/marginAccuracy: targets must be one-hot/);
  });
});
