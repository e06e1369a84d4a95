// One grid of inputs through several backends in one process — cpu with the fused kernels, cpu
// with composite ops, wasm, and the lane's own backend when it is another (webgpu) — comparing
// values, gradients and error messages: one behaviour everywhere.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { useFusedKernels } from '../../src/kernels/fused_kernels.js';
import { angularSoftmaxLogits } from '../../src/functional/angular_softmax_logits.js';
import { arcFaceLogits, combinedMarginLogits, cosFaceLogits } from '../../src/functional/cosine_margin_logits.js';
import { l2Normalize } from '../../src/ops/l2_norm.js';
import { marginLogits } from '../../src/functional/margin_logits.js';
import { sphereFaceRMargin } from '../../src/margins/sphere_face_r_margin.js';
import { sphereFace2Margin } from '../../src/margins/sphere_face2_margin.js';

const lane = tf.getBackend();
const ENGINES: Array<{ name: string; backend: string; fused: boolean }> = [
  { name: 'cpu, fused kernels', backend: 'cpu', fused: true },
  { name: 'cpu, composite ops', backend: 'cpu', fused: false },
  { name: 'wasm', backend: 'wasm', fused: true },
  ...(['cpu', 'wasm'].includes(lane) ? [] : [{ name: lane, backend: lane, fused: true }]),
];

afterAll(async () => {
  useFusedKernels(true);
  await tf.setBackend(lane);
});

type Matrix = number[][];
/** `divisor`: the logits are divided by it before their gradients are taken (default 1e30, see evaluate). */
interface Case {
  name: string;
  x: Matrix;
  w: Matrix;
  labels: number[];
  divisor?: number;
}

/** Extreme norms, zero vectors, cos θ = ±1 exactly, B = 1, D = 1, C = 1 and 2. */
const GRID: Case[] = [
  {
    name: 'ordinary',
    x: [
      [0.3, -1.2, 0.5],
      [2, 0.1, -0.7],
      [-0.4, 0.9, 1.1],
    ],
    w: [
      [1, -0.5, 0.2, 0.3],
      [0.1, 0.8, -1, 0.4],
      [-0.6, 0.2, 0.5, 0.9],
    ],
    labels: [0, 3, 2],
  },
  {
    name: 'norms 5e20 and 5e30',
    x: [
      [3e20, 4e20],
      [-3e30, 4e30],
    ],
    w: [
      [1, 0, -1],
      [0, 1, 1],
    ],
    labels: [0, 2],
  },
  // Norms are exact at 5e-30, so its gradients are taken at scale 1: divided by 1e30 as well, the
  // composite path's product of that dL/dlogit and ‖x‖ (1e-30 · 5e-30) underflows float32.
  {
    name: 'tiny and zero embeddings',
    x: [
      [3e-30, 4e-30],
      [0, 0],
    ],
    w: [
      [1, 0],
      [0.5, 1],
    ],
    labels: [1, 0],
    divisor: 1,
  },
  {
    name: 'cos θ = 1 and −1 exactly',
    x: [
      [2, 0],
      [-3, 0],
    ],
    w: [
      [1, 0.3],
      [0, 1],
    ],
    labels: [0, 0],
  },
  { name: 'B = 1, D = 1, C = 1', x: [[-2]], w: [[0.7]], labels: [0] },
  { name: 'D = 1, C = 2', x: [[1.5], [-0.5]], w: [[1, -2]], labels: [1, 1] },
];

type Op = (x: tf.Tensor2D, w: tf.Tensor2D, labels: tf.Tensor1D) => tf.Tensor;
/**
 * The ops whose values go through the backend's cos or pow (WGSL's may err by ~1e-4, see
 * transcendentalAtol), with the factor by which the op's formula can amplify that error:
 * SphereFace2's g(z) = 2((z + 1)/2)^t − 1 has slope up to t = 3.
 */
const TRANSCENDENTAL_GAIN = new Map([
  ['combined margin', 1],
  ['SphereFace-R v0', 1],
  ['SphereFace-R v1', 1],
  ['SphereFace-R v2', 1],
  ['SphereFace2 C', 3],
  ['SphereFace2 A', 3],
  ['SphereFace2 M', 3],
]);
const OPS: Array<[string, Op]> = [
  ...[1, 2, 3, 4].map((m): [string, Op] => [`A-Softmax m = ${m}, λ = 0`, (x, w, l) => angularSoftmaxLogits(x, w, l, { margin: m, lambda: 0 })]),
  ['A-Softmax m = 4, λ = 5', (x, w, l) => angularSoftmaxLogits(x, w, l, { margin: 4, lambda: 5 })],
  ['CosFace', (x, w, l) => cosFaceLogits(x, w, l)],
  ['ArcFace', (x, w, l) => arcFaceLogits(x, w, l)],
  ['combined margin', (x, w, l) => combinedMarginLogits(x, w, l, { m1: 1, m2: 0.3, m3: 0.2 })],
  ...(['v0', 'v1', 'v2'] as const).map((v): [string, Op] => [
    `SphereFace-R ${v}`,
    (x, w, l) => marginLogits(x, w, l, { normalizeInput: true, scale: 30, targetMargin: sphereFaceRMargin(1.5, v) }),
  ]),
  ...(
    [
      ['C', 0.4],
      ['A', 0.5],
      ['M', 1.5],
    ] as const
  ).map(([v, m]): [string, Op] => [
    `SphereFace2 ${v}`,
    (x, w, l) => marginLogits(x, w, l, { normalizeInput: true, scale: 40, targetMargin: sphereFace2Margin(v, m, 3) }),
  ]),
  ['l2Normalize', (x, w) => tf.add(l2Normalize(x, 1), tf.mul(0, tf.sum(w)))],
];

/** Logits and gradients (of the logits divided by the case's divisor, 1e30 by default: finite for norms of 5e30) in x and w, on one engine, as flat arrays. */
async function evaluate(engine: (typeof ENGINES)[number], op: Op, c: Case): Promise<number[][]> {
  await tf.setBackend(engine.backend);
  useFusedKernels(engine.fused);
  const [x, w, labels] = [tf.tensor2d(c.x), tf.tensor2d(c.w), tf.tensor1d(c.labels, 'int32')];
  const value = op(x, w, labels);
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.div(op(a as tf.Tensor2D, b as tf.Tensor2D, labels), c.divisor ?? 1e30)))([x, w]);
  const out = [Array.from(await value.data()), ...(await Promise.all(grads.map(async (g) => Array.from(await g.data()))))];
  tf.dispose([x, w, labels, value, ...grads]);
  return out;
}

function expectSame(a: number[][], b: number[][], what: string, transcendental = 0, divisor = 1e30): void {
  a.forEach((part, p) =>
    part.forEach((v, i) => {
      const u = b[p]![i]!;
      expect(Number.isFinite(v), `${what}: finite`).toBe(true);
      // Values within 1e-5 relative. Gradients (of the logits / divisor) within 1e-4 relative, plus 1e-6
      // of the part's largest entry (an entry that cancels terms of that size keeps their rounding),
      // plus 0.01 / divisor (0.01 before the division: at cos θ = ±1 exactly, the margins' bounded
      // derivatives, up to 1000·s, amplify float32 rounding of directions that are exactly 0).
      const largest = Math.max(...b[p]!.map(Math.abs));
      const tolerance =
        p === 0 ? 1e-5 * Math.max(Math.abs(u), 1e-30) + transcendental * 64 : 1e-4 * Math.abs(u) + 1e-6 * largest + 0.01 / divisor + transcendental * largest;
      expect(Math.abs(v - u), `${what}, part ${p}, entry ${i}: ${v} against ${u}`).toBeLessThanOrEqual(tolerance);
    }),
  );
}

describe(`one behaviour on ${ENGINES.map((e) => e.name).join('; ')}`, () => {
  for (const [opName, op] of OPS) {
    it(`${opName}: the same finite values and gradients over the grid`, async () => {
      for (const c of GRID) {
        const results: number[][][] = [];
        for (const engine of ENGINES) results.push(await evaluate(engine, op, c));
        results.slice(1).forEach((r, i) => {
          const engine = ENGINES[i + 1]!;
          // WGSL's cos may err by ~1e-4 (SwiftShader measured ~8e-5); on s·cos(...), s = 64.
          const transcendental = engine.backend === 'webgpu' ? 2e-4 * (TRANSCENDENTAL_GAIN.get(opName) ?? 0) : 0;
          expectSame(r, results[0]!, `${c.name} on ${engine.name} against ${ENGINES[0]!.name}`, transcendental, c.divisor);
        });
      }
    });
  }

  it('the same error messages for bad labels, shapes and λ', async () => {
    const bad: Array<() => tf.Tensor> = [
      () => angularSoftmaxLogits(tf.ones([2, 2]) as tf.Tensor2D, tf.ones([2, 3]) as tf.Tensor2D, tf.tensor1d([0, 3], 'int32'), { margin: 4, lambda: 0 }),
      () => cosFaceLogits(tf.ones([2, 2]) as tf.Tensor2D, tf.ones([3, 3]) as tf.Tensor2D, tf.tensor1d([0, 1], 'int32')),
      () =>
        angularSoftmaxLogits(tf.ones([2, 2]) as tf.Tensor2D, tf.ones([2, 3]) as tf.Tensor2D, tf.tensor1d([0, 1], 'int32'), {
          margin: 4,
          lambda: tf.scalar(-1),
        }),
    ];
    for (const call of bad) {
      const messages: string[] = [];
      for (const engine of ENGINES.filter((e) => e.backend !== 'webgpu')) {
        await tf.setBackend(engine.backend);
        useFusedKernels(engine.fused);
        let message = '(no error)';
        try {
          tf.tidy(call);
        } catch (e) {
          message = (e as Error).message;
        }
        messages.push(message);
      }
      expect(messages[0]).not.toBe('(no error)');
      expect(new Set(messages).size, messages.join(' | ')).toBe(1);
    }
  });
});
