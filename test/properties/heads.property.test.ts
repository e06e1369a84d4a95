// Property-based tests (fast-check): statements that must hold for any input, checked on random
// ones — sizes from 1, zeros, magnitudes from 1e-30 to 1e30 — on every backend lane. Seeds are
// fixed, so that CI is reproducible; fast-check prints the failing input and seed otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { HEADS, type HeadKind } from '../../src/heads/registry.js';
import { angularSoftmaxLogits } from '../../src/functional/angular_softmax_logits.js';
import { arcFaceLogits, combinedMarginLogits, cosFaceLogits } from '../../src/functional/cosine_margin_logits.js';
import { fileSystem } from '../../src/node.js';

const RUNS = { numRuns: 25, seed: 20261129 };

/** A batch: B embeddings of dimension D (magnitudes up to 1e30, zeros included), a kernel [D, C] with C >= minClasses, and labels. */
const batchOf = (minClasses: number) =>
  fc.record({ b: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: minClasses, max: 5 }) }).chain(({ b, d, c }) =>
    fc.record({
      x: fc.array(
        fc.array(
          fc.oneof(fc.constant(0), fc.float({ min: Math.fround(-1e30), max: Math.fround(1e30), noNaN: true }), fc.float({ min: -10, max: 10, noNaN: true })),
          { minLength: d, maxLength: d },
        ),
        { minLength: b, maxLength: b },
      ),
      w: fc.array(fc.array(fc.oneof(fc.constant(0), fc.float({ min: -10, max: 10, noNaN: true })), { minLength: c, maxLength: c }), {
        minLength: d,
        maxLength: d,
      }),
      labels: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: b, maxLength: b }),
    }),
  );
const batch = batchOf(1);

type Logits = (x: tf.Tensor2D, w: tf.Tensor2D, labels: tf.Tensor1D) => tf.Tensor2D;
const OPS: Array<[string, Logits]> = [
  ['A-Softmax m = 4, λ = 0', (x, w, l) => angularSoftmaxLogits(x, w, l, { margin: 4, lambda: 0 })],
  ['A-Softmax m = 3, λ = 5', (x, w, l) => angularSoftmaxLogits(x, w, l, { margin: 3, lambda: 5 })],
  ['CosFace', (x, w, l) => cosFaceLogits(x, w, l)],
  ['ArcFace', (x, w, l) => arcFaceLogits(x, w, l)],
  ['combined margin', (x, w, l) => combinedMarginLogits(x, w, l, { m1: 1, m2: 0.3, m3: 0.2 })],
];

async function finite(t: tf.Tensor): Promise<boolean> {
  return Array.from(await t.data()).every(Number.isFinite);
}

describe('properties', () => {
  for (const [name, logitsOf] of OPS) {
    it(`${name}: finite logits and gradients for any finite input`, async () => {
      await fc.assert(
        fc.asyncProperty(batch, async ({ x, w, labels }) => {
          const [xs, ws, ls] = [tf.tensor2d(x), tf.tensor2d(w), tf.tensor1d(labels, 'int32')];
          const logits = logitsOf(xs, ws, ls);
          // Gradients of the logits scaled down, so that their sum stays finite for norms of 1e30.
          const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.div(logitsOf(a as tf.Tensor2D, b as tf.Tensor2D, ls), 1e30)))([xs, ws]);
          const ok = (await finite(logits)) && (await finite(grads[0]!)) && (await finite(grads[1]!));
          tf.dispose([xs, ws, ls, logits, ...grads]);
          return ok;
        }),
        RUNS,
      );
    });
  }

  const layers: HeadKind[] = ['angularSoftmax', 'sphereFaceR', 'cosFace', 'arcFace'];
  for (const kind of layers) {
    it(`${kind}: training changes only the target logits, and never raises them`, async () => {
      await fc.assert(
        fc.asyncProperty(batch, async ({ x, w, labels }) => {
          // A-Softmax with λ = 0 throughout: the full margin.
          const args = kind === 'angularSoftmax' ? { units: w[0]!.length, lambdaBase: 0, lambdaMin: 0 } : { units: w[0]!.length };
          const head = (HEADS[kind] as { create(a: typeof args): tfl.layers.Layer }).create(args);
          const [xs, ls] = [tf.tensor2d(x), tf.tensor1d(labels, 'int32')];
          head.build([xs.shape, ls.shape]);
          head.setWeights([tf.tensor2d(w), ...head.getWeights().slice(1)]);
          const train = (await (head.apply([xs, ls], { training: true }) as tf.Tensor).array()) as number[][];
          const infer = (await (head.apply([xs, ls], { training: false }) as tf.Tensor).array()) as number[][];
          tf.dispose([xs, ls]);
          return train.every((row, i) =>
            row.every((v, j) => {
              const plain = infer[i]![j]!;
              if (j !== labels[i]) return v === plain;
              return v <= plain + 1e-5 * Math.max(1, Math.abs(plain));
            }),
          );
        }),
        RUNS,
      );
    });
  }

  it('save → load round-trips every head bit-identically', async () => {
    const kinds = Object.keys(HEADS) as HeadKind[];
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-am-property-'));
    try {
      // Two classes at least: every head classifies (SphereFace2 refuses one).
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...kinds), batchOf(2), async (kind, { x, w, labels }) => {
          const input = tfl.input({ shape: [x[0]!.length] });
          const labelInput = tfl.input({ shape: [1] });
          const head = (HEADS[kind] as { create(args: { units: number }): tfl.layers.Layer }).create({ units: w[0]!.length });
          const model = tfl.model({ inputs: [input, labelInput], outputs: head.apply([input, labelInput]) as tfl.SymbolicTensor });
          // K kernel columns per class (sub-centers): class j's from w's column j, scaled apart.
          const k = head.getWeights()[0]!.shape[1]! / w[0]!.length;
          const kernel = w.map((row) => row.flatMap((v) => Array.from({ length: k }, (_, s) => v * (1 + 0.25 * s))));
          head.setWeights([tf.tensor2d(kernel), ...head.getWeights().slice(1)]);
          const feed = [tf.tensor2d(x.map((row) => row.map((v) => Math.max(-1e6, Math.min(1e6, v))))), tf.tensor2d(labels.map((l) => [l]))];
          await model.save(fileSystem(join(dir, `${kind}.json`)));
          const loaded = await tfl.loadLayersModel(fileSystem(join(dir, `${kind}.json`)));
          const [before, after] = [await (model.predict(feed) as tf.Tensor).data(), await (loaded.predict(feed) as tf.Tensor).data()];
          const weightsEqual = (
            await Promise.all(
              model.getWeights().map(async (t, i) => Array.from(await t.data()).join() === Array.from(await loaded.getWeights()[i]!.data()).join()),
            )
          ).every(Boolean);
          tf.dispose(feed);
          return weightsEqual && Array.from(before).every((v, i) => Object.is(v, after[i]));
        }),
        { numRuns: 12, seed: RUNS.seed },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
