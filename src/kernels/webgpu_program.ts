import type * as tf from '@tensorflow/tfjs-core';
import { MIN_NORMAL_FLOAT32, NORM_EPSILON } from '../math/angular_math.js';

/**
 * The part of tfjs-backend-webgpu's public `WebGPUProgram` type that the fused kernels fill in.
 * Written out here so that the library's types do not depend on that optional package.
 *
 * tfjs compiles `getUserCode()` together with its own prologue: one storage buffer per name in
 * `variableNames` (readable by that name), the output buffer `result`, and `uniforms` with the
 * shapes (`<name>Shape`, `outShape`) and the program's own fields declared in `uniforms`
 * (`'p0 : f32, scale : f32,'`), whose values each run passes. With a flat dispatch it calls
 * `main(index)` once per thread, `index` the global thread index. tfjs compiles one pipeline per
 * `shaderKey` (and input shapes and types): values that change between heads or steps belong in
 * uniforms, not in the code, so the key names only the code's structure.
 * @internal
 */
export interface FusedProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  /** The program's own uniform fields, WGSL declarations each ending in a comma (none by default). */
  uniforms?: string;
  /** This library's: the values of those fields for this run, in their order (tfjs ignores the field). */
  uniformValues?: number[];
  getUserCode: () => string;
}

/** Float32 values of a program's own uniforms, in the order of its `uniforms` declarations. @internal */
export interface FloatUniforms {
  /** WGSL declarations, e.g. `'p0 : f32, scale : f32,'`. */
  declarations: string;
  values: number[];
}

/** f32 uniform fields named `names`, with their values. @internal */
export function floatUniforms(entries: ReadonlyArray<readonly [string, number]>): FloatUniforms {
  return { declarations: entries.map(([name]) => `${name} : f32,`).join(' '), values: entries.map(([, value]) => value) };
}

/** `WebGPUBackend.runWebGPUProgram` of tfjs-backend-webgpu, a public method. @internal */
interface WebGPUBackendLike {
  runWebGPUProgram(
    program: FusedProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    programUniforms?: Array<{ type: 'float32'; data: number[] }>,
  ): tf.TensorInfo;
}

/** Threads per workgroup of every program here (a power of two: {@link wgslWorkgroupSum} halves it). @internal */
export const WORKGROUP_SIZE = 64;

/**
 * A program with `threads` threads over a flat layout, for an output of `outputShape`. Past the
 * device's limit of workgroups along x (65,535), tfjs reshapes the dispatch into a square or cube
 * and still hands `main` the flat thread index: the code must check it against its own bound.
 * @internal
 */
export function flatProgram(
  shaderKey: string,
  outputShape: number[],
  variableNames: string[],
  threads: number,
  code: string,
  uniforms?: FloatUniforms,
): FusedProgram {
  const dispatch: [number, number, number] = [Math.max(1, Math.ceil(threads / WORKGROUP_SIZE)), 1, 1];
  return {
    ...(uniforms == null ? {} : { uniforms: uniforms.declarations, uniformValues: uniforms.values }),
    outputShape,
    shaderKey,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch,
    variableNames,
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    getUserCode: () => code,
  };
}

/** Runs a program on the webgpu backend, with its uniforms' values, and returns its float32 output. @internal */
export function runProgram(backend: tf.KernelBackend, program: FusedProgram, inputs: tf.TensorInfo[]): tf.TensorInfo {
  const values = program.uniformValues?.map((v) => ({ type: 'float32' as const, data: [v] }));
  // The backend is tfjs-backend-webgpu's WebGPUBackend, whose type this library does not import
  // (an optional package); a KernelBackend's type does not show its public runWebGPUProgram.
  return (backend as unknown as WebGPUBackendLike).runWebGPUProgram(program, inputs, 'float32', values);
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

/**
 * WGSL: `fn workgroupSum(value : f32) -> f32`, the sum of `value` over the threads of the
 * workgroup, by halving in workgroup memory; every thread gets it. Call it from every thread (it
 * holds barriers), as many times as needed. @internal
 */
export function wgslWorkgroupSum(): string {
  return `
  var<workgroup> partialSums : array<f32, ${WORKGROUP_SIZE}>;
  fn workgroupSum(value : f32) -> f32 {
    partialSums[localIndex] = value;
    workgroupBarrier();
    for (var stride = ${WORKGROUP_SIZE / 2}u; stride > 0u; stride = stride / 2u) {
      if (localIndex < stride) {
        partialSums[localIndex] += partialSums[localIndex + stride];
      }
      workgroupBarrier();
    }
    let total = partialSums[0];
    workgroupBarrier();
    return total;
  }`;
}
