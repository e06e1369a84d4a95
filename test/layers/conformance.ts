// The conformance suite that every head built on MarginHead passes: shapes, values against the
// float64 reference, weights, config round trip, save → load in a fresh process, gradients, leaks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import type { MarginHead } from '../../src/layers/margin_head.js';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';
import { fileSystem } from '../../src/node.js';
import { crossEntropyRef, numericGradient, type Matrix } from '../reference/sphereface.js';
import { allFinite, expectClose, randomMatrix, toMatrix, runProgramOk } from '../helpers.js';

export interface HeadCase {
  /** The registered class name. */
  className: string;
  /** A fresh, unbuilt head with C = `classes` units; for training references λ must stay constant. */
  make: () => MarginHead;
  /** Float64 logits of an inference pass (no margin). */
  inferenceRef: (x: Matrix, w: Matrix) => Matrix;
  /** Float64 logits of a training pass with these labels. */
  trainingRef: (x: Matrix, w: Matrix, labels: number[]) => Matrix;
  /** Non-trainable weights besides the kernel (the A-Softmax iteration counter). */
  nonTrainableWeights: number;
  /** Their parameter count, where it differs from one per weight (a pass counter is int32 [high, low]). */
  nonTrainableParams?: number;
  /** Kernel columns per class (sub-centers); default 1, a kernel [D, C]. */
  columnsPerClass?: number;
  /** Trainable scalar weights besides the kernel (SphereFace2's bias); default 0. */
  trainableScalars?: number;
  /** Absolute tolerance of the training values (default 3e-4); more where they go through the backend's cos (see transcendentalAtol). */
  trainingAtol?: number;
  /** Which configuration this is, where a head runs the suite more than once. */
  label?: string;
}

const B = 5;
const D = 3;
const C = 4;
const LABELS = [0, 1, 2, 3, 1];
/** The embeddings of the value and gradient checks (a detached quantity of a head is computed from these). */
export const CONFORMANCE_X = randomMatrix(B, D, 21, 2);
const X = CONFORMANCE_X;
const W = randomMatrix(D, C, 22);
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const CHILD = join(process.cwd(), 'test', 'fixtures', 'load_and_predict.ts');

/** The kernel the case's head is set to: W, or [D, C·K] for K columns per class. */
function kernelOf(c: HeadCase): Matrix {
  const k = c.columnsPerClass ?? 1;
  return k === 1 ? W : randomMatrix(D, C * k, 22);
}

/** A built head with the kernel set to the case's kernel. */
function builtHead(c: HeadCase): MarginHead {
  const head = c.make();
  head.build([
    [null, D],
    [null, 1],
  ]);
  head.setWeights([tf.tensor2d(kernelOf(c)), ...head.getWeights().slice(1)]);
  return head;
}

function twoInputModel(c: HeadCase, head = c.make()): tfl.LayersModel {
  const images = tfl.input({ shape: [6] });
  const labels = tfl.input({ shape: [1] });
  const embeddings = tfl.layers.dense({ units: D, kernelInitializer: 'glorotUniform', useBias: false }).apply(images) as tfl.SymbolicTensor;
  const logits = head.apply([embeddings, labels]) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [images, labels], outputs: logits });
}

export function describeHeadConformance(c: HeadCase): void {
  describe(`${c.className}${c.label == null ? '' : ` (${c.label})`} conformance`, () => {
    it('has symbolic output shape [B, C] for one and for two inputs', async () => {
      const e = tfl.input({ shape: [D] });
      const l = tfl.input({ shape: [1] });
      expect((c.make().apply([e, l]) as tfl.SymbolicTensor).shape).toEqual([null, C]);
      expect(c.make().computeOutputShape([[7, D], [7]])).toEqual([7, C]);
      expect(c.make().computeOutputShape([7, D])).toEqual([7, C]);
    });

    it('computes the reference values in inference and training passes', async () => {
      const head = builtHead(c);
      const x = tf.tensor2d(X);
      const labels = tf.tensor2d(LABELS.map((v) => [v]));
      expectClose(await toMatrix(head.apply([x, labels]) as tf.Tensor), c.inferenceRef(X, kernelOf(c)), 1e-4, 1e-5);
      expectClose(await toMatrix(head.apply(x) as tf.Tensor), c.inferenceRef(X, kernelOf(c)), 1e-4, 1e-5);
      expectClose(
        await toMatrix(head.apply([x, labels], { training: true }) as tf.Tensor),
        c.trainingRef(X, kernelOf(c), LABELS),
        c.trainingAtol ?? 3e-4,
        1e-5,
      );
    });

    it('rejects malformed arguments and inputs in its constructor, build, computeOutputShape and call, naming itself and what came', async () => {
      const name = c.className;
      const Head = c.make().constructor as new (args: unknown) => MarginHead;
      for (const [args, got] of [
        [null, 'null'],
        [undefined, 'undefined'],
        [5, '5'],
        ['units', '"units"'],
      ] as const) {
        expect(() => new Head(args)).toThrow(`${name}: expected an arguments object { units, ... }, but got ${got}.`);
      }
      const three = [[null, D], [null], [null]];
      const list = `${name}: expected embeddings [B, D] or the list [embeddings [B, D], labels [B] or [B, 1]], but got 3 inputs.`;
      expect(() => c.make().build(three)).toThrow(list);
      expect(() => c.make().computeOutputShape(three)).toThrow(list);
      expect(() => c.make().build([null, D, 2])).toThrow(`${name}: embeddings must have rank 2 ([batch, dim]), but got shape [null, ${D}, 2].`);
      expect(() => c.make().computeOutputShape([[4, D, 2], [4]])).toThrow(`${name}: embeddings must have rank 2 ([batch, dim]), but got shape [4, ${D}, 2].`);
      for (const labels of [[null, 2], [null, 1, 1], []]) {
        expect(() => c.make().build([[null, D], labels])).toThrow(
          `${name}: labels must have shape [B] or [B, 1], but got shape ${JSON.stringify(labels).replace(/,/g, ', ')}.`,
        );
      }
      for (const dim of [null, 0]) {
        expect(() => c.make().build([null, dim])).toThrow(`${name}: the embedding dimension must be known and >= 1, but got shape [null, ${dim}].`);
      }
      // The smallest accepted shapes: D = 1, labels [B] or [B, 1], one or two inputs.
      for (const shape of [
        [null, 1],
        [[null, 1], [null]],
        [
          [3, 1],
          [3, 1],
        ],
      ]) {
        const head = c.make();
        head.build(shape);
        expect(head.getWeights()[0]!.shape).toEqual([1, C * (c.columnsPerClass ?? 1)]);
      }
      const head = builtHead(c);
      const before = tf.memory().numTensors;
      const x = tf.zeros([2, D]);
      const labels = tf.zeros([2], 'int32');
      for (const inputs of [[], [x, labels, labels]]) {
        expect(() => head.call(inputs, { training: true })).toThrow(`${name}: expected embeddings or [embeddings, labels], but got ${inputs.length} inputs.`);
      }
      tf.dispose([x, labels]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('has one trainable kernel [D, C·K] (and its trainable scalars) and the expected non-trainable weights', async () => {
      const head = builtHead(c);
      const scalars = c.trainableScalars ?? 0;
      expect(head.trainableWeights.map((w) => w.shape)).toEqual([[D, C * (c.columnsPerClass ?? 1)], ...Array.from({ length: scalars }, () => [])]);
      expect(head.nonTrainableWeights.length).toBe(c.nonTrainableWeights);
      expect(head.countParams()).toBe(D * C * (c.columnsPerClass ?? 1) + scalars + (c.nonTrainableParams ?? c.nonTrainableWeights));
    });

    it('round-trips getConfig through the constructor and the class registry', async () => {
      const head = c.make();
      const config = head.getConfig();
      const entry = tf.serialization.SerializationMap.getMap().classNameMap[c.className];
      expect(entry).toBeDefined();
      const [cls, fromConfig] = entry!;
      const again = fromConfig(cls, config) as MarginHead;
      expect(again.getClassName()).toBe(c.className);
      expect(again.getConfig()).toEqual(config);
      expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    });

    it('has the gradient of the float64 reference in embeddings and kernel, and finite ones at zero input', async () => {
      const head = builtHead(c);
      const y = tf.oneHot(tf.tensor1d(LABELS, 'int32'), C);
      const labels = tf.tensor1d(LABELS, 'int32');
      const kernel = head.trainableWeights[0]!.read() as tf.Variable;
      const x = tf.variable(tf.tensor2d(X));
      const { grads } = tf.variableGrads(() => marginCrossEntropy(y, head.apply([x, labels], { training: true }) as tf.Tensor), [x, kernel]);
      const ref = (xx: Matrix, ww: Matrix) => crossEntropyRef(c.trainingRef(xx, ww, LABELS), LABELS);
      expectClose(
        await toMatrix(grads[x.name]!),
        numericGradient((xx) => ref(xx, kernelOf(c)), X),
        2e-4,
        1e-3,
      );
      expectClose(
        await toMatrix(grads[kernel.name]!),
        numericGradient((ww) => ref(X, ww), kernelOf(c)),
        2e-4,
        1e-3,
      );
      const zero = tf.variable(tf.zeros([B, D]));
      const atZero = tf.variableGrads(() => marginCrossEntropy(y, head.apply([zero, labels], { training: true }) as tf.Tensor), [zero, kernel]);
      expect(await allFinite(atZero.value)).toBe(true);
      for (const g of Object.values(atZero.grads)) expect(await allFinite(g)).toBe(true);
    });

    it('leaks no tensors across 10 training steps', async () => {
      const model = twoInputModel(c);
      model.compile({ optimizer: tf.train.adam(0.01), loss: marginCrossEntropy });
      const rows = 80;
      const xs = tf.randomNormal([rows, 6], 0, 1, 'float32', 3);
      const labels = tf.tensor2d(Array.from({ length: rows }, (_, i) => [i % C]));
      const ys = tf.oneHot(
        tf.tensor1d(
          Array.from({ length: rows }, (_, i) => i % C),
          'int32',
        ),
        C,
      );
      await model.fit([xs, labels], ys, { batchSize: 8, epochs: 1, verbose: 0, shuffle: false }); // creates optimizer slots
      const before = tf.memory().numTensors;
      const history = await model.fit([xs, labels], ys, { batchSize: 8, epochs: 1, verbose: 0, shuffle: false });
      expect(tf.memory().numTensors).toBe(before);
      expect(history.history.loss!.every((v) => Number.isFinite(v as number))).toBe(true);
    });

    it('saves and loads in a fresh Node process, with the same predictions', async () => {
      const model = twoInputModel(c);
      model.compile({ optimizer: tf.train.sgd(0.05), loss: marginCrossEntropy });
      const xs = tf.randomNormal([12, 6], 0, 1, 'float32', 4);
      const labelRows = Array.from({ length: 12 }, (_, i) => [i % C]);
      const labels = tf.tensor2d(labelRows);
      await model.fit([xs, labels], tf.oneHot(tf.tensor1d(labelRows.flat(), 'int32'), C), { batchSize: 4, epochs: 1, verbose: 0 });
      const dir = mkdtempSync(join(tmpdir(), 'tfjs-am-'));
      try {
        await model.save(fileSystem(dir));
        const inputPath = join(dir, 'input.json');
        writeFileSync(inputPath, JSON.stringify({ x: await xs.array(), labels: labelRows }));
        const out = JSON.parse(await runProgramOk(TSX, [CHILD, dir, inputPath])) as {
          logits: Matrix;
          classNames: string[];
          nonTrainable: number[][];
        };
        expect(out.classNames).toContain(c.className);
        expectClose(out.logits, await toMatrix(model.predict([xs, labels]) as tf.Tensor), 1e-5, 1e-5);
        // Counters and running statistics come back as saved (the A-Softmax counter at 3 steps).
        const saved = await Promise.all(model.layers.flatMap((l) => l.nonTrainableWeights).map(async (w) => Array.from(await w.read().data())));
        expect(out.nonTrainable).toEqual(saved);
        expect(saved.length).toBe(c.nonTrainableWeights);
        if (c.className === 'AngularSoftmax') expect(saved).toEqual([[0, 3]]); // [high, low]: 3
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
