import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { seededRandom } from '../src/testing/random.js';
import type { Matrix } from './reference/sphereface.js';

/** A seeded random matrix with entries uniform in [−scale, scale]. */
export function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Matrix {
  const rand = seededRandom(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * (2 * rand() - 1)));
}

/** The tensor's values as nested arrays (read asynchronously: webgpu in Node has no sync read). */
export async function toMatrix(t: tf.Tensor): Promise<Matrix> {
  return (await t.array()) as Matrix;
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

/**
 * Absolute error to allow per unit of logit scale for float32 acos/cos/sin on the active backend.
 * JavaScript's and WebAssembly's libm are accurate to an ulp or two; WGSL lets acos err as much as
 * atan2 (4096 ulp), and webgpu on SwiftShader is measured here at ~8e-5: webgpu gets 2e-4.
 */
export function transcendentalAtol(): number {
  return tf.getBackend() === 'webgpu' ? 2e-4 : 2e-6;
}

/** True when every entry is finite. */
export async function allFinite(t: tf.Tensor): Promise<boolean> {
  return Array.from(await t.data()).every(Number.isFinite);
}
