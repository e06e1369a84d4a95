// Gradient detachment (src/ops/stop_gradient.ts): stopGradient's zero gradient, and
// detachedTowards's value g(c) with c's gradient, g's own ops kept off the backward pass.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { detachedTowards, stopGradient } from '../../src/ops/stop_gradient.js';
import { expectNoLeak } from '../helpers.js';

const C = [-1, -0.5, 0, 0.25, 0.875, 1];
const W = [1, 2, 3, 4, 5, 6];
const cube = (z: tf.Tensor) => tf.pow(z, 3);

describe('stopGradient', () => {
  it('passes the value and no gradient', async () => {
    const c = tf.tensor1d(C);
    expect(Array.from(await stopGradient(c).data())).toEqual(C);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.add(stopGradient(tf.mul(x, x)), x), tf.tensor1d(W))))(c);
    expect(Array.from(await g.data())).toEqual(W);
  });
});

describe('detachedTowards', () => {
  it('has the value c + (g(c) − c) and the gradient of c alone', async () => {
    const c = tf.tensor1d(C);
    const value = await detachedTowards(c, cube).data();
    C.forEach((v, i) => expect(value[i]).toBeCloseTo(v ** 3, 6));
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(detachedTowards(x, cube), tf.tensor1d(W))))(c);
    expect(Array.from(await g.data())).toEqual(W);
  });

  it('composes with the ops around it: the gradient of 2·detached(c)·c is 2·(g(c) + c)', async () => {
    const c = tf.tensor1d(C);
    const g = await tf
      .grad((x: tf.Tensor) => tf.sum(tf.mul(tf.mul(detachedTowards(x, cube), x), 2)))(c)
      .data();
    C.forEach((v, i) => expect(g[i]).toBeCloseTo(2 * (v ** 3 + v), 5));
  });

  it('runs g once, in the forward pass: its ops are not differentiated', async () => {
    const c = tf.variable(tf.tensor1d(C));
    const optimizer = tf.train.sgd(0.1);
    const profile = await tf.profile(() => {
      optimizer.minimize(() => tf.sum(detachedTowards(c, cube)));
    });
    expect(profile.kernels.filter((k) => k.name === 'Pow').length).toBe(1);
    optimizer.dispose();
    c.dispose();
  });

  it('leaks no tensors, forward and backward', () => {
    const c = tf.tensor1d(C);
    expectNoLeak(() => {
      tf.dispose(detachedTowards(c, cube));
      tf.dispose(tf.grads((x: tf.Tensor) => tf.sum(detachedTowards(x, cube)))([c]));
    });
    c.dispose();
  });
});
