import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { angularSoftmax } from '../../src/layers/angular_softmax.js';
import { ModifiedSoftmax, modifiedSoftmax } from '../../src/layers/modified_softmax.js';
import { angularLogitsRef } from '../reference/sphereface.js';
import { describeHeadConformance } from './conformance.js';

describeHeadConformance({
  className: 'ModifiedSoftmax',
  make: () => modifiedSoftmax({ units: 4 }),
  // The modified softmax is A-Softmax with m = 1 (ψ = cos θ), for every λ.
  inferenceRef: (x, w) => angularLogitsRef(x, w, null, 1, 0),
  trainingRef: (x, w, labels) => angularLogitsRef(x, w, labels, 1, 0),
  nonTrainableWeights: 0,
});

describe('ModifiedSoftmax', () => {
  it('is a drop-in for AngularSoftmax in the same two-input model', async () => {
    const build = (head: tfl.layers.Layer) => {
      const e = tfl.input({ shape: [2] });
      const l = tfl.input({ shape: [1] });
      return tfl.model({ inputs: [e, l], outputs: head.apply([e, l]) as tfl.SymbolicTensor });
    };
    const a = build(angularSoftmax({ units: 3 }));
    const m = build(modifiedSoftmax({ units: 3 }));
    expect(m.outputs[0]!.shape).toEqual(a.outputs[0]!.shape);
    m.setWeights([a.getWeights()[0]!]);
    const x = tf.randomNormal([4, 2]);
    const labels = tf.tensor2d([[0], [1], [2], [0]]);
    const pa = await (a.predict([x, labels]) as tf.Tensor).array();
    const pm = await (m.predict([x, labels]) as tf.Tensor).array();
    expect(pm).toEqual(pa);
  });

  it('rejects bad arguments', () => {
    expect(() => new ModifiedSoftmax({ units: -1 })).toThrow(/ModifiedSoftmax: units must be an integer >= 1, but got -1/);
    expect(() => new ModifiedSoftmax({ units: 2, validateLabels: 1 as unknown as boolean })).toThrow(/validateLabels must be a boolean, but got 1/);
  });
});
