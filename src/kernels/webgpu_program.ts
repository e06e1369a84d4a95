import type * as tf from '@tensorflow/tfjs-core';
import { MIN_NORMAL_FLOAT32, NORM_EPSILON } from '../math/angular_math.js';

/**
 * The part of tfjs-backend-webgpu's public `WebGPUProgram` type that the fused kernels fill in.
 * Written out here so that the library's types do not depend on that optional package.
 *
 * tfjs compiles `getUserCode()` together with its own prologue: one storage buffer per name in
 * `variableNames` (readable by that name), the output buffer `result`, and `uniforms` with the
 * shapes (`<name>Shape`, `outShape`). With a flat dispatch it calls `main(index)` once per thread,
 * `index` the global thread index.
 * @internal
 */
export interface FusedProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  getUserCode: () => string;
}

/** `WebGPUBackend.runWebGPUProgram` of tfjs-backend-webgpu, a public method. @internal */
interface WebGPUBackendLike {
  runWebGPUProgram(program: FusedProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType): tf.TensorInfo;
}

const WORKGROUP = 64;

/**
 * A program with `threads` threads over a flat layout, for an output of `outputShape`. Past the
 * device's limit of workgroups along x (65,535), tfjs reshapes the dispatch into a square or cube
 * and still hands `main` the flat thread index: the code must check it against its own bound.
 * @internal
 */
export function flatProgram(shaderKey: string, outputShape: number[], variableNames: string[], threads: number, code: string): FusedProgram {
  const dispatch: [number, number, number] = [Math.max(1, Math.ceil(threads / WORKGROUP)), 1, 1];
  return {
    outputShape,
    shaderKey,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch,
    variableNames,
    workgroupSize: [WORKGROUP, 1, 1],
    getUserCode: () => code,
  };
}

/** Runs a program on the webgpu backend and returns its float32 output. @internal */
export function runProgram(backend: tf.KernelBackend, program: FusedProgram, inputs: tf.TensorInfo[]): tf.TensorInfo {
  return (backend as unknown as WebGPUBackendLike).runWebGPUProgram(program, inputs, 'float32');
}

/** A float as a WGSL f32 literal that parses to the same float32 value. @internal */
export function wgslFloat(value: number): string {
  const text = Math.fround(value).toPrecision(9);
  return text.includes('e') || text.includes('.') ? text : `${text}.0`;
}

/**
 * WGSL: `fn NAME(offset : i32, count : i32, stride : i32) -> f32`, the norm of the values of
 * `array` at offset + i·stride (a row: stride 1; a column: stride = columns) as safeL2Norm
 * computes it: k·√(Σ (v/k)²) with k = max |v|, or √(Σ v² + ε) where k is below MIN_NORMAL_FLOAT32.
 * @internal
 */
export function wgslNorm(name: string, array: string): string {
  return `
  fn ${name}(offset : i32, count : i32, stride : i32) -> f32 {
    var k = 0.0;
    for (var i = 0; i < count; i++) {
      k = max(k, abs(${array}[offset + i * stride]));
    }
    let tiny = k < ${wgslFloat(MIN_NORMAL_FLOAT32)};
    let scale = select(k, 1.0, tiny);
    var sum = 0.0;
    for (var i = 0; i < count; i++) {
      let v = ${array}[offset + i * stride] / scale;
      sum += v * v;
    }
    return select(k * sqrt(sum), sqrt(sum + ${wgslFloat(NORM_EPSILON)}), tiny);
  }`;
}
