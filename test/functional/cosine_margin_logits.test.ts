import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { arcFaceMargin } from '../../src/margins/arc_face_margin.js';
import { combinedCosineMargin } from '../../src/margins/combined_cosine_margin.js';
import { arcFaceLogits, combinedMarginLogits, cosFaceLogits } from '../../src/functional/cosine_margin_logits.js';
import { arcFaceRef, combinedMarginRef, cosFaceRef, crossEntropyRef, numericGradient, type Matrix } from '../reference/sphereface.js';
import { allFinite, crossEntropyGradients, embeddingsAtAngles, expectClose, expectNoLeak, randomMatrix, toMatrix, transcendentalAtol } from '../helpers.js';

const B = 6;
const D = 4;
const C = 5;
const LABELS = [0, 1, 2, 3, 4, 2];
const X = randomMatrix(B, D, 31, 2);
const W = randomMatrix(D, C, 32);

type Lib = (x: tf.Tensor2D, w: tf.Tensor2D, labels: tf.Tensor) => tf.Tensor2D;
interface Case {
  name: string;
  lib: Lib;
  ref: (x: Matrix, w: Matrix, labels: number[]) => Matrix;
}

const cases: Case[] = [
  { name: 'CosFace s=4 m=0.35', lib: (x, w, l) => cosFaceLogits(x, w, l, { scale: 4, margin: 0.35 }), ref: (x, w, l) => cosFaceRef(x, w, l, 4, 0.35) },
  { name: 'CosFace defaults s=64 m=0.35', lib: (x, w, l) => cosFaceLogits(x, w, l), ref: (x, w, l) => cosFaceRef(x, w, l, 64, 0.35) },
  { name: 'ArcFace s=4 m=0.5', lib: (x, w, l) => arcFaceLogits(x, w, l, { scale: 4, margin: 0.5 }), ref: (x, w, l) => arcFaceRef(x, w, l, 4, 0.5) },
  {
    name: 'ArcFace s=4 m=1.2 (fallback region)',
    lib: (x, w, l) => arcFaceLogits(x, w, l, { scale: 4, margin: 1.2 }),
    ref: (x, w, l) => arcFaceRef(x, w, l, 4, 1.2),
  },
  {
    name: 'ArcFace s=4 m=0.5 easy margin',
    lib: (x, w, l) => arcFaceLogits(x, w, l, { scale: 4, margin: 0.5, easyMargin: true }),
    ref: (x, w, l) => arcFaceRef(x, w, l, 4, 0.5, true),
  },
  {
    name: 'CombinedMargin s=4 (1, 0.3, 0.2)',
    lib: (x, w, l) => combinedMarginLogits(x, w, l, { scale: 4, m1: 1, m2: 0.3, m3: 0.2 }),
    ref: (x, w, l) => combinedMarginRef(x, w, l, 4, 1, 0.3, 0.2),
  },
  {
    name: 'CombinedMargin s=4 (0.9, 0.4, 0.15)',
    lib: (x, w, l) => combinedMarginLogits(x, w, l, { scale: 4, m1: 0.9, m2: 0.4, m3: 0.15 }),
    ref: (x, w, l) => combinedMarginRef(x, w, l, 4, 0.9, 0.4, 0.15),
  },
];

/** Embeddings at chosen angles to their target column: 0 and π (cos θ = ±1), and ordinary ones. */
const atAngles = (thetas: number[]): Matrix => embeddingsAtAngles(W, LABELS, thetas, 1, (b) => 1 + b / 4);

function grads(lib: Lib, x: Matrix): Promise<[Matrix, Matrix]> {
  const labels = tf.tensor1d(LABELS, 'int32');
  return crossEntropyGradients((a, b) => lib(a, b, labels), LABELS, x, W);
}

describe('cosine-margin logits (CosFace, ArcFace, combined)', () => {
  for (const c of cases) {
    it(`${c.name}: logits match the float64 reference`, async () => {
      const labels = tf.tensor1d(LABELS, 'int32');
      const scale = c.name.includes('s=64') ? 64 : 4;
      expectClose(await toMatrix(c.lib(tf.tensor2d(X), tf.tensor2d(W), labels)), c.ref(X, W, LABELS), Math.max(2e-5, transcendentalAtol()) * scale, 1e-5);
    });

    it(`${c.name}: gradients in x and kernel match the float64 reference`, async () => {
      const x = atAngles([0.3, 1.1, 2.0, 2.9, 0.05, 1.6]);
      const [gx, gw] = await grads(c.lib, x);
      const ref = (xx: Matrix, ww: Matrix) => crossEntropyRef(c.ref(xx, ww, LABELS), LABELS);
      const scale = c.name.includes('s=64') ? 64 : 4;
      expectClose(
        gx,
        numericGradient((xx) => ref(xx, W), x),
        2e-4 * scale,
        2e-3,
      );
      expectClose(
        gw,
        numericGradient((ww) => ref(x, ww), W),
        2e-4 * scale,
        2e-3,
      );
    });

    it(`${c.name}: finite logits and gradients at cos θ = ±1 and for zero embeddings`, async () => {
      for (const x of [atAngles([0, Math.PI]), [[0, 0, 0, 0], ...atAngles([0]).slice(1)]]) {
        const labels = tf.tensor1d(LABELS, 'int32');
        expect(await allFinite(c.lib(tf.tensor2d(x), tf.tensor2d(W), labels))).toBe(true);
        const [gx, gw] = await grads(c.lib, x);
        expect(gx.flat().every(Number.isFinite) && gw.flat().every(Number.isFinite)).toBe(true);
      }
    });
  }

  it('ArcFace takes its fallback exactly where θ + m > π', async () => {
    const m = 1.2;
    const x = atAngles([Math.PI - m - 0.05, Math.PI - m + 0.05]);
    const logits = await toMatrix(arcFaceLogits(tf.tensor2d(x), tf.tensor2d(W), tf.tensor1d(LABELS, 'int32'), { scale: 1, margin: m }));
    const c0 = Math.cos(Math.PI - m - 0.05);
    const c1 = Math.cos(Math.PI - m + 0.05);
    expect(logits[0]![0]).toBeCloseTo(Math.cos(Math.PI - 0.05), 4);
    expect(logits[1]![1]).toBeCloseTo(c1 - m * Math.sin(m), 4);
    expect(logits[0]![0]).not.toBeCloseTo(c0 - m * Math.sin(m), 2);
  });

  it('rejects bad parameters, saying what was expected and what came', async () => {
    const [x, w, l] = [tf.tensor2d(X), tf.tensor2d(W), tf.tensor1d(LABELS, 'int32')];
    expect(() => cosFaceLogits(x, w, l, { scale: -1 })).toThrow(/^cosFaceLogits: scale must be a finite number > 0, but got -1/);
    expect(() => cosFaceLogits(x, w, l, { margin: -0.1 })).toThrow(/CosFace: margin must be a number in \[0, 2\), but got -0.1/);
    expect(() => arcFaceLogits(x, w, l, { margin: 4 })).toThrow(/ArcFace: margin must be a number in \[0, π\), but got 4/);
    expect(() => arcFaceLogits(x, w, l, { scale: 0 })).toThrow(/^arcFaceLogits: scale must be a finite number > 0, but got 0/);
    expect(() => combinedMarginLogits(x, w, l, { scale: 0 })).toThrow(/^combinedMarginLogits: scale must be a finite number > 0, but got 0/);
    expect(() => combinedMarginLogits(x, w, l, { m1: 0 })).toThrow('CombinedMargin: m1 must be a finite number > 0, but got 0.');
    expect(() => combinedMarginLogits(x, w, l, { m2: Number.NaN })).toThrow(/m2 must be a number in \[0, π\), but got NaN/);
    expect(() => combinedMarginLogits(x, w, l, { m3: 2 })).toThrow(/m3 must be a number in \[0, 2\), but got 2/);
  });

  it('leaks no tensors', async () => {
    const [x, w, l] = [tf.tensor2d(X), tf.tensor2d(W), tf.tensor1d(LABELS, 'int32')];
    expectNoLeak(() => {
      for (const c of cases) {
        c.lib(x, w, l).dispose();
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(c.lib(a as tf.Tensor2D, b as tf.Tensor2D, l)))([x, w]).forEach((g) => g.dispose());
      }
    });
  });
});

describe('cosine margins at the ends of [−1, 1]', () => {
  // Target cosines at θ = 0, 1e-3, 0.02, π − 1e-3 and π, as float32 (what the heads compute).
  const thetas = [0, 1e-3, 0.02, Math.PI - 1e-3, Math.PI];
  const cosines = thetas.map((t) => Math.fround(Math.cos(t)));
  const margins = [
    {
      name: 'ArcFace m = 0.5',
      margin: arcFaceMargin(0.5),
      ref: (c: number) => (Math.acos(c) + 0.5 <= Math.PI ? Math.cos(Math.acos(c) + 0.5) : c - 0.5 * Math.sin(0.5)),
      slopeBound: Math.cos(0.5) + 1000 * Math.sin(0.5),
    },
    {
      name: 'combined (1.2, 0.3, 0.2)',
      margin: combinedCosineMargin(1.2, 0.3, 0.2),
      ref: (c: number) => Math.cos(1.2 * Math.acos(c) + 0.3) - 0.2,
      slopeBound: 1.2 * 1000,
      deviceCos: (c: number) => 1.2 * Math.acos(c) + 0.3,
    },
  ] as Array<{ name: string; margin: ReturnType<typeof arcFaceMargin>; ref: (c: number) => number; slopeBound: number; deviceCos?: (c: number) => number }>;
  for (const m of margins) {
    it(`${m.name}: exact values (float64 of the same float32 cosines, within 1e-6 relative) and gradients bounded as documented`, async () => {
      const c = tf.tensor1d(cosines);
      const values = await m.margin.apply(c).data();
      // The combined margin calls the backend's cos; where that is itself less accurate than 1e-6
      // (SwiftShader's WGSL cos: ~1.4e-4), allow its own error at the same arguments, no more.
      const cosError =
        m.deviceCos == null
          ? 0
          : Math.max(...Array.from(await tf.cos(tf.tensor1d(cosines.map(m.deviceCos))).data(), (v, i) => Math.abs(v - Math.cos(m.deviceCos!(cosines[i]!)))));
      cosines.forEach((ci, i) => {
        const want = m.ref(ci);
        expect(Math.abs(values[i]! - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)) + 2 * cosError);
      });
      const slopes = await tf
        .grad((x: tf.Tensor) => tf.sum(m.margin.apply(x)))(c)
        .data();
      for (const s of slopes) {
        expect(Number.isFinite(s)).toBe(true);
        expect(Math.abs(s)).toBeLessThanOrEqual(m.slopeBound * (1 + 1e-5));
      }
      // Away from the ends, the derivative is the exact one (central differences in float64).
      const inner = tf.tensor1d([Math.fround(Math.cos(0.7))]);
      const [slope] = await tf
        .grad((x: tf.Tensor) => tf.sum(m.margin.apply(x)))(inner)
        .data();
      const h = 1e-6;
      const c0 = Math.fround(Math.cos(0.7));
      expect(slope).toBeCloseTo((m.ref(c0 + h) - m.ref(c0 - h)) / (2 * h), 3);
      tf.dispose([c, inner]);
    });
  }
});
