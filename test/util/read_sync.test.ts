import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { readSync } from '../../src/util/read_sync.js';

describe('readSync', () => {
  it('returns the values where the backend can read them synchronously', () => {
    const t = tf.tensor1d([1, 2, 3]);
    // A tensor made from host values keeps them on every backend until a kernel uses it.
    expect(Array.from(readSync('Owner', 'reading', t, 'do X'))).toEqual([1, 2, 3]);
  });

  it('turns a failed synchronous read into a message naming the caller, the backend and the way out', () => {
    const t = tf.tensor1d([1]);
    vi.spyOn(t, 'dataSync').mockImplementation(() => {
      throw new ReferenceError('OffscreenCanvas is not defined');
    });
    expect(() => readSync('AngularSoftmax', 'label validation', t, 'pass validateLabels: false')).toThrow(
      `AngularSoftmax: label validation reads a tensor synchronously, which the ${tf.getBackend()} backend cannot do here (OffscreenCanvas is not defined); pass validateLabels: false.`,
    );
  });
});
