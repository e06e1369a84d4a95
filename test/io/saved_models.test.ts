// Models saved by an earlier version of the library load and predict as they did: the fixture
// test/fixtures/saved-models-0.1.0 was written by test/fixtures/save_head_models.ts at version
// 0.1.0 (commit 2c8b5e3, before the renames listed in CHANGELOG; SphereFace2's exponent passed
// under its name then, t: 2), one model per head of that version's registry.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { HEADS } from '../../src/index.js';
import { fileSystem } from '../../src/node.js';
import { expectClose } from '../helpers.js';
import type { Matrix } from '../reference/sphereface.js';

const FIXTURE = join(process.cwd(), 'test', 'fixtures', 'saved-models-0.1.0');
interface Expected {
  logits: Matrix;
  classNames: string[];
  nonTrainable: number[][];
}
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Record<string, unknown> & { images: Matrix; labels: Matrix };
const saved = readdirSync(FIXTURE, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('models saved by version 0.1.0', () => {
  it('hold bare class names, which the heads keep; the heads are registered under the package tfjs-angular-margin (0.1.0: AngularMargin)', () => {
    for (const head of Object.values(HEADS)) {
      const cls = tf.serialization.SerializationMap.getMap().classNameMap[head.className]![0];
      expect(tf.serialization.getRegisteredName(cls)).toBe(`tfjs-angular-margin>${head.className}`);
    }
  });

  it('are all there: one per head of that version', () => {
    expect(saved.sort()).toEqual([
      'adaface',
      'angular',
      'arcface',
      'combined',
      'cosface',
      'curricular',
      'modified',
      'normlinear',
      'sphereface2',
      'spherefacer',
      'subcenter',
    ]);
  });

  it.each(saved)('%s loads with its state and predicts the logits it predicted when saved', async (folder) => {
    const want = expected[folder] as Expected;
    const model = await tfl.loadLayersModel(fileSystem(join(FIXTURE, folder)));
    const x = tf.tensor2d(expected.images);
    const labels = tf.tensor2d(expected.labels);
    const logits = model.predict([x, labels]) as tf.Tensor;
    expect(model.layers.map((l) => l.getClassName())).toEqual(want.classNames);
    expectClose((await logits.array()) as Matrix, want.logits, 1e-4, 1e-4);
    const state = await Promise.all(model.layers.flatMap((l) => l.nonTrainableWeights).map(async (w) => Array.from(await w.read().data())));
    expect(state.length).toBe(want.nonTrainable.length);
    state.forEach((values, i) => expectClose(values, want.nonTrainable[i]!, 1e-6, 1e-6));
    tf.dispose([x, labels, logits]);
    model.dispose();
  });
});
