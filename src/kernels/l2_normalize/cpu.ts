// The fused L2 normalization and its gradient on the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { hostNorm, hostOutput, hostValues, type KernelArgs, attrsOf } from '../fused_kernels.js';
import { vectorsAlong, type L2NormalizeAttrs } from './names.js';

export function l2NormalizeCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const x = inputs['x'] as tf.TensorInfo;
  const shape = x.shape as [number, number];
  const values = hostValues(backend as tf.KernelBackend, x);
  const { count, length, stride, offset } = vectorsAlong(shape, attrsOf<L2NormalizeAttrs>(attrs).axis);
  const out = new Float32Array(values.length);
  for (let v = 0; v < count; v++) {
    const start = offset(v);
    const norm = hostNorm(values, start, length, stride);
    for (let i = 0; i < length; i++) out[start + i * stride] = values[start + i * stride]! / norm;
  }
  return hostOutput(backend as tf.KernelBackend, shape, out);
}

// dL/dx = (dx̂ − x̂·Σ_i x̂_i·dx̂_i) / ‖x‖, per vector: the derivative of x/‖x‖ (see the op's TSDoc).
export function l2NormalizeGradCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const xInfo = inputs['x'] as tf.TensorInfo;
  const shape = xInfo.shape as [number, number];
  const dy = hostValues(backend as tf.KernelBackend, inputs['dy'] as tf.TensorInfo);
  const x = hostValues(backend as tf.KernelBackend, xInfo);
  const { count, length, stride, offset } = vectorsAlong(shape, attrsOf<L2NormalizeAttrs>(attrs).axis);
  const out = new Float32Array(x.length);
  for (let v = 0; v < count; v++) {
    const start = offset(v);
    const norm = hostNorm(x, start, length, stride);
    let projection = 0;
    for (let i = 0; i < length; i++) projection += (x[start + i * stride]! / norm) * dy[start + i * stride]!;
    for (let i = 0; i < length; i++) {
      const k = start + i * stride;
      out[k] = (dy[k]! - (x[k]! / norm) * projection) / norm;
    }
  }
  return hostOutput(backend as tf.KernelBackend, shape, out);
}
