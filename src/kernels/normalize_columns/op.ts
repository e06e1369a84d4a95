// The op of the fused column normalization.
import * as tf from '@tensorflow/tfjs-core';
import { registerNormalizeColumns } from './gradient.js';
import { NORMALIZE_COLUMNS } from './names.js';

registerNormalizeColumns();

function normalizeColumns_(w: tf.Tensor2D): tf.Tensor2D {
  return tf.engine().runKernel(NORMALIZE_COLUMNS, { w }) as tf.Tensor2D;
}

/**
 * Scales each column of a [D, C] matrix to unit length, W_dj / √(Σ_d W_dj² + ε), in one kernel on
 * the backends with fused kernels (the values of `l2Normalize(w, 0)`, which takes five). Gradient,
 * also one kernel: dL/dW = (dŴ − Ŵ·Σ_d Ŵ_d·dŴ_d) / √(Σ_d W_d² + ε) per column.
 * Callers check {@link fusedKernelActive} first; the kernel exists only for cpu and webgpu.
 * @internal
 */
export const normalizeColumns = tf.op({ normalizeColumns_ });
