import { spawn } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { seededRandom } from '../src/util/seeded_random.js';
import { marginCrossEntropy } from '../src/losses/margin_cross_entropy.js';
import { column, norm, type Matrix } from './reference/sphereface.js';

/** A seeded random matrix with entries uniform in [−scale, scale]. */
export function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Matrix {
  const rand = seededRandom(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * (2 * rand() - 1)));
}

/**
 * Embeddings [B, D] at chosen angles to their target class columns of `w`: row b is
 * radius(b)·(cos θ·ŵ + sin θ·p̂), with θ = thetas[b mod length], ŵ the unit target column and p̂
 * the unit part of basis vector `axis` orthogonal to ŵ.
 */
export function embeddingsAtAngles(w: Matrix, labels: number[], thetas: number[], axis: number, radius: (b: number) => number): Matrix {
  return labels.map((y, b) => {
    const u = column(w, y).map((v, _, a) => v / norm(a));
    const p = u.map((_, i) => (i === axis ? 1 : 0) - u[axis]! * u[i]!);
    const pn = p.map((v) => v / norm(p));
    const theta = thetas[b % thetas.length]!;
    return u.map((v, i) => radius(b) * (Math.cos(theta) * v + Math.sin(theta) * pn[i]!));
  });
}

/** Gradients in embeddings and kernel of the mean cross-entropy of `logits` against the labels. */
export async function crossEntropyGradients(
  logits: (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor,
  labels: number[],
  x: Matrix,
  w: Matrix,
): Promise<[Matrix, Matrix]> {
  const targets = tf.oneHot(tf.tensor1d(labels, 'int32'), w[0]!.length);
  const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => marginCrossEntropy(targets, logits(a as tf.Tensor2D, b as tf.Tensor2D)))([
    tf.tensor2d(x),
    tf.tensor2d(w),
  ]);
  return [await toMatrix(gx!), await toMatrix(gw!)];
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

/** What {@link runProgram} returns. */
export interface ProgramResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end and collects its output, without blocking this test worker's event
 * loop: a synchronous child (execFileSync) blocks it for the child's whole run, and vitest's
 * worker RPC times out when that exceeds a minute (seen on the webgpu lane, where SwiftShader
 * makes the example's runs slow).
 */
export function runProgram(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** {@link runProgram}, failing with the program's stderr unless it exits with 0; resolves to stdout. */
export async function runProgramOk(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await runProgram(file, args, env);
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}
