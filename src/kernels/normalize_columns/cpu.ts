// The fused column normalization and its gradient on the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { hostNorm, hostOutput, hostValues, type KernelArgs } from '../fused_kernels.js';

export function normalizeColumnsCpu({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const w = inputs['w'] as tf.TensorInfo;
  const [rows, cols] = w.shape as [number, number];
  const values = hostValues(backend as tf.KernelBackend, w);
  const out = new Float32Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const norm = hostNorm(values, j, rows, cols);
    for (let d = 0; d < rows; d++) out[d * cols + j] = values[d * cols + j]! / norm;
  }
  return hostOutput(backend as tf.KernelBackend, [rows, cols], out);
}

// dL/dW = (dŴ − Ŵ·Σ_d Ŵ_d·dŴ_d) / ‖W‖, per column: the derivative of W/‖W‖ (see the op's TSDoc).
export function normalizeColumnsGradCpu({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const dyInfo = inputs['dy'] as tf.TensorInfo;
  const wInfo = inputs['w'] as tf.TensorInfo;
  const [rows, cols] = wInfo.shape as [number, number];
  const dy = hostValues(backend as tf.KernelBackend, dyInfo);
  const w = hostValues(backend as tf.KernelBackend, wInfo);
  const out = new Float32Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const norm = hostNorm(w, j, rows, cols);
    let projection = 0;
    for (let d = 0; d < rows; d++) projection += (w[d * cols + j]! / norm) * dy[d * cols + j]!;
    for (let d = 0; d < rows; d++) out[d * cols + j] = (dy[d * cols + j]! - (w[d * cols + j]! / norm) * projection) / norm;
  }
  return hostOutput(backend as tf.KernelBackend, [rows, cols], out);
}

