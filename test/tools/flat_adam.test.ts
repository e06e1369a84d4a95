import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { FlatAdam } from '../../tools/flat_adam.js';
import { expectClose } from '../helpers.js';

/** A small MLP with `layers` dense layers (two weight tensors each), seeded. */
function mlp(layers: number): tfl.LayersModel {
  const model = tfl.sequential();
  for (let i = 0; i < layers; i++) {
    model.add(
      tfl.layers.dense({
        units: 5,
        inputShape: i === 0 ? [4] : undefined,
        activation: i < layers - 1 ? 'tanh' : undefined,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: i + 1 }),
      }),
    );
  }
  return model;
}

function trainSteps(optimizer: tf.Optimizer & { setLearningRate(rate: number): void }, steps: number): tf.Tensor[] {
  const model = mlp(3);
  const x = tf.tensor2d([
    [0.1, -0.2, 0.3, 0.4],
    [0.5, 0.1, -0.7, 0.2],
    [-0.3, 0.8, 0.05, -0.1],
  ]);
  const y = tf.tensor2d([
    [1, 0, 0, 0, 0],
    [0, 0, 1, 0, 0],
    [0, 0, 0, 0, 1],
  ]);
  for (let s = 0; s < steps; s++) {
    optimizer.setLearningRate(0.01 * Math.pow(0.9, s)); // the example changes the rate every step
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar)!;
  }
  return model.getWeights().map((w) => w.clone());
}

describe('FlatAdam', () => {
  it("gives tfjs Adam's weights, step for step, with a changing learning rate", async () => {
    class Scheduled extends tf.AdamOptimizer {
      setLearningRate(rate: number): void {
        this.learningRate = rate;
      }
    }
    const ours = trainSteps(new FlatAdam(0.01), 8);
    const theirs = trainSteps(new Scheduled(0.01, 0.9, 0.999, 1e-8), 8);
    expect(ours.length).toBe(6);
    for (let i = 0; i < ours.length; i++) {
      // tfjs accumulates β^t in float32; FlatAdam computes it in float64: differences ~1e-7.
      expectClose(Array.from(await ours[i]!.data()), Array.from(await theirs[i]!.data()), 1e-6, 1e-5);
    }
  });

  it('dispatches a fraction of the kernels of tfjs Adam, and leaks nothing', async () => {
    const count = async (optimizer: tf.Optimizer) => {
      const model = mlp(12); // 24 weight tensors
      const x = tf.ones([2, 4]);
      const loss = () => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar;
      optimizer.minimize(loss); // first step creates the optimizer state
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(loss);
      const profile = await tf.profile(() => optimizer.applyGradients(grads));
      tf.dispose([value, ...Object.values(grads)]);
      optimizer.minimize(loss);
      expect(tf.memory().numTensors).toBe(before);
      return profile.kernels.filter((k) => k.name !== 'Reshape' && k.name !== 'Identity').length;
    };
    const flat = await count(new FlatAdam(0.01));
    const stock = await count(tf.train.adam(0.01));
    expect(stock).toBeGreaterThan(24 * 10);
    expect(flat).toBeLessThan(stock / 3);
  });

  it("keeps a weight's moments when weights join later, as tfjs Adam does", async () => {
    const run = async (optimizer: tf.Optimizer, reorder: boolean) => {
      const a = tf.variable(tf.tensor1d([0.5, -1]));
      const b = tf.variable(tf.tensor1d([2, 0.25, -0.5]));
      const loss = () => tf.add(tf.sum(tf.square(a)), tf.sum(tf.pow(b, 3))) as tf.Scalar;
      optimizer.minimize(loss, false, [a]); // first step: a only
      for (let i = 0; i < 3; i++) optimizer.minimize(loss, false, [a, b]); // b joins
      // FlatAdam keys its moments by name, so the order may change; tfjs's Adam keys them by position.
      optimizer.minimize(loss, false, reorder ? [b, a] : [a, b]);
      return [...(await a.data()), ...(await b.data())];
    };
    // Steps of 0.1 carry tfjs's float32 β^t (against FlatAdam's float64) into ~1e-5 differences.
    expectClose(await run(new FlatAdam(0.1), true), await run(tf.train.adam(0.1), false), 2e-5, 1e-4);
  });
});
