// Custom training loops: the margin applies only with { training: true }. A head that gets labels
// inside a gradient computation without it warns once; fit, inference and heads without a margin never do.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { arcFace } from '../../src/layers/arc_face.js';
import { normLinear } from '../../src/layers/norm_linear.js';
import { marginCrossEntropy } from '../../src/losses/margin_cross_entropy.js';
import type { MarginHead } from '../../src/layers/margin_head.js';

afterEach(() => vi.restoreAllMocks());

function modelWith(head: MarginHead): tfl.LayersModel {
  const points = tfl.input({ shape: [4] });
  const labels = tfl.input({ shape: [1] });
  const embeddings = tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.ones() }).apply(points) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [points, labels], outputs: head.apply([embeddings, labels]) as tfl.SymbolicTensor });
}

const x = tf.tensor2d([
  [1, 0.5, -0.2, 0.3],
  [0.1, -1, 0.4, 0.2],
]);
const y = tf.tensor2d([[0], [2]]);
const targets = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);

describe('a margin head in a custom training loop', () => {
  it('applies the margin only with { training: true }: the target logit drops by the margin', async () => {
    const model = modelWith(arcFace({ units: 3, scale: 8, margin: 0.5 }));
    const plain = (await (model.apply([x, y]) as tf.Tensor).array()) as number[][];
    const trained = (await (model.apply([x, y], { training: true }) as tf.Tensor).array()) as number[][];
    expect(trained[0]![0]).toBeLessThan(plain[0]![0]! - 1e-3);
    expect(trained[1]![2]).toBeLessThan(plain[1]![2]! - 1e-3);
    expect([trained[0]![1], trained[1]![0]]).toEqual([plain[0]![1], plain[1]![0]]); // non-targets unchanged
  });

  it('warns once per layer when labels arrive inside optimizer.minimize without { training: true }', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const model = modelWith(arcFace({ units: 3, name: 'head' }));
    const optimizer = tf.train.sgd(0.01);
    for (let step = 0; step < 3; step++) optimizer.minimize(() => marginCrossEntropy(targets, model.apply([x, y]) as tf.Tensor));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe(
      'ArcFace (head): called with labels inside a gradient computation, but without { training: true }, so no margin applies. ' +
        'In a custom training loop, call model.apply(inputs, { training: true }) (fit does this itself). Pass warnWithoutTraining: false to the layer to silence this warning.',
    );
    // A second head warns once too; with the flag, in inference and in fit, nothing.
    const other = modelWith(arcFace({ units: 3 }));
    tf.variableGrads(() => marginCrossEntropy(targets, other.apply([x, y]) as tf.Scalar));
    expect(warn).toHaveBeenCalledTimes(2);
    const quiet = modelWith(arcFace({ units: 3 }));
    for (let step = 0; step < 2; step++) optimizer.minimize(() => marginCrossEntropy(targets, quiet.apply([x, y], { training: true }) as tf.Tensor));
    quiet.predict([x, y]);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('stays silent in fit, for heads without a margin, and with warnWithoutTraining: false (kept in the config)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const fitted = modelWith(arcFace({ units: 3 }));
    fitted.compile({ optimizer: 'sgd', loss: marginCrossEntropy });
    await fitted.fit([x, y], targets, { epochs: 2, verbose: 0 });
    const optimizer = tf.train.sgd(0.01);
    const plain = modelWith(normLinear({ units: 3 }));
    optimizer.minimize(() => marginCrossEntropy(targets, plain.apply([x, y]) as tf.Tensor));
    const silenced = arcFace({ units: 3, warnWithoutTraining: false });
    const model = modelWith(silenced);
    optimizer.minimize(() => marginCrossEntropy(targets, model.apply([x, y]) as tf.Tensor));
    expect(warn).not.toHaveBeenCalled();
    expect(silenced.getConfig()['warnWithoutTraining']).toBe(false);
    expect(() => arcFace({ units: 3, warnWithoutTraining: 'no' as never })).toThrow('ArcFace: warnWithoutTraining must be a boolean, but got "no".');
  });
});
