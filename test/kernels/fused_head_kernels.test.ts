// The fused head kernels (cpu and webgpu) against the composite ops they replace, which every other
// backend runs: same logits, same gradients in embeddings, kernel and λ, on the same inputs.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { angularMargin, scheduledAngularMargin } from '../../src/margins/angular_margin.js';
import type { TargetMargin } from '../../src/margins/margin.js';
import { angularSoftmaxLogits } from '../../src/functional/angular_softmax_logits.js';
import { marginLogits } from '../../src/functional/margin_logits.js';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';
import { ANGULAR_TARGETS } from '../../src/kernels/angular_targets/names.js';
import { L2_NORMALIZE } from '../../src/kernels/l2_normalize/names.js';
import { FUSED_KERNEL_BACKENDS, useFusedKernels } from '../../src/kernels/fused_kernels.js';
import { angularLogitsRef, crossEntropyRef, type Matrix } from '../reference/sphereface.js';
import { embeddingsAtAngles, expectClose, expectNoLeak, randomMatrix, toMatrix } from '../helpers.js';

const fusedHere = FUSED_KERNEL_BACKENDS.includes(tf.getBackend());
const B = 6;
const D = 4;
const C = 5;
const labels = [0, 1, 2, 3, 4, 2];
const W = randomMatrix(D, C, 21);

afterEach(() => {
  useFusedKernels(true);
});

/**
 * Logits and the gradients of the mean cross-entropy in x, kernel and a scalar `s` (λ, or the
 * iteration count of a schedule), fused or composite, for the A-Softmax margin `marginOf(s)`.
 */
async function run(fused: boolean, x: Matrix, w: Matrix, ys: number[], s: number, marginOf: (s: tf.Scalar) => TargetMargin): Promise<Matrix[]> {
  const before = useFusedKernels(fused);
  try {
    const lab = tf.tensor1d(ys, 'int32');
    const targets = tf.oneHot(
      tf.tensor1d(
        ys.map((y) => Math.min(Math.max(y, 0), w[0]!.length - 1)),
        'int32',
      ),
      w[0]!.length,
    );
    const logitsOf = (a: tf.Tensor, b: tf.Tensor, l: tf.Tensor) =>
      marginLogits(a as tf.Tensor2D, b as tf.Tensor2D, lab, { targetMargin: marginOf(l as tf.Scalar), validateLabels: false });
    const inputs = [tf.tensor2d(x), tf.tensor2d(w), tf.scalar(s)];
    const logits = logitsOf(inputs[0]!, inputs[1]!, inputs[2]!);
    const [gx, gw, gl] = tf.grads((a: tf.Tensor, b: tf.Tensor, l: tf.Tensor) => marginCrossEntropy(targets, logitsOf(a, b, l)))(inputs);
    return [await toMatrix(logits), await toMatrix(gx!), await toMatrix(gw!), [[(await gl!.data())[0]!]]];
  } finally {
    useFusedKernels(before);
  }
}

/** The A-Softmax margin with λ given as a tensor, as angularSoftmaxLogits applies it. */
const withLambda = (m: number) => (lambda: tf.Scalar) => angularMargin(m, lambda);

async function expectSameAsComposite(x: Matrix, w: Matrix, ys: number[], m: number, lambda: number): Promise<void> {
  const fused = await run(true, x, w, ys, lambda, withLambda(m));
  const composite = await run(false, x, w, ys, lambda, withLambda(m));
  const tol = 2e-5 * m * m;
  ['logits', 'dL/dx', 'dL/dkernel', 'dL/dλ'].forEach((name, i) => {
    try {
      expectClose(fused[i]!, composite[i]!, tol, 1e-4);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
  });
}

/** One forward and backward pass of an A-Softmax head (m = 4, λ = 5) in x and kernel, its gradients disposed. */
function headStep(x: tf.Tensor, w: tf.Tensor, lab: tf.Tensor, targets: tf.Tensor): void {
  const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    marginCrossEntropy(targets, angularSoftmaxLogits(a as tf.Tensor2D, b as tf.Tensor2D, lab, { margin: 4, lambda: 5, validateLabels: false })),
  )([x, w]);
  tf.dispose([gx!, gw!]);
}

/** Kernel names of {@link headStep}. */
async function kernelsOfStep(): Promise<string[]> {
  const x = tf.tensor2d(randomMatrix(B, D, 22));
  const w = tf.tensor2d(W);
  const lab = tf.tensor1d(labels, 'int32');
  const targets = tf.oneHot(lab, C);
  const profile = await tf.profile(() => headStep(x, w, lab, targets));
  tf.dispose([x, w, lab, targets]);
  return profile.kernels.map((k) => k.name);
}

describe('fused head kernels', () => {
  it(`${fusedHere ? 'serve' : 'do not serve'} the ${tf.getBackend()} backend, forward and backward, and useFusedKernels(false) turns them off`, async () => {
    const names = await kernelsOfStep();
    const ours = names.filter((n) => n.startsWith('TfjsAngularMargin')).sort();
    expect(ours).toEqual(
      fusedHere
        ? [
            'TfjsAngularMarginAngularTargets',
            'TfjsAngularMarginAngularTargetsGrad',
            'TfjsAngularMarginAngularTargetsGrad',
            'TfjsAngularMarginL2Normalize',
            'TfjsAngularMarginL2NormalizeGrad',
          ]
        : [],
    );
    useFusedKernels(false);
    expect((await kernelsOfStep()).filter((n) => n.startsWith('TfjsAngularMargin'))).toEqual([]);
  });

  it("are chosen from the margin's description: a copy of the value keeps them, a plain function runs composite ops", async () => {
    const x = tf.tensor2d(randomMatrix(B, D, 23));
    const w = tf.tensor2d(W);
    const lab = tf.tensor1d(labels, 'int32');
    const ours = async (targetMargin: TargetMargin) =>
      (
        await tf.profile(() => {
          tf.dispose(marginLogits(x, w, lab, { targetMargin, validateLabels: false }));
        })
      ).kernels
        .map((k) => k.name)
        .filter((n) => n === ANGULAR_TARGETS);
    const margin = angularMargin(4, 5);
    expect(await ours({ ...margin })).toEqual(fusedHere ? [ANGULAR_TARGETS] : []);
    expect(await ours((c) => margin.apply(c))).toEqual([]);
    tf.dispose([x, w, lab]);
  });

  it('are registered for cpu and webgpu only', () => {
    for (const backend of ['cpu', 'webgpu', 'wasm', 'webgl', 'tensorflow']) {
      const expected = backend === 'cpu' || backend === 'webgpu';
      expect(tf.getKernel(L2_NORMALIZE, backend) != null).toBe(expected);
      expect(tf.getKernel(ANGULAR_TARGETS, backend) != null).toBe(expected);
    }
  });

  for (let m = 1; m <= 5; m++) {
    for (const lambda of [0, 5]) {
      it(`match the composite ops in logits and in gradients in x, kernel and λ for m = ${m}, λ = ${lambda}`, async () => {
        await expectSameAsComposite(randomMatrix(B, D, 30 + m, 2), W, labels, m, lambda);
      });
    }
    it(`match the composite ops at cos θ = ±1 and on and beside the interval boundaries for m = ${m}`, async () => {
      const thetas = [0, Math.PI, Math.PI / m, (2 * Math.PI) / m + 1e-3, Math.PI / m - 1e-3, 0.5];
      await expectSameAsComposite(
        embeddingsAtAngles(W, labels, thetas, 0, (b) => 1 + b / 2),
        W,
        labels,
        m,
        5,
      );
    });
  }

  it('match the composite ops for zero embeddings, zero columns, and labels outside [0, C) (no margin there)', async () => {
    const x = randomMatrix(B, D, 40);
    x[1] = [0, 0, 0, 0];
    const w = W.map((row) => row.map((v, j) => (j === 3 ? 0 : v)));
    await expectSameAsComposite(x, w, [0, 1, 7, 3, -1, 2], 4, 0);
  });

  for (const iteration of [3, 400]) {
    it(`match the composite ops with λ scheduled from the iteration count (${iteration}: λ ${iteration < 100 ? 'above' : 'at'} its floor), in its gradient too`, async () => {
      const schedule = { base: 100, gamma: 0.5, power: 1.5, min: 2 };
      const x = randomMatrix(B, D, 43, 2);
      const scheduled = (count: tf.Scalar) => scheduledAngularMargin(4, count, schedule);
      const results = (fused: boolean) => run(fused, x, W, labels, iteration, scheduled);
      const [fused, composite] = [await results(true), await results(false)];
      fused.forEach((value, i) => expectClose(value, composite[i]!, 1e-5, 1e-4));
      if (iteration >= 100) expect(Math.abs(fused[3]![0]![0]!)).toBe(0);
      else expect(Math.abs(fused[3]![0]![0]!)).toBeGreaterThan(1e-6);
    });
  }

  it('give the gradient in λ of the float64 reference', async () => {
    const x = randomMatrix(B, D, 41, 2);
    const [, , , [[grad]]] = (await run(true, x, W, labels, 3, withLambda(4))) as [Matrix, Matrix, Matrix, [[number]]];
    const h = 1e-5;
    const loss = (l: number) => crossEntropyRef(angularLogitsRef(x, W, labels, 4, l), labels);
    expect(grad).toBeCloseTo((loss(3 + h) - loss(3 - h)) / (2 * h), 4);
  });

  it('give, beyond 65,535 workgroups of 64 threads (B·C > 4.2 M), the composite values of a head on the same columns', async () => {
    // Column j's logits and kernel gradient depend on column j alone: a head on a few of the 1.1 M
    // columns (first and last, where the threads past the 4.2 M-th write) must agree with the big one.
    const classes = 1_100_000;
    const picked = [0, 1, 2, 3, classes - 4, classes - 3, classes - 2, classes - 1];
    const x = tf.randomNormal([4, 2], 0, 3, 'float32', 6) as tf.Tensor2D;
    const big = tf.randomNormal([2, classes], 0, 1, 'float32', 5);
    const small = tf.gather(big, tf.tensor1d(picked, 'int32'), 1);
    const margin = angularMargin(4, 1);
    const valuesAndGradient = (w: tf.Tensor, labels: number[]) =>
      tf.tidy(() => {
        const lab = tf.tensor1d(labels, 'int32');
        const logitsOf = (k: tf.Tensor) => marginLogits(x, k as tf.Tensor2D, lab, { targetMargin: margin, validateLabels: false });
        const [gw] = tf.grads((k: tf.Tensor) => tf.sum(tf.square(logitsOf(k))))([w]);
        return [logitsOf(w), gw!];
      });
    const [bigLogits, bigGrad] = valuesAndGradient(big, [0, 3, classes - 4, classes - 1]);
    const columns = tf.tensor1d(picked, 'int32');
    const fused = [tf.gather(bigLogits!, columns, 1), tf.gather(bigGrad!, columns, 1)];
    useFusedKernels(false);
    const composite = valuesAndGradient(small, [0, 3, 4, 7]);
    expectClose(await toMatrix(fused[0]!), await toMatrix(composite[0]!), 1e-4, 1e-4);
    expectClose(await toMatrix(fused[1]!), await toMatrix(composite[1]!), 1e-4, 1e-4);
    tf.dispose([x, big, small, bigLogits!, bigGrad!, columns, ...fused, ...composite]);
  });

  it('leak no tensors, forward or backward', () => {
    const x = tf.tensor2d(randomMatrix(B, D, 42));
    const w = tf.tensor2d(W);
    const lab = tf.tensor1d(labels, 'int32');
    const targets = tf.oneHot(lab, C);
    expectNoLeak(() => headStep(x, w, lab, targets));
    tf.dispose([x, w, lab, targets]);
  });

  it('rejects a switch that is not a boolean', () => {
    expect(() => useFusedKernels('yes' as unknown as boolean)).toThrow(/useFusedKernels: on must be a boolean/);
  });
});
