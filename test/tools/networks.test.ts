import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildHead, buildTrunk } from '../../tools/networks.js';

describe('MNIST networks', () => {
  it("builds the reference's ResNet-style network: about 11.7 M parameters, 2×2×512 before the embedding", () => {
    const trunk = buildTrunk('paper', 2, 1);
    const params = trunk.countParams();
    expect(params).toBeGreaterThan(11.6e6);
    expect(params).toBeLessThan(11.8e6);
    const flatten = trunk.layers.find((l) => l.getClassName() === 'Flatten')!;
    expect(flatten.outputShape).toEqual([null, 2 * 2 * 512]);
    expect(trunk.layers.filter((l) => l.getClassName() === 'Conv2D').length).toBe(3 * 4 + 2 * (1 + 3));
    expect(trunk.outputs[0]!.shape).toEqual([null, 2]);
    trunk.dispose();
  });

  it('builds the quick and tiny MLPs and the three heads', () => {
    const quick = buildTrunk('quick', 3, 1);
    expect((quick.predict(tf.zeros([2, 784])) as tf.Tensor).shape).toEqual([2, 3]);
    const options = {
      margin: 4,
      lambdaBase: 1000,
      lambdaGamma: 0.12,
      lambdaPower: 1,
      lambdaMin: 5,
      scale: 16,
      cosMargin: 0.35,
      arcMargin: 0.5,
      adaMargin: 0.2,
      combinedMargins: [1, 0.3, 0.2] as [number, number, number],
      marginWarmupSteps: 0,
      seed: 1,
      classes: 10,
    };
    expect(buildHead('original', options).getClassName()).toBe('Dense');
    expect(buildHead('modifiedSoftmax', options).getClassName()).toBe('ModifiedSoftmax');
    expect(buildHead('angularSoftmax', { ...options, margin: 3 }).getConfig()['margin']).toBe(3);
    expect(buildHead('cosFace', options).getConfig()['scale']).toBe(16);
    expect(buildHead('arcFace', { ...options, arcMargin: 0.3 }).getConfig()['margin']).toBe(0.3);
    expect(buildHead('combinedMargin', options).getConfig()['m3']).toBe(0.2);
    expect(buildHead('adaFace', options).getConfig()['margin']).toBe(0.2);
  });
});
