// The fused L2 normalization and its gradient on the webgpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, attrsOf } from '../fused_kernels.js';
import { flatProgram, runProgram, wgslNorm } from '../webgpu_program.js';
import { vectorsAlong, type L2NormalizeAttrs } from './names.js';

/**
 * webgpu: one thread per normalized vector of the [rows, cols] input `x` and output (a column:
 * neighbouring threads read neighbouring elements of each row). `body` runs with start and stride
 * (where the thread's vector lies in x), length, and norm (its norm) in scope. The inputs' names
 * are their names in the WGSL code.
 */
function runVectorProgram(backend: tf.KernelBackend, shaderKey: string, inputs: Record<string, tf.TensorInfo>, axis: 0 | 1, body: string): tf.TensorInfo {
  const shape = inputs['x']!.shape as [number, number];
  const { count } = vectorsAlong(shape, axis);
  // The same layout as vectorsAlong, in WGSL: axis 0 a column (start v, stride cols), axis 1 a row.
  const layout =
    axis === 0
      ? 'let count = cols;\n    let length = rows;\n    let stride = cols;\n    let start = index;'
      : 'let count = rows;\n    let length = cols;\n    let stride = 1;\n    let start = index * cols;';
  const code = `${wgslNorm('vectorNorm', 'x')}
  fn main(index : i32) {
    let rows = uniforms.outShape.x;
    let cols = uniforms.outShape.y;
    ${layout}
    if (index < count) {
      let norm = vectorNorm(start, length, stride);${body}
    }
  }`;
  return runProgram(backend, flatProgram(`${shaderKey}_axis${axis}`, shape, Object.keys(inputs), count, code), Object.values(inputs));
}

export function l2NormalizeWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { axis } = attrsOf<L2NormalizeAttrs>(attrs);
  return runVectorProgram(
    backend as tf.KernelBackend,
    'tfjsAngularMarginL2Normalize',
    { x: inputs['x'] as tf.TensorInfo },
    axis,
    `
      for (var i = 0; i < length; i++) {
        result[start + i * stride] = x[start + i * stride] / norm;
      }`,
  );
}

export function l2NormalizeGradWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { axis } = attrsOf<L2NormalizeAttrs>(attrs);
  return runVectorProgram(
    backend as tf.KernelBackend,
    'tfjsAngularMarginL2NormalizeGrad',
    { dy: inputs['dy'] as tf.TensorInfo, x: inputs['x'] as tf.TensorInfo },
    axis,
    `
      var projection = 0.0;
      for (var i = 0; i < length; i++) {
        projection += (x[start + i * stride] / norm) * dy[start + i * stride];
      }
      for (var i = 0; i < length; i++) {
        let k = start + i * stride;
        result[k] = (dy[k] - (x[k] / norm) * projection) / norm;
      }`,
  );
}
