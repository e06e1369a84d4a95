import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { angularStatistics } from '../../src/evaluation/angular_statistics.js';

const at = (deg: number, r = 1) => [r * Math.cos((deg * Math.PI) / 180), r * Math.sin((deg * Math.PI) / 180)];

describe('angularStatistics', () => {
  it('measures intra-class spread and inter-class gaps in degrees, ignoring norms (float32 input: 1e-4°)', () => {
    // class 0 at 0° ± 10°, class 1 at 90° ± 20°, class 2 at 200° exactly.
    const emb = [at(-10), at(10, 5), at(70), at(110, 0.1), at(200, 3)];
    const stats = angularStatistics(tf.tensor2d(emb), [0, 0, 1, 1, 2]);
    expect(stats.classes).toEqual([0, 1, 2]);
    expect(stats.counts).toEqual([2, 2, 1]);
    stats.meanIntraClassAngleByClass.forEach((v, i) => expect(v).toBeCloseTo([10, 20, 0][i]!, 4));
    expect(stats.meanIntraClassAngle).toBeCloseTo((10 + 10 + 20 + 20 + 0) / 5, 4);
    expect(stats.maxIntraClassAngle).toBeCloseTo(20, 4);
    expect(stats.minInterClassAngle).toBeCloseTo(90, 4);
    expect(stats.minInterClassPair).toEqual([0, 1]);
    expect(stats.centres[1]![0]).toBeCloseTo(0, 6);
  });

  it('orders classes numerically, keeps the first of equally close pairs, and counts a zero row as 90° off', () => {
    // Classes 10, 2, 9 at 0°, 120°, 240°: every centre pair is 120° apart.
    const emb = [at(0), at(120), at(240), at(0, 2), [0, 0]];
    const stats = angularStatistics(emb, [10, 2, 9, 10, 2]);
    expect(stats.classes).toEqual([2, 9, 10]);
    expect(stats.counts).toEqual([2, 1, 2]);
    expect(stats.minInterClassAngle).toBeCloseTo(120, 9);
    expect(stats.minInterClassPair).toEqual([2, 9]);
    // The zero row of class 2 is 90° from every direction; its class centre is the other row's.
    expect(stats.meanIntraClassAngleByClass).toEqual([expect.closeTo(45, 9), 0, expect.closeTo(0, 9)]);
    expect(stats.meanIntraClassAngle).toBeCloseTo(90 / 5, 9);
  });

  it('rejects mismatched or non-integer labels', () => {
    expect(() => angularStatistics([[1, 0]], [0, 1])).toThrow(/got 2 labels for 1 embeddings/);
    expect(() => angularStatistics([[1, 0]], [0.5])).toThrow(/the label at index 0 is 0.5/);
    expect(() => angularStatistics(tf.zeros([2]), [0, 1])).toThrow('angularStatistics: embeddings must have rank 2 ([count, dim]), but got shape [2].');
    expect(() => angularStatistics(tf.zeros([1, 2, 3]), [0])).toThrow('but got shape [1, 2, 3].');
  });

  it('names itself and what came when the labels are not a tensor or an array', () => {
    // Each of these would otherwise fail later with another message (Array.from(null) throws a
    // TypeError, 7 and {} give no labels, 'x' gives the label 'x').
    for (const labels of [null, undefined, 7, 'x', {}]) {
      expect(() => angularStatistics([[1, 0]], labels as number[])).toThrow(/^angularStatistics: labels must be a tensor or an array of integers, but got /);
    }
    expect(() => angularStatistics([[1, 0]], [0, 1])).toThrow(/^angularStatistics: got 2 labels for 1 embeddings\.$/);
  });

  it('rejects rows without numbers, and gives NaN statistics for no rows at all', () => {
    expect(() => angularStatistics([[]], [0])).toThrow('angularStatistics: every embedding must be an array of one or more numbers, but row 0 is');
    const none = angularStatistics([], []);
    expect(none.classes).toEqual([]);
    expect(none.meanIntraClassAngle).toBeNaN();
    expect(none.minInterClassAngle).toBeNaN();
    expect(none.minInterClassPair).toBeNull();
  });
});
