// marginLogits and marginOnTargets at their entry points: what they reject (with whole messages
// that name the function and show the shapes), what they leave alone (no labels, no margin), and
// the paths they choose (no kernel for a scale of 1). Runs on every backend lane.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { cosineLogits, marginLogits, marginOnTargets } from '../../src/functional/margin_logits.js';
import { cosFaceMargin } from '../../src/margins/cos_face_margin.js';
import { curricularFaceMargin } from '../../src/margins/curricular_face_margin.js';
import { angularMargin } from '../../src/margins/angular_margin.js';
import type { TargetMargin } from '../../src/margins/margin.js';
import { useFusedKernels } from '../../src/kernels/fused_kernels.js';
import { toMatrix } from '../helpers.js';

const X = [
  [0.3, -1.2, 0.5],
  [2, 0.1, -0.7],
];
const W = [
  [1, -0.5, 0.2, 0.3],
  [0.1, 0.8, -1, 0.4],
  [-0.6, 0.2, 0.5, 0.9],
];

describe('marginLogits entry checks', () => {
  it('names itself and shows whole shapes for wrong ranks and dimensions', () => {
    const x = tf.ones([2, 3]) as tf.Tensor2D;
    expect(() => marginLogits(tf.ones([2, 3, 1]) as unknown as tf.Tensor2D, tf.ones([3, 4]) as tf.Tensor2D, null)).toThrow(
      'marginLogits: embeddings must have rank 2 ([batch, dim]), but got shape [2, 3, 1].',
    );
    expect(() => marginLogits(x, tf.ones([3, 4, 1]) as unknown as tf.Tensor2D, null)).toThrow(
      'marginLogits: kernel must have rank 2 ([dim, classes]), but got shape [3, 4, 1].',
    );
    expect(() => marginLogits(x, tf.ones([5, 4]) as tf.Tensor2D, null)).toThrow(
      'marginLogits: embeddings have dimension 3, but the kernel expects 5 (kernel shape [5, 4]).',
    );
  });

  it('rejects embeddings or a kernel that are not float32, either one', () => {
    const f = tf.ones([2, 3]) as tf.Tensor2D;
    const k = tf.ones([3, 4]) as tf.Tensor2D;
    expect(() => marginLogits(tf.ones([2, 3], 'int32') as tf.Tensor2D, k, null)).toThrow(
      'marginLogits: embeddings and kernel must be float32, but got int32 and float32.',
    );
    expect(() => marginLogits(f, tf.ones([3, 4], 'int32') as tf.Tensor2D, null)).toThrow(
      'marginLogits: embeddings and kernel must be float32, but got float32 and int32.',
    );
  });

  it('names itself for a bad scale or normalizeInput', () => {
    const [x, k] = [tf.tensor2d(X), tf.tensor2d(W)];
    expect(() => marginLogits(x, k, null, { scale: 0 })).toThrow(/^marginLogits: scale must be/);
    expect(() => marginLogits(x, k, null, { normalizeInput: 'yes' as unknown as boolean })).toThrow(/^marginLogits: normalizeInput must be/);
  });

  it('without labels, or without a margin, gives the plain scaled logits', async () => {
    const [x, k] = [tf.tensor2d(X), tf.tensor2d(W)];
    const plain = await toMatrix(tf.mul(cosineLogits('test', x, k, true), 30));
    const labels = tf.tensor1d([1, 3], 'int32');
    expect(await toMatrix(marginLogits(x, k, null, { normalizeInput: true, scale: 30, targetMargin: cosFaceMargin(0.35) }))).toEqual(plain);
    expect(await toMatrix(marginLogits(x, k, labels, { normalizeInput: true, scale: 30 }))).toEqual(plain);
  });

  it('a scale of 1 adds no kernel', async () => {
    const [x, k] = [tf.tensor2d(X), tf.tensor2d(W)];
    const names = async (scale: number) =>
      (
        await tf.profile(() => {
          tf.dispose(marginLogits(x, k, null, { scale }));
        })
      ).kernels.map((kernel) => kernel.name);
    const one = await names(1);
    const two = await names(2);
    expect(two.length).toBe(one.length + 1);
    expect(two.filter((n) => n === 'Multiply').length).toBe(one.filter((n) => n === 'Multiply').length + 1);
  });
});

describe('marginOnTargets', () => {
  it('rejects a cosine step whose rows do not match the embeddings, naming the owner', () => {
    const options = { normalizeInput: true, scale: 1, validateLabels: true };
    expect(() => marginOnTargets('SomeHead', tf.ones([3, 4]) as tf.Tensor2D, tf.ones([2, 3]) as tf.Tensor2D, null, null, options)).toThrow(
      'SomeHead: the cosine step gave 3 rows for 2 embeddings.',
    );
  });
});

describe('labels outside [0, C) when labels are not validated', () => {
  // Rows 0 and 2 have no class: they keep their plain logits, in value and gradient, on the fused
  // kernels and on the composite ops alike (λ a tensor, so that its gradient is compared too).
  const labels = [-1, 2, 4];
  const x3 = [
    [0.3, -1.2, 0.5],
    [2, 0.1, -0.7],
    [-0.4, 0.9, 1.1],
  ];
  const G = [
    [1, -2, 0.5, 3],
    [0.25, 1, -1, 2],
    [-3, 0.5, 2, 1],
  ];
  // CurricularFace rewrites a row's hard negatives against its target cosine, taken as 0 in a row
  // without a class: that row is not plain, but both paths must still agree.
  const heads: Array<[string, (lam: tf.Tensor) => { normalizeInput: boolean; scale: number; targetMargin: TargetMargin }]> = [
    ['A-Softmax', (lam) => ({ normalizeInput: false, scale: 1, targetMargin: angularMargin(4, lam as tf.Scalar) })],
    ['CosFace', () => ({ normalizeInput: true, scale: 30, targetMargin: cosFaceMargin(0.35) })],
    ['CurricularFace', () => ({ normalizeInput: true, scale: 30, targetMargin: curricularFaceMargin(0.5, 0.3) })],
  ];
  for (const [name, options] of heads) {
    it(`${name}: ${name === 'CurricularFace' ? 'the' : 'those rows are plain, and the'} fused kernels and the composite ops agree`, async () => {
      const results: number[][][] = [];
      for (const fused of [true, false]) {
        useFusedKernels(fused);
        const [x, w, lab, lam, g] = [tf.tensor2d(x3), tf.tensor2d(W), tf.tensor1d(labels, 'int32'), tf.scalar(0.5), tf.tensor2d(G)];
        const f = (a: tf.Tensor, b: tf.Tensor, l: tf.Tensor) =>
          tf.sum(tf.mul(g, marginLogits(a as tf.Tensor2D, b as tf.Tensor2D, lab, { ...options(l), validateLabels: false })));
        const logits = marginLogits(x, w, lab, { ...options(lam), validateLabels: false });
        const plain = marginLogits(x, w, null, options(lam));
        const grads = name === 'A-Softmax' ? tf.grads(f)([x, w, lam]) : tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b, lam))([x, w]);
        const [l, p] = [await toMatrix(logits), await toMatrix(plain)];
        if (name !== 'CurricularFace') for (const b of [0, 2]) expect(l[b]).toEqual(p[b]);
        expect(l[1]![2]).not.toBeCloseTo(p[1]![2]!, 3);
        results.push([l.flat(), ...(await Promise.all(grads.map(async (t) => Array.from(await t.data()))))]);
      }
      useFusedKernels(true);
      results[0]!.forEach((part, i) => part.forEach((v, k) => expect(v, `part ${i} entry ${k}`).toBeCloseTo(results[1]![i]![k]!, 4)));
    });
  }
});
