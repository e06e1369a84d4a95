// Registers the fused cosine-margin target kernel for cpu and webgpu, and its gradient (one kernel
// per differentiated input).
import * as tf from '@tensorflow/tfjs-core';
import { registerFusedKernel, registerGradientOnce, attrsOf, namedAttrs } from '../fused_kernels.js';
import { cosineTargetsCpu, cosineTargetsGradCpu } from './cpu.js';
import { COSINE_TARGETS, COSINE_TARGETS_GRAD, type CosinePart, type CosineTargetsAttrs } from './names.js';
import { cosineTargetsGradWebgpu, cosineTargetsWebgpu } from './webgpu.js';

/**
 * Registers the kernels and the gradient (idempotent: a tfjs instance that has them keeps them).
 * Called by op.ts when it is loaded; a call, not a bare import, so that bundlers keep it.
 * @internal
 */
export function registerCosineTargets(): void {
  registerFusedKernel(COSINE_TARGETS, { cpu: cosineTargetsCpu, webgpu: cosineTargetsWebgpu });
  registerFusedKernel(COSINE_TARGETS_GRAD, { cpu: cosineTargetsGradCpu, webgpu: cosineTargetsGradWebgpu });
  registerGradientOnce({
    kernelName: COSINE_TARGETS,
    inputsToSave: ['logits', 'labels', 'progress', 'state', 'emb'],
    gradFunc: (dys, saved, attrs) => {
      // Two outputs: the logits, and the pass's state, which nothing differentiates (its dy is null).
      const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
      const [logits, labels, progress, state, emb] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const { formula, params, scale } = attrsOf<CosineTargetsAttrs>(attrs);
      const grad = (part: CosinePart) =>
        tf.engine().runKernel(COSINE_TARGETS_GRAD, { dy, logits, labels, progress, state, emb }, namedAttrs({ formula, params, scale, part })) as tf.Tensor;
      // Each closure runs only when its input needs a gradient (the warm-up's progress seldom does).
      return {
        logits: () => grad('logits'),
        labels: () => tf.zerosLike(labels),
        progress: () => tf.reshape(grad('progress'), progress.shape),
        // The state (CurricularFace's t, AdaFace's statistics) and AdaFace's norms are constants of
        // the backward pass, as in their references.
        state: () => tf.zerosLike(state),
        emb: () => tf.zerosLike(emb),
      };
    },
  });
}
