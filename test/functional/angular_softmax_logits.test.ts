import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { angularSoftmaxLogits, type AngularSoftmaxOptions } from '../../src/functional/angular_softmax_logits.js';
import { validatesLabelsByDefault } from '../../src/ops/labels.js';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';
import { gradCheck } from '../../src/testing/grad_check.js';
import { angularLogitsRef, crossEntropyRef, numericGradient, type Matrix } from '../reference/sphereface.js';
import { allFinite, crossEntropyGradients, embeddingsAtAngles, expectClose, expectNoLeak, randomMatrix, toMatrix } from '../helpers.js';

const B = 6;
const D = 4;
const C = 5;
const labels = [0, 1, 2, 3, 4, 2];
const X = randomMatrix(B, D, 11, 2);
const W = randomMatrix(D, C, 12);

function libraryLogits(x: Matrix, w: Matrix, m: number, lambda: number): tf.Tensor2D {
  return angularSoftmaxLogits(tf.tensor2d(x), tf.tensor2d(w), tf.tensor1d(labels, 'int32'), { margin: m, lambda });
}

/** Gradients of the mean cross-entropy in x and kernel: library (float32) and reference (float64). */
async function gradients(x: Matrix, w: Matrix, m: number, lambda: number): Promise<{ lib: [Matrix, Matrix]; ref: [Matrix, Matrix] }> {
  const lab = tf.tensor1d(labels, 'int32');
  const ref = (xx: Matrix, ww: Matrix) => crossEntropyRef(angularLogitsRef(xx, ww, labels, m, lambda), labels);
  return {
    lib: await crossEntropyGradients((xt, wt) => angularSoftmaxLogits(xt, wt, lab, { margin: m, lambda }), labels, x, w),
    ref: [numericGradient((xx) => ref(xx, w), x), numericGradient((ww) => ref(x, ww), w)],
  };
}

/** Embeddings placed exactly on the interesting angles to their target class column. */
function specialEmbeddings(m: number): Matrix {
  const thetas = [0, Math.PI, Math.PI / m, (2 * Math.PI) / m + 1e-3, Math.PI / m - 1e-3, 0.5];
  return embeddingsAtAngles(W, labels, thetas, 0, (b) => 1.5 + b * 0.25);
}

describe('angularSoftmaxLogits', () => {
  for (let m = 1; m <= 6; m++) {
    for (const lambda of [0, 5, 1000]) {
      it(`logits and loss match the float64 reference for m = ${m}, λ = ${lambda}`, async () => {
        const logits = libraryLogits(X, W, m, lambda);
        const expected = angularLogitsRef(X, W, labels, m, lambda);
        expectClose(await toMatrix(logits), expected, 2e-5 * m * m, 1e-5);
        const loss = (await marginCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), C), logits).data())[0]!;
        expect(loss).toBeCloseTo(crossEntropyRef(expected, labels), 4);
      });
    }
  }

  for (const m of [1, 2, 3, 4, 6]) {
    for (const lambda of [0, 5]) {
      it(`gradients in x and kernel match the float64 reference for m = ${m}, λ = ${lambda}`, async () => {
        const { lib, ref } = await gradients(X, W, m, lambda);
        expectClose(lib[0], ref[0], 1e-4, 1e-3);
        expectClose(lib[1], ref[1], 1e-4, 1e-3);
      });

      it(`gradients match at cos θ = ±1 and on and beside the boundaries for m = ${m}, λ = ${lambda}`, async () => {
        const x = specialEmbeddings(m);
        const { lib, ref } = await gradients(x, W, m, lambda);
        expectClose(lib[0], ref[0], 3e-4, 2e-3);
        expectClose(lib[1], ref[1], 3e-4, 2e-3);
        expectClose(await toMatrix(libraryLogits(x, W, m, lambda)), angularLogitsRef(x, W, labels, m, lambda), 5e-5 * m * m, 1e-5);
      });
    }
  }

  it('passes gradCheck in x and kernel together', async () => {
    const lab = tf.tensor1d(labels, 'int32');
    const result = await gradCheck(
      (x, w) => angularSoftmaxLogits(x as tf.Tensor2D, w as tf.Tensor2D, lab, { margin: 4, lambda: 5 }),
      [tf.tensor2d(X), tf.tensor2d(W)],
    );
    expect(result.ok).toBe(true);
    expect(result.maxRelativeError).toBeLessThan(1e-2);
  });

  it('gives finite logits and gradients for zero embeddings, zero columns and labels [B, 1] float32', async () => {
    const x = tf.tensor2d([
      [0, 0, 0, 0],
      [1, 2, 3, 4],
    ]);
    const w = tf.tensor2d([
      [0, 1, 0],
      [0, 0, 1],
      [0, 1, 1],
      [0, 0, 0],
    ]);
    const lab = tf.tensor2d([[0], [1]]);
    const logits = angularSoftmaxLogits(x, w, lab, { margin: 4, lambda: 0 });
    expect(await allFinite(logits)).toBe(true);
    // ‖0‖ is √1e-12 = 1e-6 by design, so the target logit is 1e-6·ψ(0) = −3e-6: finite, ≈ 0.
    expectClose((await toMatrix(logits))[0]!, [0, 0, 0], 1e-5);
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(angularSoftmaxLogits(a as tf.Tensor2D, b as tf.Tensor2D, lab, { margin: 4, lambda: 0 })))([
      x,
      w,
    ]);
    expect(await allFinite(gx!)).toBe(true);
    expect(await allFinite(gw!)).toBe(true);
  });

  it('accepts λ as a scalar tensor', async () => {
    const lab = tf.tensor1d(labels, 'int32');
    const a = angularSoftmaxLogits(tf.tensor2d(X), tf.tensor2d(W), lab, { margin: 4, lambda: tf.scalar(5) });
    expectClose(await toMatrix(a), angularLogitsRef(X, W, labels, 4, 5), 3e-4, 1e-5);
  });

  it('rejects bad input with a message saying what was expected and what came', async () => {
    const x = tf.tensor2d(X);
    const w = tf.tensor2d(W);
    const lab = tf.tensor1d(labels, 'int32');
    const call = (o: Partial<{ x: tf.Tensor; w: tf.Tensor; lab: tf.Tensor; margin: number; lambda: number }>) => () =>
      angularSoftmaxLogits((o.x ?? x) as tf.Tensor2D, (o.w ?? w) as tf.Tensor2D, o.lab ?? lab, {
        margin: o.margin ?? 4,
        lambda: o.lambda ?? 0,
        validateLabels: true,
      });
    expect(call({ margin: 0 })).toThrow(/margin must be an integer >= 1, but got 0/);
    expect(call({ margin: 1.5 })).toThrow(/margin must be an integer >= 1, but got 1.5/);
    expect(call({ lambda: -1 })).toThrow(/lambda must be a finite number >= 0, but got -1/);
    expect(call({ lab: tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32') })).toThrow(/labels must be integers in \[0, 5\), but the label at index 5 is 5/);
    expect(call({ lab: tf.tensor1d([0, 1, 2, 3, 4, -1], 'int32') })).toThrow(/the label at index 5 is -1/);
    expect(call({ lab: tf.tensor1d([0, 1, 2, 3, 4, 0.5]) })).toThrow(/the label at index 5 is 0.5/);
    expect(call({ lab: tf.tensor1d([0, 1, 2], 'int32') })).toThrow(/labels have batch size 3, but the embeddings have batch size 6/);
    expect(call({ lab: tf.tensor2d([[0, 1]], [1, 2], 'int32') })).toThrow(/labels must be class indices of shape \[B\] or \[B, 1\], but got shape \[1, 2\]/);
    expect(call({ x: tf.tensor1d([1, 2, 3, 4]) })).toThrow(/embeddings must have rank 2 \(\[batch, dim\]\), but got shape \[4\]/);
    expect(call({ w: tf.tensor3d([[[1]]]) })).toThrow(/kernel must have rank 2/);
    expect(call({ w: tf.tensor2d([[1, 2]]) })).toThrow(/embeddings have dimension 4, but the kernel expects 1/);
  });

  it('leaks no tensors, forward or backward', async () => {
    const x = tf.tensor2d(X);
    const w = tf.tensor2d(W);
    const lab = tf.tensor1d(labels, 'int32');
    expectNoLeak(() => {
      angularSoftmaxLogits(x, w, lab, { margin: 4, lambda: 5 }).dispose();
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(angularSoftmaxLogits(a as tf.Tensor2D, b as tf.Tensor2D, lab, { margin: 4, lambda: 5 })))([
        x,
        w,
      ]);
      g.forEach((t) => t.dispose());
    });
  });

  describe('required arguments', () => {
    const x = () => tf.ones([2, 3]) as tf.Tensor2D;
    const w = () => tf.ones([3, 4]) as tf.Tensor2D;
    const lab = () => tf.tensor1d([0, 5], 'int32');

    it('options { margin, lambda } and labels are required', () => {
      expect(() => angularSoftmaxLogits(x(), w(), lab(), undefined as unknown as AngularSoftmaxOptions)).toThrow(
        'angularSoftmaxLogits: options { margin, lambda } are required.',
      );
      expect(() => angularSoftmaxLogits(x(), w(), lab(), 4 as unknown as AngularSoftmaxOptions)).toThrow(
        'angularSoftmaxLogits: options { margin, lambda } are required.',
      );
      expect(() => angularSoftmaxLogits(x(), w(), lab(), null as unknown as AngularSoftmaxOptions)).toThrow(
        'angularSoftmaxLogits: options { margin, lambda } are required.',
      );
      expect(() => angularSoftmaxLogits(x(), w(), null as unknown as tf.Tensor, { margin: 4, lambda: 0 })).toThrow(
        'angularSoftmaxLogits: labels are required (class indices [B] or [B, 1]).',
      );
    });

    it('validateLabels: false is passed on (label 5 of 4 classes is then not read back), and the default checks on host backends', () => {
      if (!validatesLabelsByDefault()) return;
      expect(() => tf.dispose(angularSoftmaxLogits(x(), w(), lab(), { margin: 4, lambda: 0, validateLabels: false }))).not.toThrow();
      expect(() => angularSoftmaxLogits(x(), w(), lab(), { margin: 4, lambda: 0 })).toThrow(
        /labels must be integers in \[0, 4\), but the label at index 1 is 5/,
      );
    });
  });
});
