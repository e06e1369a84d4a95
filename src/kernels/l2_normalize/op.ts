// The op of the fused L2 normalization.
import * as tf from '@tensorflow/tfjs-core';
import { registerL2Normalize } from './gradient.js';
import { L2_NORMALIZE } from './names.js';

registerL2Normalize();

function fusedL2Normalize_(x: tf.Tensor2D, axis: 0 | 1): tf.Tensor2D {
  return tf.engine().runKernel(L2_NORMALIZE, { x }, { axis }) as tf.Tensor2D;
}

/**
 * Scales each column (axis 0) or row (axis 1) of a matrix to unit length, x / ‖x‖ (the norm of safeL2Norm), in one
 * kernel on the backends with fused kernels (the values of the composite `l2Normalize`, which
 * takes twelve). Gradient, also one kernel: dL/dx = (dx̂ − x̂·Σ_i x̂_i·dx̂_i) / ‖x‖ per
 * vector. Callers check {@link fusedKernelActive} first; the kernel exists only for cpu and webgpu.
 * @internal
 */
export const fusedL2Normalize = tf.op({ fusedL2Normalize_ });
