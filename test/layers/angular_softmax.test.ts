import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it, vi } from 'vitest';
import { AngularSoftmax, angularSoftmax } from '../../src/layers/angular_softmax.js';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';
import { angularLogitsRef } from '../reference/sphereface.js';
import { expectClose, randomMatrix, toMatrix } from '../helpers.js';
import { describeHeadConformance } from './conformance.js';

// λ is held at 5 (base = min = 5) so that repeated training passes see the same function.
describeHeadConformance({
  className: 'AngularSoftmax',
  make: () => angularSoftmax({ units: 4, margin: 4, lambdaBase: 5, lambdaMin: 5 }),
  inferenceRef: (x, w) => angularLogitsRef(x, w, null, 4, 0),
  trainingRef: (x, w, labels) => angularLogitsRef(x, w, labels, 4, 5),
  nonTrainableWeights: 1,
  nonTrainableParams: 2,
});

const SPHEREFACE = { base: 1000, gamma: 0.12, power: 1, min: 5 };

describe('AngularSoftmax', () => {
  it('has the SphereFace defaults', async () => {
    const head = new AngularSoftmax({ units: 10 });
    expect(head.margin).toBe(4);
    expect(head.schedule).toEqual(SPHEREFACE);
    expect(head.iterations).toBe(0);
    expect(head.lambda).toBe(1000);
    expect([await head.readIterations(), await head.readLambda()]).toEqual([0, 1000]);
  });

  it('counts its iterations exactly past 2^24 (a float32 counter stops there) and to 2^53 − 1', async () => {
    const head = new AngularSoftmax({ units: 3, lambdaBase: 1000, lambdaGamma: 1e-6, lambdaPower: 1, lambdaMin: 0 });
    head.build([
      [null, 2],
      [null, 1],
    ]);
    const inputs = [
      tf.tensor2d([
        [1, 2],
        [3, -1],
      ]),
      tf.tensor1d([0, 2], 'int32'),
    ];
    for (const [before, count] of [
      [[0, 2 ** 24], 2 ** 24],
      [[2 ** 23 - 1, 2 ** 30 - 2], 2 ** 53 - 2],
    ] as Array<[number[], number]>) {
      head.setWeights([head.getWeights()[0]!, tf.tensor1d(before, 'int32')]);
      expect([head.iterations, await head.readIterations()]).toEqual([count, count]);
      head.apply(inputs, { training: true });
      head.apply(inputs, { training: true });
      expect(await head.readIterations()).toBe(count + 2);
      expect(await head.readLambda()).toBe(1000 / (1 + 1e-6 * (count + 2)));
    }
  });

  it('keeps every argument in its config, each with its own value', () => {
    const args = { units: 3, margin: 3, lambdaBase: 7, lambdaGamma: 0.2, lambdaPower: 2.5, lambdaMin: 0.5, validateLabels: false };
    const config = angularSoftmax(args).getConfig();
    expect(config).toMatchObject(args);
    const again = new AngularSoftmax(config as unknown as typeof args);
    expect(again.schedule).toEqual({ base: 7, gamma: 0.2, power: 2.5, min: 0.5 });
    expect(again.margin).toBe(3);
  });

  it('anneals λ once per training pass, and not in inference', async () => {
    const head = angularSoftmax({ units: 3, margin: 3 });
    const x = randomMatrix(4, 2, 9, 2);
    const labels = [0, 1, 2, 1];
    head.build([[null, 2], [null]]);
    const w = (await head.getWeights()[0]!.array()) as number[][];
    const inputs = [tf.tensor2d(x), tf.tensor1d(labels, 'int32')];
    for (let it = 0; it < 4; it++) {
      expect(head.iterations).toBe(it);
      const lambda = Math.max(5, 1000 / (1 + 0.12 * it)); // SphereFace's schedule, written out
      expect(head.lambda).toBeCloseTo(lambda, 10);
      expect(await head.readIterations()).toBe(it);
      expect(await head.readLambda()).toBeCloseTo(lambda, 10);
      const logits = head.apply(inputs, { training: true }) as tf.Tensor;
      expectClose(await toMatrix(logits), angularLogitsRef(x, w, labels, 3, lambda), 1e-4, 1e-5);
    }
    head.apply(inputs);
    head.apply(inputs, { training: false });
    expect(head.iterations).toBe(4);
  });

  it.runIf(['cpu', 'wasm'].includes(tf.getBackend()))('does not advance its counter on a training call that fails on its labels', () => {
    const head = angularSoftmax({ units: 3 });
    const x = tf.tensor2d(randomMatrix(2, 2, 5));
    head.apply([x, tf.tensor1d([0, 1], 'int32')], { training: true });
    expect(head.iterations).toBe(1);
    expect(() => head.apply([x, tf.tensor1d([0, 7], 'int32')], { training: true })).toThrow(/labels/);
    expect(head.iterations).toBe(1);
  });

  it('counts one iteration per batch in fit, with λ = 0 when base and min are 0', async () => {
    const images = tfl.input({ shape: [4] });
    const labels = tfl.input({ shape: [1] });
    const emb = tfl.layers.dense({ units: 2 }).apply(images) as tfl.SymbolicTensor;
    const head = angularSoftmax({ units: 3, lambdaBase: 0, lambdaMin: 0 });
    const model = tfl.model({ inputs: [images, labels], outputs: head.apply([emb, labels]) as tfl.SymbolicTensor });
    model.compile({ optimizer: 'sgd', loss: marginCrossEntropy });
    const y = Array.from({ length: 20 }, (_, i) => i % 3);
    await model.fit([tf.randomNormal([20, 4]), tf.tensor2d(y.map((v) => [v]))], tf.oneHot(tf.tensor1d(y, 'int32'), 3), { batchSize: 5, epochs: 2, verbose: 0 });
    expect(head.iterations).toBe(8);
    expect(head.lambda).toBe(0);
    model.evaluate([tf.randomNormal([20, 4]), tf.tensor2d(y.map((v) => [v]))], tf.oneHot(tf.tensor1d(y, 'int32'), 3));
    expect(head.iterations).toBe(8);
  });

  it('needs labels in training but not in inference', async () => {
    const head = angularSoftmax({ units: 3 });
    const x = tf.randomNormal([2, 4]);
    expect((head.apply(x) as tf.Tensor).shape).toEqual([2, 3]);
    expect(() => head.apply(x, { training: true })).toThrow(/AngularSoftmax: training needs the labels: call the layer on \[embeddings, labels\]/);
  });

  it('rejects bad arguments and labels, saying what was expected and what came', async () => {
    expect(() => angularSoftmax({ units: 3, margin: 0 })).toThrow(/AngularSoftmax: margin must be an integer >= 1, but got 0/);
    expect(() => angularSoftmax({ units: 3, margin: 2.5 })).toThrow(/but got 2.5/);
    expect(() => angularSoftmax({ units: 0 })).toThrow(/units must be an integer >= 1, but got 0/);
    expect(() => angularSoftmax({ units: 3, lambdaBase: -1 })).toThrow(/lambda base must be a finite number >= 0, but got -1/);
    expect(() => angularSoftmax({ units: 3, lambdaGamma: -0.1 })).toThrow(/lambda gamma must be a finite number >= 0, but got -0.1/);
    expect(() => angularSoftmax({ units: 3, lambdaPower: -1 })).toThrow(/lambda power/);
    expect(() => angularSoftmax({ units: 3, lambdaMin: Number.POSITIVE_INFINITY })).toThrow(/lambda min must be a finite number >= 0, but got Infinity/);
    const head = angularSoftmax({ units: 3, validateLabels: true });
    const x = tf.randomNormal([2, 4]);
    expect(() => head.apply([x, tf.tensor1d([0, 3], 'int32')], { training: true })).toThrow(
      /labels must be integers in \[0, 3\), but the label at index 1 is 3/,
    );
    expect(() => head.apply([x, tf.tensor1d([0, 1, 2], 'int32')], { training: true })).toThrow(
      /labels have batch size 3, but the embeddings have batch size 2/,
    );
  });

  it('validates labels by default on host-memory backends only, and says what to do where it cannot read', async () => {
    const head = angularSoftmax({ units: 3 });
    expect(head.getConfig()['validateLabels']).toBe(null);
    const x = tf.randomNormal([2, 4]);
    const outOfRange = () => head.apply([x, tf.tensor1d([0, 3], 'int32')], { training: true });
    if (['cpu', 'wasm', 'tensorflow'].includes(tf.getBackend())) expect(outOfRange).toThrow(/the label at index 1 is 3/);
    else expect(outOfRange).not.toThrow();
    // Labels computed on the backend: on webgpu they exist only in GPU memory, which Node cannot read
    // synchronously (4096 entries: webgpu runs ops on fewer than 1000 host-resident entries on the CPU).
    const computed = tf.slice(tf.mul(tf.range(0, 4096, 1, 'int32'), 1), [0], [2]);
    const checked = () => angularSoftmax({ units: 3, validateLabels: true }).apply([x, computed], { training: true });
    if (tf.getBackend() === 'webgpu')
      expect(checked).toThrow(/label validation reads a tensor synchronously, which the webgpu backend cannot do here .*; pass validateLabels: false/);
    else expect(checked).not.toThrow();
  });

  it('skips the label read-back when validateLabels is false', async () => {
    const head = angularSoftmax({ units: 3, validateLabels: false });
    // A label outside [0, 3) that a check would reject: without the read-back, nothing throws
    // (its row simply gets no margin), and the labels are never read on the host.
    const labels = tf.tensor1d([0, 7], 'int32');
    const read = vi.spyOn(labels, 'dataSync');
    const logits = head.apply([tf.randomNormal([2, 4]), labels], { training: true }) as tf.Tensor;
    expect(logits.shape).toEqual([2, 3]);
    expect(read).not.toHaveBeenCalled();
    expect(head.getConfig()['validateLabels']).toBe(false);
    const checked = angularSoftmax({ units: 3, validateLabels: true });
    if (['cpu', 'wasm'].includes(tf.getBackend())) {
      expect(() => checked.apply([tf.randomNormal([2, 4]), labels], { training: true })).toThrow(/the label at index 1 is 7/);
      expect(read).toHaveBeenCalled(); // the spy sees the read when there is one
    }
  });
});
