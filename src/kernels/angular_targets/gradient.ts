// Registers the fused A-Softmax target kernel for cpu and webgpu, and its gradient (one kernel per
// differentiated input).
import * as tf from '@tensorflow/tfjs-core';
import { registerFusedKernel, registerGradientOnce, attrsOf, namedAttrs } from '../fused_kernels.js';
import { angularTargetsCpu, angularTargetsGradCpu } from './cpu.js';
import { ANGULAR_TARGETS, ANGULAR_TARGETS_GRAD, type Part, type TargetsAttrs } from './names.js';
import { angularTargetsGradWebgpu, angularTargetsWebgpu } from './webgpu.js';

/**
 * Registers the kernels and the gradient (idempotent: a tfjs instance that has them keeps them).
 * Called by op.ts when it is loaded; a call, not a bare import, so that bundlers keep it.
 * @internal
 */
export function registerAngularTargets(): void {
  registerFusedKernel(ANGULAR_TARGETS, { cpu: angularTargetsCpu, webgpu: angularTargetsWebgpu });
  registerFusedKernel(ANGULAR_TARGETS_GRAD, { cpu: angularTargetsGradCpu, webgpu: angularTargetsGradWebgpu });
  registerGradientOnce({
    kernelName: ANGULAR_TARGETS,
    inputsToSave: ['logits', 'emb', 'labels', 'lam'],
    gradFunc: (dy, saved, attrs) => {
      const [logits, emb, labels, lam] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const { margin, schedule } = attrsOf<TargetsAttrs>(attrs);
      const grad = (part: Part) =>
        tf.engine().runKernel(ANGULAR_TARGETS_GRAD, { dy: dy as tf.Tensor, logits, emb, labels, lam }, namedAttrs({ margin, schedule, part })) as tf.Tensor;
      // Each closure runs only when its input needs a gradient (a head on fixed embeddings skips emb).
      return {
        logits: () => grad('logits'),
        emb: () => grad('emb'),
        labels: () => tf.zerosLike(labels),
        lam: () => tf.reshape(grad('lam'), lam.shape),
      };
    },
  });
}
