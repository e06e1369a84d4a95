import * as tf from '@tensorflow/tfjs-core';
import { NORM_EPSILON } from '../ops/l2_norm.js';
import { hostNorm, hostOutput, hostValues, registerFusedKernel, registerGradientOnce, type KernelArgs } from './fused_kernels.js';
import { flatProgram, runProgram, wgslFloat } from './webgpu_program.js';

/** Ŵ = W / ‖W‖ per column, one kernel. Input `w` [D, C]; output [D, C]. @internal */
export const NORMALIZE_COLUMNS = 'TfjsAngularMarginNormalizeColumns';
/** Its gradient: inputs `dy` (dL/dŴ) and `w`; output dL/dW [D, C]. @internal */
const NORMALIZE_COLUMNS_GRAD = 'TfjsAngularMarginNormalizeColumnsGrad';

function normalizeColumnsCpu({ inputs, backend }: KernelArgs): tf.TensorInfo {
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
function normalizeColumnsGradCpu({ inputs, backend }: KernelArgs): tf.TensorInfo {
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

/**
 * webgpu: one thread per column j of the [rows, cols] input `w` and output; neighbouring threads
 * read neighbouring elements of each row. `body` runs with index (= j), rows, cols and norm (the
 * norm of w's column j) in scope. The inputs' names are their names in the WGSL code.
 */
function runColumnProgram(backend: tf.KernelBackend, shaderKey: string, inputs: Record<string, tf.TensorInfo>, body: string): tf.TensorInfo {
  const [rows, cols] = inputs['w']!.shape as [number, number];
  const code = `
  fn columnNorm(j : i32, rows : i32, cols : i32) -> f32 {
    var sum = 0.0;
    for (var d = 0; d < rows; d++) {
      let v = w[d * cols + j];
      sum += v * v;
    }
    return sqrt(sum + ${wgslFloat(NORM_EPSILON)});
  }
  fn main(index : i32) {
    let rows = uniforms.outShape.x;
    let cols = uniforms.outShape.y;
    if (index < cols) {
      let norm = columnNorm(index, rows, cols);${body}
    }
  }`;
  return runProgram(backend, flatProgram(shaderKey, [rows, cols], Object.keys(inputs), cols, code), Object.values(inputs));
}

function normalizeColumnsWebgpu({ inputs, backend }: KernelArgs): tf.TensorInfo {
  return runColumnProgram(backend as tf.KernelBackend, 'tfjsAngularMarginNormalizeColumns', { w: inputs['w'] as tf.TensorInfo }, `
      for (var d = 0; d < rows; d++) {
        result[d * cols + index] = w[d * cols + index] / norm;
      }`);
}

function normalizeColumnsGradWebgpu({ inputs, backend }: KernelArgs): tf.TensorInfo {
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
