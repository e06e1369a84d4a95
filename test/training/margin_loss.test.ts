// Margin losses as objects: every head of the registry, in custom loops (tf.variableGrads,
// optimizer.minimize), against the same head trained by tfjs-layers, saved and loaded, without leaks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HEAD_KINDS, HEADS, type HeadKind } from '../../src/heads/registry.js';
import { fileSystem } from '../../src/io/file_system.js';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';
import { validatesLabelsByDefault } from '../../src/ops/labels.js';
import { MarginLoss, marginLosses } from '../../src/training/margin_loss.js';
import { randomMatrix } from '../helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const B = 6;
const D = 4;
const C = 3;
const X = randomMatrix(B, D, 281, 2);
const LABELS = [0, 1, 2, 0, 1, 2];
/** Arguments that make every head train visibly in a few steps (scales small enough for 3 classes). */
const ARGS: { [K in HeadKind]?: object } = { angularSoftmax: { lambdaBase: 0, lambdaMin: 0 }, sphereFace2: { r: 4 } };
const argsOf = (kind: HeadKind) => ({
  units: C,
  ...(kind === 'angularSoftmax' || kind === 'modifiedSoftmax' || kind === 'sphereFace2' ? {} : { scale: 4 }),
  ...ARGS[kind],
});

describe('marginLosses', () => {
  it("has one factory per head of the registry, with the head's defaults and validation", () => {
    expect(Object.keys(marginLosses)).toEqual([...HEAD_KINDS]);
    for (const kind of HEAD_KINDS) {
      const loss = marginLosses[kind]({ units: C, dim: D });
      expect(loss).toBeInstanceOf(MarginLoss);
      expect([loss.kind, loss.head.getClassName(), loss.head.units]).toEqual([kind, HEADS[kind].className, C]);
      expect(loss.trainableWeights[0]!.shape).toEqual(kind === 'subCenterArcFace' ? [D, 3 * C] : [D, C]);
      expect(() => marginLosses[kind]({ units: 0 })).toThrow(/units must be an integer >= (1|2), but got 0/);
    }
    expect(() => marginLosses.arcFace({ units: 3, margin: 4 })).toThrow(/ArcFace: margin must be a number in \[0, π\), but got 4/);
    expect(() => marginLosses.arcFace({ units: 3, dim: 0 })).toThrow('arcFace loss: dim must be an integer >= 1, but got 0.');
    expect(() => marginLosses.arcFace(null as never)).toThrow('arcFace loss: expected an arguments object { units, ... }, but got null.');
    expect(() => new MarginLoss('cosine' as never, { units: 3 } as never)).toThrow(/MarginLoss: kind must be one of modifiedSoftmax, angularSoftmax/);
  });

  for (const kind of HEAD_KINDS) {
    it(`${kind}: compute() is the loss tfjs-layers trains the same head with (trainOnBatch), and advances its state once`, async () => {
      const loss = marginLosses[kind]({ ...argsOf(kind), dim: D });
      // The same head in a model, with the same weights and state.
      const twin = HEADS[kind].create({ ...argsOf(kind) });
      const e = tfl.input({ shape: [D] });
      const l = tfl.input({ shape: [1] });
      const model = tfl.model({ inputs: [e, l], outputs: twin.apply([e, l]) as tfl.SymbolicTensor });
      twin.setWeights(loss.head.getWeights());
      model.compile({ optimizer: tf.train.sgd(0), loss: HEADS[kind].loss?.(argsOf(kind)) ?? marginCrossEntropy });
      const expected = await (model.trainOnBatch([tf.tensor2d(X), tf.tensor2d(LABELS, [B, 1])], tf.oneHot(tf.tensor1d(LABELS, 'int32'), C)) as Promise<number>);
      const value = loss.compute(tf.tensor2d(X), LABELS);
      expect(value.shape).toEqual([]);
      expect((await value.data())[0]).toBeCloseTo(expected, 4);
      // State: after one pass each, the same (A-Softmax's counter at 1, statistics updated once).
      const [mine, theirs] = [loss.head.getWeights().slice(1), twin.getWeights().slice(1)];
      for (const [i, w] of mine.entries()) expect(Array.from(await w.data())).toEqual(Array.from(await theirs[i]!.data()));
    });
  }

  it('trains a trunk and the class weights in optimizer.minimize and tf.variableGrads, with no tensor left behind', async () => {
    for (const kind of ['arcFace', 'angularSoftmax', 'sphereFace2', 'adaFace'] as const) {
      const loss = marginLosses[kind]({ ...argsOf(kind) });
      const trunk = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [D], units: 3, kernelInitializer: 'glorotUniform' })] });
      const optimizer = tf.train.adam(0.05);
      const [x, y] = [tf.tensor2d(X), tf.tensor1d(LABELS, 'int32')];
      const step = () =>
        optimizer.minimize(() => loss.compute(trunk.apply(x) as tf.Tensor2D, y), true, [
          ...trunk.trainableWeights.map((w) => w.read() as tf.Variable),
          ...loss.trainableWeights,
        ])!;
      const first = (await step().data())[0]!;
      step().dispose();
      const before = tf.memory().numTensors;
      let last = first;
      for (let i = 0; i < 30; i++) {
        const cost = step();
        last = (await cost.data())[0]!;
        cost.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(last, kind).toBeLessThan(first);
      // tf.variableGrads gives a gradient for each class weight.
      const { value, grads } = tf.variableGrads(() => loss.compute(trunk.apply(x) as tf.Tensor2D, y), loss.trainableWeights);
      expect(Object.keys(grads).sort()).toEqual(loss.trainableWeights.map((v) => v.name).sort());
      tf.dispose([value, ...Object.values(grads)]);
      expect(loss.variables.length).toBeGreaterThanOrEqual(loss.trainableWeights.length);
    }
  });

  it('gives inference logits without labels, margin or state change, and builds on first use', async () => {
    const loss = marginLosses.angularSoftmax({ units: C });
    expect(loss.trainableWeights).toEqual([]);
    await expect(loss.save(fileSystem(mkdtempSync(join(tmpdir(), 'loss-'))))).rejects.toThrow(
      'angularSoftmax loss: nothing to save yet: give dim, or call compute or logits first.',
    );
    const logits = loss.logits(tf.tensor2d(X));
    expect(logits.shape).toEqual([B, C]);
    expect(loss.trainableWeights[0]!.shape).toEqual([D, C]);
    expect(await (loss.head as unknown as { readIterations(): Promise<number> }).readIterations()).toBe(0);
    loss.compute(tf.tensor2d(X), tf.tensor2d(LABELS, [B, 1]));
    expect(await (loss.head as unknown as { readIterations(): Promise<number> }).readIterations()).toBe(1);
    expect(() => loss.compute([[1]] as never, LABELS)).toThrow('angularSoftmax loss: embeddings must be a tf.Tensor [batch, dim], but got [[1]].');
    expect(() => loss.compute(tf.tensor2d(X), 'a' as never)).toThrow(
      'angularSoftmax loss: labels must be a tf.Tensor [B] or [B, 1] or an array of class indices, but got "a".',
    );
    // Labels are checked where the backend reads them back by default (not on webgl and webgpu).
    if (validatesLabelsByDefault())
      expect(() => loss.compute(tf.tensor2d(X), [0, 1, 2, 0, 1, 7])).toThrow(/labels must be integers in \[0, 3\), but the label at index 5 is 7/);
  });

  it('saves and loads its weights and state through fileSystem, and the loaded loss computes the same', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const kind of ['angularSoftmax', 'adaFace', 'sphereFace2', 'subCenterArcFace'] as const) {
      const loss = marginLosses[kind]({ ...argsOf(kind), dim: D });
      loss.compute(tf.tensor2d(X), LABELS);
      const dir = mkdtempSync(join(tmpdir(), 'loss-'));
      dirs.push(dir);
      await loss.save(fileSystem(dir));
      const loaded = await MarginLoss.load(fileSystem(dir));
      expect(loaded.kind).toBe(kind);
      for (const [i, w] of loss.head.getWeights().entries()) expect(Array.from(await loaded.head.getWeights()[i]!.data())).toEqual(Array.from(await w.data()));
      expect((await loaded.compute(tf.tensor2d(X), LABELS).data())[0]).toBeCloseTo((await loss.compute(tf.tensor2d(X), LABELS).data())[0]!, 5);
    }
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});
