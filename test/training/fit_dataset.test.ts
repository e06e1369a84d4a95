// fitDataset with the two-input model, on this lane's backend: inputs keyed by name in `xs`.
import { data } from '@tensorflow/tfjs'; // tf.data (tfjs-data), as users get it from @tensorflow/tfjs
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { HEADS, type HeadKind } from '../../src/heads/registry.js';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';

const C = 3;
const centres = [
  [2, 0, 0, 1],
  [0, 2, 0, -1],
  [0, 0, 2, 1],
];

function dataset(): ReturnType<typeof data.generator> {
  return data
    .generator(function* () {
      for (let i = 0; i < 96; i++) {
        const label = i % C;
        yield {
          xs: { points: tf.add(tf.tensor1d(centres[label]!), tf.randomNormal([4], 0, 0.5, 'float32', i)), labels: tf.tensor1d([label]) },
          ys: tf.oneHot(label, C),
        };
      }
    })
    .batch(16);
}

describe('fitDataset with a margin head', () => {
  for (const [kind, args] of [
    ['arcFace', { scale: 8, margin: 0.3 }],
    ['angularSoftmax', { lambdaBase: 0, lambdaMin: 0 }],
    ['sphereFace2', { r: 8 }],
  ] as const) {
    it(`${kind}: trains from { xs: { points, labels }, ys } keyed by input name; the loss falls`, async () => {
      const points = tfl.input({ shape: [4], name: 'points' });
      const labels = tfl.input({ shape: [1], name: 'labels' });
      const embeddings = tfl.layers.dense({ units: 3, kernelInitializer: 'glorotUniform' }).apply(points) as tfl.SymbolicTensor;
      const head = HEADS[kind as HeadKind].create({ units: C, ...args });
      const model = tfl.model({ inputs: [points, labels], outputs: head.apply([embeddings, labels]) as tfl.SymbolicTensor });
      model.compile({ optimizer: tf.train.adam(0.05), loss: HEADS[kind as HeadKind].loss?.({ units: C, ...args }) ?? marginCrossEntropy });
      const history = await model.fitDataset(dataset(), { epochs: 6, verbose: 0 });
      const losses = history.history.loss as number[];
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    });
  }
});
