import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreConvGradients } from '../../src/fast_kernels/register_fast_conv_gradients.js';
import { restoreMatMul } from '../../src/fast_kernels/register_fast_mat_mul.js';
import { useFastCpu } from '../../src/fast_kernels/use_fast_cpu.js';

const lane = tf.getBackend();
afterEach(async () => {
  restoreMatMul();
  restoreConvGradients({ backends: ['wasm', 'cpu'] });
  await tf.setBackend(lane);
});

/** Which kernels a conv2d training step and a transposed product run (tf.profile), on the active backend. */
async function kernelsOfStep(): Promise<string[]> {
  const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const f = tf.variable(tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2));
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.matMul(tf.reshape(tf.conv2d(x, f as unknown as tf.Tensor4D, 1, 'same'), [2, -1]), tf.ones([2, 144]), true, false)) as tf.Scalar,
      [f],
    );
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose([x, f]);
  return profile.kernels.map((k) => k.name);
}

describe('useFastCpu', () => {
  it('chooses wasm where it is installed, with the fast matrix product and convolution gradients', async () => {
    expect(await useFastCpu()).toEqual({ backend: 'wasm', kernels: ['BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'] });
    expect(tf.getBackend()).toBe('wasm');
    const kernels = await kernelsOfStep();
    // The replaced filter gradient runs as a second convolution (wasm has no Conv2DBackpropFilter of
    // its own), and the product marked transposed runs a Transpose first.
    expect(kernels.filter((k) => k === 'Conv2D').length).toBe(2);
    expect(kernels).toContain('Transpose');
  });

  it('stays on cpu with wasm: false, with the fast filter gradient', async () => {
    expect(await useFastCpu({ wasm: false })).toEqual({ backend: 'cpu', kernels: ['Conv2DBackpropFilter'] });
    expect(tf.getBackend()).toBe('cpu');
    const conv2d = (kernels: string[]) => kernels.filter((k) => k === 'Conv2D').length;
    expect(conv2d(await kernelsOfStep())).toBe(2);
    restoreConvGradients({ backends: ['cpu'] });
    expect(conv2d(await kernelsOfStep())).toBe(1); // the backend's own filter gradient
    expect(await kernelsOfStep()).not.toContain('Transpose');
  });

  it('rejects options of the wrong type', async () => {
    await expect(useFastCpu(null as never)).rejects.toThrow('useFastCpu: expected an options object such as { wasm: false }, but got null.');
    await expect(useFastCpu({ wasm: 'no' as never })).rejects.toThrow('useFastCpu: wasm must be a boolean, but got "no".');
  });
});
