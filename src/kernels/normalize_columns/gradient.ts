// Registers the fused column normalization for cpu and webgpu, and its gradient (one kernel).
import * as tf from '@tensorflow/tfjs-core';
import { registerFusedKernel, registerGradientOnce } from '../fused_kernels.js';
import { normalizeColumnsCpu, normalizeColumnsGradCpu } from './cpu.js';
import { NORMALIZE_COLUMNS, NORMALIZE_COLUMNS_GRAD } from './names.js';
import { normalizeColumnsGradWebgpu, normalizeColumnsWebgpu } from './webgpu.js';

/**
 * Registers the kernels and the gradient (idempotent: a tfjs instance that has them keeps them).
 * Called by op.ts when it is loaded; a call, not a bare import, so that bundlers keep it.
 * @internal
 */
export function registerNormalizeColumns(): void {
  registerFusedKernel(NORMALIZE_COLUMNS, { cpu: normalizeColumnsCpu, webgpu: normalizeColumnsWebgpu });
  registerFusedKernel(NORMALIZE_COLUMNS_GRAD, { cpu: normalizeColumnsGradCpu, webgpu: normalizeColumnsGradWebgpu });
  registerGradientOnce({
    kernelName: NORMALIZE_COLUMNS,
    inputsToSave: ['w'],
    gradFunc: (dy, saved) => {
      const [w] = saved as [tf.Tensor];
      return { w: () => tf.engine().runKernel(NORMALIZE_COLUMNS_GRAD, { dy: dy as tf.Tensor, w }) as tf.Tensor };
    },
  });
}
