// The fused column normalization and its gradient on the webgpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs } from '../fused_kernels.js';
import { flatProgram, runProgram, wgslNorm } from '../webgpu_program.js';

/**
 * webgpu: one thread per column j of the [rows, cols] input `w` and output; neighbouring threads
 * read neighbouring elements of each row. `body` runs with index (= j), rows, cols and norm (the
 * norm of w's column j) in scope. The inputs' names are their names in the WGSL code.
 */
function runColumnProgram(backend: tf.KernelBackend, shaderKey: string, inputs: Record<string, tf.TensorInfo>, body: string): tf.TensorInfo {
  const [rows, cols] = inputs['w']!.shape as [number, number];
  const code = `${wgslNorm('columnNorm', 'w')}
  fn main(index : i32) {
    let rows = uniforms.outShape.x;
    let cols = uniforms.outShape.y;
    if (index < cols) {
      let norm = columnNorm(index, rows, cols);${body}
    }
  }`;
  return runProgram(backend, flatProgram(shaderKey, [rows, cols], Object.keys(inputs), cols, code), Object.values(inputs));
}

export function normalizeColumnsWebgpu({ inputs, backend }: KernelArgs): tf.TensorInfo {
  return runColumnProgram(backend as tf.KernelBackend, 'tfjsAngularMarginNormalizeColumns', { w: inputs['w'] as tf.TensorInfo }, `
      for (var d = 0; d < rows; d++) {
        result[d * cols + index] = w[d * cols + index] / norm;
      }`);
}

export function normalizeColumnsGradWebgpu({ inputs, backend }: KernelArgs): tf.TensorInfo {
  return runColumnProgram(backend as tf.KernelBackend, 'tfjsAngularMarginNormalizeColumnsGrad', { dy: inputs['dy'] as tf.TensorInfo, w: inputs['w'] as tf.TensorInfo }, `
      var projection = 0.0;
      for (var d = 0; d < rows; d++) {
        projection += (w[d * cols + index] / norm) * dy[d * cols + index];
      }
      for (var d = 0; d < rows; d++) {
        let k = d * cols + index;
        result[k] = (dy[k] - (w[k] / norm) * projection) / norm;
      }`);
}

