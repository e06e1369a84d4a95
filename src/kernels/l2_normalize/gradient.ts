// Registers the fused L2 normalization for cpu and webgpu, and its gradient (one kernel).
import * as tf from '@tensorflow/tfjs-core';
import { registerFusedKernel, registerGradientOnce } from '../fused_kernels.js';
import { l2NormalizeCpu, l2NormalizeGradCpu } from './cpu.js';
import { L2_NORMALIZE, L2_NORMALIZE_GRAD } from './names.js';
import { l2NormalizeGradWebgpu, l2NormalizeWebgpu } from './webgpu.js';

/**
 * Registers the kernels and the gradient (idempotent: a tfjs instance that has them keeps them).
 * Called by op.ts when it is loaded; a call, not a bare import, so that bundlers keep it.
 * @internal
 */
export function registerL2Normalize(): void {
  registerFusedKernel(L2_NORMALIZE, { cpu: l2NormalizeCpu, webgpu: l2NormalizeWebgpu });
  registerFusedKernel(L2_NORMALIZE_GRAD, { cpu: l2NormalizeGradCpu, webgpu: l2NormalizeGradWebgpu });
  registerGradientOnce({
    kernelName: L2_NORMALIZE,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      return { x: () => tf.engine().runKernel(L2_NORMALIZE_GRAD, { dy: dy as tf.Tensor, x }, attrs) as tf.Tensor };
    },
  });
}
