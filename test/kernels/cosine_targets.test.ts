// The fused cosine-margin target kernel and the fused L2 normalization (cpu and webgpu) against the
// composite ops they replace, which every other backend runs: same logits, same gradients in
// embeddings, kernel and the warm-up's progress, on the same inputs; and kernels per training step.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { HEADS } from '../../src/heads/registry.js';
import { COSINE_TARGETS } from '../../src/kernels/cosine_targets/names.js';
import { FUSED_KERNEL_BACKENDS, useFusedKernels } from '../../src/kernels/fused_kernels.js';
import { L2_NORMALIZE } from '../../src/kernels/l2_normalize/names.js';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';
import { adaFaceRunningMargin } from '../../src/margins/ada_face_margin.js';
import { arcFaceMargin } from '../../src/margins/arc_face_margin.js';
import { combinedCosineMargin } from '../../src/margins/combined_cosine_margin.js';
import { cosFaceMargin } from '../../src/margins/cos_face_margin.js';
import { curricularFaceMargin, curricularFaceRunningMargin } from '../../src/margins/curricular_face_margin.js';
import type { Margin } from '../../src/margins/margin.js';
import { sphereFace2Margin } from '../../src/margins/sphere_face2_margin.js';
import { sphereFaceRMargin } from '../../src/margins/sphere_face_r_margin.js';
import { warmedUpMargin } from '../../src/margins/margin_warmup.js';
import { l2Normalize } from '../../src/ops/l2_norm.js';
import { marginLogits } from '../../src/functional/margin_logits.js';
import type { Matrix } from '../reference/sphereface.js';
import { embeddingsAtAngles, expectClose, expectNoLeak, randomMatrix, toMatrix, transcendentalAtol } from '../helpers.js';

const fusedHere = FUSED_KERNEL_BACKENDS.includes(tf.getBackend());
const B = 6;
const D = 4;
const C = 5;
const S = 16;
const labels = [0, 1, 2, 3, 4, 2];
const W = randomMatrix(D, C, 51);

afterEach(() => {
  useFusedKernels(true);
});

/**
 * Logits (scale S) and the gradients of the mean cross-entropy in x, kernel and the warm-up's
 * progress t, fused or composite, for the margin `marginOf()` warmed up to t (t = null: no warm-up).
 */
async function run(fused: boolean, x: Matrix, ys: number[], marginOf: MarginOf, t: number | null): Promise<Matrix[]> {
  const before = useFusedKernels(fused);
  try {
    const lab = tf.tensor1d(ys, 'int32');
    const targets = tf.oneHot(
      tf.tensor1d(
        ys.map((y) => Math.min(Math.max(y, 0), C - 1)),
        'int32',
      ),
      C,
    );
    const logitsOf = (a: tf.Tensor, b: tf.Tensor, p: tf.Tensor) =>
      marginLogits(a as tf.Tensor2D, b as tf.Tensor2D, lab, {
        normalizeInput: true,
        scale: S,
        validateLabels: false,
        targetMargin: t == null ? marginOf(a as tf.Tensor2D) : warmedUpMargin(marginOf(a as tf.Tensor2D), p as tf.Scalar),
      });
    const inputs = [tf.tensor2d(x), tf.tensor2d(W), tf.scalar(t ?? 1)];
    const logits = logitsOf(inputs[0]!, inputs[1]!, inputs[2]!);
    // Without a warm-up the progress takes no part: no gradient in it (reported as 0).
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, p: tf.Tensor) => marginCrossEntropy(targets, logitsOf(a, b, p)))(
      t == null ? inputs.slice(0, 2) : inputs,
    );
    const inProgress = grads[2] == null ? 0 : (await grads[2].data())[0]!;
    return [await toMatrix(logits), await toMatrix(grads[0]!), await toMatrix(grads[1]!), [[inProgress]]];
  } finally {
    useFusedKernels(before);
  }
}

/** Fused and composite agree; `gain` bounds the margin's slope, which multiplies transcendental errors. */
async function expectSameAsComposite(x: Matrix, ys: number[], marginOf: MarginOf, t: number | null, gain = 1): Promise<void> {
  const [fused, composite] = [await run(true, x, ys, marginOf, t), await run(false, x, ys, marginOf, t)];
  const atol = 2e-5 + S * gain * transcendentalAtol();
  ['logits', 'dL/dx', 'dL/dkernel', 'dL/dt'].forEach((name, i) => {
    try {
      expectClose(fused[i]!, composite[i]!, atol, 1e-4);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
  });
}

/** A margin for the pass's embeddings x (AdaFace reads their norms; the others ignore them). */
type MarginOf = (x: tf.Tensor2D) => Margin;

/** AdaFace's margin from running statistics μ = 2.5, σ = 1 (norms of the test rows: about 1 to 3), h = 0.333, momentum 0.3. */
const adaFace =
  (commit?: (statistics: tf.Tensor1D) => void): MarginOf =>
  (x) =>
    adaFaceRunningMargin(0.4, { embeddings: x, mean: tf.scalar(2.5), std: tf.scalar(1), h: 0.333, tAlpha: 0.3, ...(commit != null ? { commit } : {}) });

const MARGINS: Array<[string, MarginOf]> = [
  ['CosFace m = 0.35', () => cosFaceMargin(0.35)],
  ['ArcFace m = 0.5', () => arcFaceMargin(0.5)],
  ['ArcFace m = 2.5 (its fallback past θ + m > π)', () => arcFaceMargin(2.5)],
  ['ArcFace m = 0.5, easy margin', () => arcFaceMargin(0.5, true)],
  ['combined (1, 0.3, 0.2)', () => combinedCosineMargin(1, 0.3, 0.2)],
  ['combined (1.35, 0.25, 0.1)', () => combinedCosineMargin(1.35, 0.25, 0.1)],
  ['SphereFace-R v0, m = 1.5', () => sphereFaceRMargin(1.5, 'v0')],
  ['SphereFace-R v0, m = 3 (k up to 2)', () => sphereFaceRMargin(3, 'v0')],
  ['SphereFace-R v1, m = 1.5', () => sphereFaceRMargin(1.5, 'v1')],
  ['SphereFace-R v2, m = 1.5 (non-targets rewritten)', () => sphereFaceRMargin(1.5, 'v2')],
  ['SphereFace2 C, m = 0.4, t = 3 (every entry rewritten)', () => sphereFace2Margin('C', 0.4, 3)],
  ['SphereFace2 A, m = 0.4, t = 3', () => sphereFace2Margin('A', 0.4, 3)],
  ['SphereFace2 M, m = 1.5, t = 2.5', () => sphereFace2Margin('M', 1.5, 2.5)],
  ['CurricularFace m = 0.5, t = 0.3 (hard negatives reweighted)', () => curricularFaceMargin(0.5, 0.3)],
  ['CurricularFace m = 0.5, t running from 0.2 with momentum 0.4', () => curricularFaceRunningMargin(0.5, tf.scalar(0.2), 0.4)],
  ['AdaFace m = 0.4 (scalers from running norm statistics)', adaFace()],
];

describe('fused cosine margins', () => {
  it(`${fusedHere ? 'serve' : 'do not serve'} the ${tf.getBackend()} backend, chosen from the margin's description, and useFusedKernels(false) turns them off`, async () => {
    const x = tf.tensor2d(randomMatrix(B, D, 52));
    const w = tf.tensor2d(W);
    const lab = tf.tensor1d(labels, 'int32');
    const ours = async (targetMargin: Margin | ((c: tf.Tensor) => tf.Tensor)) =>
      (
        await tf.profile(() => {
          tf.dispose(marginLogits(x, w, lab, { normalizeInput: true, scale: S, targetMargin, validateLabels: false }));
        })
      ).kernels
        .map((k) => k.name)
        .filter((n) => n.startsWith('TfjsAngularMargin'));
    const margin = arcFaceMargin(0.5);
    const fusedNames = [L2_NORMALIZE, L2_NORMALIZE, COSINE_TARGETS];
    expect(await ours({ ...margin })).toEqual(fusedHere ? fusedNames : []);
    expect(await ours(warmedUpMargin(margin, tf.scalar(0.5)))).toEqual(fusedHere ? fusedNames : []);
    expect(await ours((c) => margin.apply(c))).toEqual(fusedHere ? [L2_NORMALIZE, L2_NORMALIZE] : []);
    useFusedKernels(false);
    expect(await ours(margin)).toEqual([]);
    tf.dispose([x, w, lab]);
  });

  it('are registered for cpu and webgpu only', () => {
    for (const backend of ['cpu', 'webgpu', 'wasm', 'webgl', 'tensorflow']) {
      expect(tf.getKernel(COSINE_TARGETS, backend) != null).toBe(backend === 'cpu' || backend === 'webgpu');
    }
  });

  for (const [name, marginOf] of MARGINS) {
    it(`match the composite ops for ${name}: logits and gradients in x and kernel`, async () => {
      await expectSameAsComposite(randomMatrix(B, D, 53, 2), labels, marginOf, null);
    });
    it(`match the composite ops for ${name} at θ = 0 and π, 0.02 from them, and 1e-3 either side of θ + m = π`, async () => {
      // Not at θ = 1e-3: there a cosine's last bit moves sin θ by 6%, and the two paths' normalized
      // embeddings may differ in it (both are right to float32 rounding; the slope ~1/sin θ is not).
      const m = (marginOf(tf.zeros([1, D])).params as { margin?: number }).margin ?? 0.5;
      const thetas = [0, Math.PI, 0.02, Math.PI - 0.02, Math.PI - m - 1e-3, Math.PI - m + 1e-3];
      await expectSameAsComposite(
        embeddingsAtAngles(W, labels, thetas, 0, (b) => 1 + b / 2),
        labels,
        marginOf,
        null,
        1000,
      );
    });
    it(`match the composite ops for ${name} warmed up halfway, in the gradient in the progress too`, async () => {
      await expectSameAsComposite(randomMatrix(B, D, 54, 2), labels, marginOf, 0.5);
    });
  }

  it('match the composite ops for zero embeddings, zero columns, and labels outside [0, C) (no margin there)', async () => {
    const x = randomMatrix(B, D, 55);
    x[1] = [0, 0, 0, 0];
    await expectSameAsComposite(x, [0, 1, 7, 3, -1, 2], () => arcFaceMargin(0.5), 0.25);
  });

  it("hand CurricularFace's updated t to the margin's commit, the same fused and composite, and a row without a target counts 0", async () => {
    const x = tf.tensor2d(randomMatrix(B, D, 60, 2));
    const w = tf.tensor2d(W);
    const lab = tf.tensor1d([0, 1, 7, 3, -1, 2], 'int32');
    const committed = async (fused: boolean) => {
      const before = useFusedKernels(fused);
      let t: tf.Scalar | null = null;
      const margin = curricularFaceRunningMargin(0.5, tf.scalar(0.2), 0.4, (value) => {
        t = tf.keep(value);
      });
      const logits = marginLogits(x, w, lab, { normalizeInput: true, scale: S, validateLabels: false, targetMargin: margin });
      const unscaled = tf.div(logits, S);
      const value = (await t!.data())[0]!;
      const rows = await toMatrix(unscaled);
      useFusedKernels(before);
      tf.dispose([logits, unscaled, t!]);
      return { value, rows };
    };
    const [fused, composite] = [await committed(true), await committed(false)];
    expect(fused.value).toBeCloseTo(composite.value, 6);
    // The rows' target cosines are those the kernel left in place of the margin: recompute from x̂·ŵ.
    const cosines = await toMatrix(tf.matMul(l2Normalize(x, 1), l2Normalize(w, 0)));
    const targets = [0, 1, 7, 3, -1, 2].map((y, b) => (y >= 0 && y < C ? cosines[b]![y]! : 0));
    expect(fused.value).toBeCloseTo(0.4 * (targets.reduce((a, v) => a + v, 0) / B) + 0.6 * 0.2, 5);
    tf.dispose([x, w, lab]);
  });

  it("hand AdaFace's updated norm statistics to the margin's commit, the same fused and composite, as the reference computes them", async () => {
    const rows = randomMatrix(B, D, 61, 2);
    const x = tf.tensor2d(rows);
    const w = tf.tensor2d(W);
    const lab = tf.tensor1d(labels, 'int32');
    const committed = async (fused: boolean) => {
      const before = useFusedKernels(fused);
      let statistics: tf.Tensor | null = null;
      const margin = adaFace((value) => {
        statistics = tf.keep(value);
      })(x);
      tf.dispose(marginLogits(x, w, lab, { normalizeInput: true, scale: S, validateLabels: false, targetMargin: margin }));
      useFusedKernels(before);
      const values = Array.from(await statistics!.data());
      tf.dispose(statistics!);
      return values;
    };
    const [fused, composite] = [await committed(true), await committed(false)];
    expectClose(fused, composite, 1e-5, 1e-5);
    const norms = rows.map((r) => Math.min(100, Math.max(0.001, Math.hypot(...r))));
    const mean = norms.reduce((a, v) => a + v, 0) / B;
    const std = Math.sqrt(norms.reduce((a, v) => a + (v - mean) ** 2, 0) / (B - 1));
    expectClose(fused, [0.3 * mean + 0.7 * 2.5, 0.3 * std + 0.7 * 1], 1e-5, 1e-5);
    tf.dispose([x, w, lab]);
  });

  it('give the warm-up progress a gradient that a finite difference of the loss confirms', async () => {
    const x = randomMatrix(B, D, 56, 2);
    const lossAt = async (t: number) => {
      const lab = tf.tensor1d(labels, 'int32');
      const logits = marginLogits(tf.tensor2d(x), tf.tensor2d(W), lab, {
        normalizeInput: true,
        scale: S,
        validateLabels: false,
        targetMargin: warmedUpMargin(cosFaceMargin(0.35), tf.scalar(t)),
      });
      return (await marginCrossEntropy(tf.oneHot(lab, C), logits).data())[0]!;
    };
    const [, , , [[grad]]] = (await run(true, x, labels, () => cosFaceMargin(0.35), 0.5)) as [Matrix, Matrix, Matrix, [[number]]];
    const h = 1e-2; // the loss is smooth in t; float32 losses need a wide step
    expect(grad).toBeCloseTo(((await lossAt(0.5 + h)) - (await lossAt(0.5 - h))) / (2 * h), 3);
  });

  it('leave no tensors behind, forward or backward', () => {
    const x = tf.tensor2d(randomMatrix(B, D, 57));
    const w = tf.tensor2d(W);
    const lab = tf.tensor1d(labels, 'int32');
    const targets = tf.oneHot(lab, C);
    const progress = tf.scalar(0.5);
    expectNoLeak(() => {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, p: tf.Tensor) =>
        marginCrossEntropy(
          targets,
          marginLogits(a as tf.Tensor2D, b as tf.Tensor2D, lab, {
            normalizeInput: true,
            scale: S,
            validateLabels: false,
            targetMargin: warmedUpMargin(arcFaceMargin(0.5), p as tf.Scalar),
          }),
        ),
      )([x, w, progress]);
      tf.dispose(grads);
    });
    tf.dispose([x, w, lab, targets, progress]);
  });
});

describe('fused L2 normalization', () => {
  for (const axis of [0, 1, -1] as const) {
    it(`matches the composite op along axis ${axis}, values and gradient, for zero vectors and norms near float32's largest`, async () => {
      const rows = randomMatrix(4, 3, 58, 2);
      rows[1] = [0, 0, 0];
      rows[2] = [3e37, -4e37, 1e37];
      const valueAndGrad = async (fused: boolean) => {
        const before = useFusedKernels(fused);
        const x = tf.tensor2d(rows);
        const weights = tf.tensor2d(randomMatrix(4, 3, 59));
        const value = l2Normalize(x, axis);
        const [grad] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(l2Normalize(a, axis), weights)))([x]);
        useFusedKernels(before);
        return [await toMatrix(value), await toMatrix(grad!)];
      };
      const [fused, composite] = [await valueAndGrad(true), await valueAndGrad(false)];
      expectClose(fused[0]!, composite[0]!, 1e-6, 1e-5);
      // Gradients scale as 1/‖x‖: compare relative to each entry (the huge row's are ~1e-38).
      expectClose(fused[1]!, composite[1]!, 1e-6, 1e-4);
      expect(fused[0]![2]!.every(Number.isFinite)).toBe(true);
    });
  }
});

describe('kernels per training step', () => {
  // Every head of the registry, as bench/heads.ts counts them: one SGD step of the head on fixed
  // embeddings, views and op scopes left out. At most 44 where fused kernels serve (a Dense head:
  // 31); where they do not, the composite ops run more.
  for (const kind of Object.keys(HEADS) as Array<keyof typeof HEADS>) {
    it(`${kind}: ${fusedHere ? 'at most 44' : 'counted'} on ${tf.getBackend()}`, async () => {
      const x = tf.randomNormal([8, 16], 0, 1, 'float32', 1);
      const lab = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
      const targets = tf.oneHot(lab, 10);
      const head = (HEADS[kind] as { create(args: { units: number }): { apply(inputs: tf.Tensor[], kwargs: object): unknown } }).create({ units: 10 });
      const forward = () => head.apply([x, lab], { training: true }) as tf.Tensor;
      tf.tidy(forward);
      const optimizer = tf.train.sgd(0.01);
      const profile = await tf.profile(() => {
        optimizer.minimize(() => marginCrossEntropy(targets, forward()), true)?.dispose();
      });
      const count = profile.kernels.map((k) => k.name).filter((n) => n !== 'Reshape' && n !== 'Identity' && !n.endsWith('__op')).length;
      if (fusedHere) expect(count).toBeLessThanOrEqual(44);
      else expect(count).toBeGreaterThan(44);
      optimizer.dispose();
      tf.dispose([x, lab, targets]);
    });
  }
});

describe('WebGPU programs of the margin kernels', () => {
  // tfjs compiles one pipeline per shader key: the margins' values and scales are uniforms, so
  // heads that differ only in them — a sweep, or a schedule — share every program.
  it.runIf(tf.getBackend() === 'webgpu')(
    'are named by the formula alone: other margins, scales, λ schedules and 100 warm-up steps compile no new pipeline, and compute their own values',
    async () => {
      const backend = tf.backend() as unknown as { runWebGPUProgram: (program: { shaderKey: string }, ...rest: unknown[]) => unknown };
      const run = backend.runWebGPUProgram.bind(backend);
      const keys = new Set<string>();
      backend.runWebGPUProgram = (program, ...rest) => {
        if (program.shaderKey.startsWith('tfjsAngularMargin')) keys.add(program.shaderKey);
        return run(program, ...rest);
      };
      try {
        const x = tf.randomNormal([6, 8], 0, 1, 'float32', 3);
        const lab = tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32');
        const targets = tf.oneHot(lab, 5);
        const step = async (kind: 'cosFace' | 'arcFace' | 'curricularFace' | 'adaFace' | 'angularSoftmax', args: Record<string, number>) => {
          const head = (HEADS[kind] as { create(a: object): { apply(i: tf.Tensor[], k: object): unknown } }).create({ units: 5, ...args });
          tf.tidy(() => head.apply([x, lab], {}) as tf.Tensor); // builds its weights
          const optimizer = tf.train.sgd(0.01);
          const loss = optimizer.minimize(() => marginCrossEntropy(targets, head.apply([x, lab], { training: true }) as tf.Tensor), true)!;
          const value = (await loss.data())[0]!;
          tf.dispose([loss]);
          optimizer.dispose();
          return value;
        };
        const sweep = async (kind: 'cosFace' | 'arcFace' | 'curricularFace' | 'adaFace' | 'angularSoftmax', settings: Array<Record<string, number>>) => {
          keys.clear();
          const losses: number[] = [];
          for (const args of settings) {
            const before = keys.size;
            losses.push(await step(kind, args));
            if (losses.length > 1) expect({ kind, args, newPrograms: keys.size - before }).toEqual({ kind, args, newPrograms: 0 });
          }
          expect(new Set(losses).size).toBe(settings.length); // each setting its own values
        };
        await sweep('cosFace', [
          { margin: 0.2, scale: 16 },
          { margin: 0.35, scale: 64 },
          { margin: 0.5, scale: 30 },
        ]);
        await sweep('arcFace', [{ margin: 0.3 }, { margin: 0.5, scale: 32 }]);
        await sweep('curricularFace', [{ margin: 0.3 }, { margin: 0.5 }]);
        await sweep('adaFace', [{ margin: 0.3 }, { margin: 0.4, h: 0.5 }]);
        await sweep('angularSoftmax', [{ lambdaBase: 100 }, { lambdaBase: 1000, lambdaGamma: 0.5 }, { lambdaMin: 2 }]);
        // A margin warm-up changes the progress every step, and CurricularFace's and AdaFace's state
        // every pass: 100 steps compile no program after the first.
        for (const kind of ['cosFace', 'curricularFace', 'adaFace'] as const) {
          const head = (HEADS[kind] as { create(a: object): { apply(i: tf.Tensor[], k: object): unknown } }).create({ units: 5, marginWarmupSteps: 100 });
          tf.tidy(() => head.apply([x, lab], {}) as tf.Tensor); // builds its weights
          const optimizer = tf.train.sgd(0.01);
          keys.clear();
          let afterFirst = 0;
          for (let i = 0; i < 100; i++) {
            optimizer.minimize(() => marginCrossEntropy(targets, head.apply([x, lab], { training: true }) as tf.Tensor), true)?.dispose();
            if (i === 0) afterFirst = keys.size;
          }
          expect({ kind, programs: keys.size }).toEqual({ kind, programs: afterFirst });
          expect(afterFirst).toBeGreaterThan(0);
          optimizer.dispose();
        }
        tf.dispose([x, lab, targets]);
      } finally {
        backend.runWebGPUProgram = run;
      }
    },
  );
});
