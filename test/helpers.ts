import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { seededRandom } from '../src/testing/random.js';
import type { Matrix } from './reference/sphereface.js';

/** A seeded random matrix with entries uniform in [−scale, scale]. */
export function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Matrix {
  const rand = seededRandom(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * (2 * rand() - 1)));
}

export function toMatrix(t: tf.Tensor): Matrix {
  return t.arraySync() as Matrix;
}

/** Every |a − b| ≤ atol + rtol·|b|, with a message naming the worst entry. */
export function expectClose(actual: Matrix | number[], expected: Matrix | number[], atol: number, rtol = 0): void {
  const a = (actual as unknown[]).flat(2) as number[];
  const e = (expected as unknown[]).flat(2) as number[];
  expect(a.length).toBe(e.length);
  let worst = -1;
  let worstExcess = 0;
  a.forEach((v, i) => {
    const excess = Math.abs(v - e[i]!) - (atol + rtol * Math.abs(e[i]!));
    if (!Number.isFinite(v) || excess > worstExcess) {
      worst = i;
      worstExcess = Number.isFinite(v) ? excess : Infinity;
    }
  });
  if (worst >= 0) {
    expect.fail(`entry ${worst}: got ${a[worst]}, expected ${e[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Runs fn and checks that it leaves no tensor behind beyond what it returns and disposes itself. */
export function expectNoLeak(fn: () => void): void {
  const before = tf.memory().numTensors;
  fn();
  expect(tf.memory().numTensors).toBe(before);
}

/** True when every entry is finite. */
export function allFinite(t: tf.Tensor): boolean {
  return Array.from(t.dataSync()).every(Number.isFinite);
}
