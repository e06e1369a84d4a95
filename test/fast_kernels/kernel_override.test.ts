// Overriding and restoring kernels (src/kernels/kernel_override.ts), on two kernels of the active
// backend registered here for the purpose: each keeps its own original, whatever the order.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { overrideKernel, restoreKernel } from '../../src/fast_kernels/kernel_override.js';

const backend = tf.getBackend();
const original =
  (tag: string): tf.KernelFunc =>
  () =>
    ({ tag }) as unknown as tf.TensorInfo;
const NAMES = ['TestOverrideA', 'TestOverrideB'];
for (const kernelName of NAMES) tf.registerKernel({ kernelName, backendName: backend, kernelFunc: original(kernelName) });
const own = new Map(NAMES.map((n) => [n, tf.getKernel(n, backend).kernelFunc]));

describe('overrideKernel / restoreKernel', () => {
  afterAll(() => {
    for (const n of NAMES) if (tf.getKernel(n, backend) != null) tf.unregisterKernel(n, backend);
  });

  it("restores each kernel's own function, whatever the order of overrides and restores", () => {
    const seen: Array<tf.KernelFunc | undefined> = [];
    for (const n of NAMES) {
      overrideKernel(n, backend, (previous) => {
        seen.push(previous);
        return original(`ours ${n}`);
      });
    }
    expect(seen).toEqual([own.get('TestOverrideA'), own.get('TestOverrideB')]);
    // Overriding again hands over the backend's own function, not the previous override.
    overrideKernel('TestOverrideA', backend, (previous) => {
      expect(previous).toBe(own.get('TestOverrideA'));
      return original('ours again');
    });
    expect(restoreKernel('TestOverrideA', backend)).toBe(true);
    expect(tf.getKernel('TestOverrideA', backend).kernelFunc).toBe(own.get('TestOverrideA'));
    expect(tf.getKernel('TestOverrideB', backend).kernelFunc).not.toBe(own.get('TestOverrideB'));
    expect(restoreKernel('TestOverrideB', backend)).toBe(true);
    expect(tf.getKernel('TestOverrideB', backend).kernelFunc).toBe(own.get('TestOverrideB'));
  });

  it('restores nothing where it did not override, and leaves no kernel where there was none', () => {
    expect(restoreKernel('TestOverrideA', backend)).toBe(false);
    expect(tf.getKernel('TestOverrideA', backend).kernelFunc).toBe(own.get('TestOverrideA'));
    expect(restoreKernel('TestOverrideNone', backend)).toBe(false);
    overrideKernel('TestOverrideNone', backend, (previous) => {
      expect(previous).toBeUndefined();
      return original('ours');
    });
    expect(restoreKernel('TestOverrideNone', backend)).toBe(true);
    expect(tf.getKernel('TestOverrideNone', backend)).toBeUndefined();
  });
});
