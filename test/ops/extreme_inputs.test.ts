// Inputs at the edges of float32 and of the shapes: the same finite answers on every backend lane
// (this file runs on cpu, wasm and webgpu in CI, and on cpu with the fused kernels off below).
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { useFusedKernels } from '../../src/kernels/fused_kernels.js';
import { HEAD_KINDS, HEADS } from '../../src/heads/registry.js';
import { l2Normalize, safeL2Norm } from '../../src/ops/l2_norm.js';
import { angularSoftmaxLogits } from '../../src/functional/angular_softmax_logits.js';
import { arcFaceLogits, cosFaceLogits } from '../../src/functional/cosine_margin_logits.js';
import { allFinite } from '../helpers.js';

afterEach(() => {
  useFusedKernels(true);
});

const huge = [
  [3e20, 4e20],
  [-3e30, 4e30],
  [3, 4],
];

describe('extreme inputs', () => {
  for (const fused of [true, false]) {
    it(`norms of vectors far above 1.8e19 (where Σ x² overflows) are finite and exact${fused ? '' : ', fused kernels off'}`, async () => {
      useFusedKernels(fused);
      const x = tf.tensor2d(huge);
      const norms = await safeL2Norm(x, 1).data();
      [5e20, 5e30, 5].forEach((want, i) => expect(norms[i]! / want).toBeCloseTo(1, 5));
      const unit = (await l2Normalize(x, 1).array()) as number[][];
      [
        [0.6, 0.8],
        [-0.6, 0.8],
        [0.6, 0.8],
      ].forEach((row, i) => row.forEach((v, j) => expect(unit[i]![j]!).toBeCloseTo(v, 5)));
      const [g] = tf.grads((a: tf.Tensor) => tf.sum(safeL2Norm(a, 1)))([x]);
      const grad = (await g!.array()) as number[][];
      [
        [0.6, 0.8],
        [-0.6, 0.8],
        [0.6, 0.8],
      ].forEach((row, i) => row.forEach((v, j) => expect(grad[i]![j]!).toBeCloseTo(v, 5)));
    });

    it(`heads give finite logits and gradients for embeddings of norm up to 5e30${fused ? '' : ', fused kernels off'}`, async () => {
      useFusedKernels(fused);
      const x = tf.tensor2d(huge);
      const w = tf.tensor2d([
        [1, 0, -1],
        [0, 1, 1],
      ]);
      const labels = tf.tensor1d([0, 1, 2], 'int32');
      const heads = [
        (a: tf.Tensor, b: tf.Tensor) => angularSoftmaxLogits(a as tf.Tensor2D, b as tf.Tensor2D, labels, { margin: 4, lambda: 0 }),
        (a: tf.Tensor, b: tf.Tensor) => cosFaceLogits(a as tf.Tensor2D, b as tf.Tensor2D, labels),
        (a: tf.Tensor, b: tf.Tensor) => arcFaceLogits(a as tf.Tensor2D, b as tf.Tensor2D, labels),
      ];
      for (const f of heads) {
        expect(await allFinite(f(x, w))).toBe(true);
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.div(f(a, b), 1e30)))([x, w]);
        for (const g of grads) expect(await allFinite(g)).toBe(true);
      }
      // A-Softmax's target logit of [3e20, 4e20] against (1, 0): ‖x‖·ψ(θ), cos θ = 0.6, m = 4, k = 1.
      const logits = await angularSoftmaxLogits(tf.tensor2d([huge[0]!]), w, tf.tensor1d([0], 'int32'), { margin: 4, lambda: 0 }).array();
      const target = logits[0]![0]!;
      const c = 0.6;
      const psi = -(8 * c ** 4 - 8 * c ** 2 + 1) - 2;
      expect(target / (5e20 * psi)).toBeCloseTo(1, 4);
    });
  }

  // SphereFace2's starting bias divides by C − 1 (with one class there are no negatives to
  // balance): it rejects units 1 in its constructor, on every backend.
  const NEEDS_TWO_CLASSES = new Set<string>(['sphereFace2']);
  for (const kind of HEAD_KINDS) {
    if (NEEDS_TWO_CLASSES.has(kind)) {
      it(`${kind}: one class (units 1) is rejected by the constructor`, () => {
        expect(() => (HEADS[kind] as { create(args: { units: number }): unknown }).create({ units: 1 })).toThrow(/units must be an integer >= 2, but got 1/);
      });
      continue;
    }
    it(`${kind}: one class (units 1) trains and infers on this backend`, async () => {
      const head = (HEADS[kind] as { create(args: { units: number }): { apply(inputs: tf.Tensor[], kwargs?: object): unknown } }).create({ units: 1 });
      const x = tf.tensor2d([
        [1, 2],
        [3, -1],
      ]);
      const labels = tf.tensor1d([0, 0], 'int32');
      for (const training of [true, false]) {
        const logits = head.apply([x, labels], { training }) as tf.Tensor;
        expect(logits.shape).toEqual([2, 1]);
        expect(await allFinite(logits)).toBe(true);
      }
    });
  }

  for (const fused of [true, false]) {
    it(`norms are exact down to float32's smallest normal numbers, and the zero vector stays finite${fused ? '' : ', fused kernels off'}`, async () => {
      useFusedKernels(fused);
      const x = tf.tensor2d([
        [3e-30, 4e-30],
        [-3e-38, 4e-38],
        [3e-20, 4e-20],
        [0, 0],
        [1e-45, 0],
      ]);
      const norms = await safeL2Norm(x, 1).data();
      [5e-30, 5e-38, 5e-20].forEach((want, i) => expect(norms[i]! / want).toBeCloseTo(1, 5));
      expect(norms[3]).toBeCloseTo(1e-6, 12); // √ε: the zero vector's norm
      expect(norms[4]).toBeCloseTo(1e-6, 12); // subnormal entries only: as zero
      const unit = (await l2Normalize(x, 1).array()) as number[][];
      [
        [0.6, 0.8],
        [-0.6, 0.8],
        [0.6, 0.8],
        [0, 0],
      ].forEach((row, i) => row.forEach((v, j) => expect(unit[i]![j]!).toBeCloseTo(v, 5)));
      // Columns too (a kernel's normalization), and finite gradients everywhere.
      const columns = (await l2Normalize(tf.transpose(x), 0).array()) as number[][];
      expect([columns[0]![0], columns[1]![0]].map((v) => Number(v!.toFixed(5)))).toEqual([0.6, 0.8]);
      const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(l2Normalize(a, 1), tf.tensor2d([[1, 2]]))))([x]);
      expect(await allFinite(g!)).toBe(true);
    });

    it(`every head that normalizes its embeddings gives x's logits for 1e-30·x, in training and inference${fused ? '' : ', fused kernels off'}`, async () => {
      useFusedKernels(fused);
      const x = [
        [1, 2],
        [3, -1],
        [-0.5, 0.25],
      ];
      const labels = tf.tensor1d([0, 1, 2], 'int32');
      for (const kind of HEAD_KINDS) {
        // AdaFace's margin reads the norm itself (its quality signal), so its training logits depend on it by design.
        const head = (
          HEADS[kind] as {
            create(args: { units: number }): {
              normalizeInput: boolean;
              build(s: unknown): void;
              apply(inputs: tf.Tensor[], kwargs?: object): unknown;
              getWeights(): tf.Tensor[];
              setWeights(w: tf.Tensor[]): void;
            };
          }
        ).create({ units: 3 });
        head.build([
          [null, 2],
          [null, 1],
        ]);
        if (!head.normalizeInput) continue;
        const initial = head.getWeights().map((w) => w.clone());
        for (const training of kind === 'adaFace' ? [false] : [true, false]) {
          const run = async (scale: number) => {
            head.setWeights(initial); // the same state (counters, statistics) for both passes
            return (await (head.apply([tf.mul(tf.tensor2d(x), scale), labels], { training }) as tf.Tensor).array()) as number[][];
          };
          const [plain, tiny] = [await run(1), await run(1e-30)];
          plain.forEach((row, i) =>
            row.forEach((v, j) =>
              expect(Math.abs(tiny[i]![j]! - v), `${kind} ${training ? 'training' : 'inference'} [${i}, ${j}]`).toBeLessThanOrEqual(
                1e-4 * Math.max(1, Math.abs(v)),
              ),
            ),
          );
        }
      }
    });
  }
});
