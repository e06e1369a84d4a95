import * as tf from '@tensorflow/tfjs-core';
import { MIN_NORMAL_FLOAT32, NORM_EPSILON } from '../math/angular_math.js';
import { assertBoolean } from '../util/validate.js';

/**
 * The backends with fused head kernels: cpu (plain loops) and webgpu (WGSL programs). On these,
 * every head normalizes its weight columns (and the cosine heads their embeddings) with one kernel,
 * and applies its margin with one; elsewhere they run on composite ops. See {@link useFusedKernels}.
 * @example
 * ```ts
 * if (FUSED_KERNEL_BACKENDS.includes(tf.getBackend())) console.log('fused head kernels in use');
 * ```
 */
export const FUSED_KERNEL_BACKENDS: readonly string[] = Object.freeze(['cpu', 'webgpu']);

let enabled = true;

/**
 * Switches the fused head kernels on or off, globally (default: on).
 *
 * On the cpu and webgpu backends `l2Normalize` of a matrix's rows or columns — the heads' weight
 * columns, the cosine heads' embeddings — is one kernel (and one for its gradient) instead of
 * twelve; A-Softmax replaces its target logits with one kernel (and one for each gradient) instead
 * of about forty small ones; the cosine heads (CosFace, ArcFace, the combined margin, sub-center
 * ArcFace, SphereFace-R, SphereFace2, CurricularFace, AdaFace), warmed up or not, apply their margin
 * and scale — and update their running statistics — with one: a training step of any head runs
 * 32–44 kernels (A-Softmax 44, 7 of them its exact pass counter; a Dense head: 31). On a GPU each kernel costs a
 * dispatch, and a head made of many small kernels is slower than the matrix product it wraps. The
 * values are those of the composite ops, which every other backend (wasm, webgl, tensorflow)
 * uses, and which `useFusedKernels(false)` restores everywhere, e.g. to compare the two.
 *
 * @param on - true to use the fused kernels where registered, false for composite ops everywhere.
 * @returns the previous setting.
 * @throws Error if `on` is not a boolean.
 * @example
 * ```ts
 * const before = useFusedKernels(false); // composite ops only
 * // ... time or debug a head ...
 * useFusedKernels(before);
 * ```
 */
export function useFusedKernels(on: boolean): boolean {
  assertBoolean('useFusedKernels', 'on', on);
  const previous = enabled;
  enabled = on;
  return previous;
}

/** Whether the fused kernel `kernelName` serves the active backend now. @internal */
export function fusedKernelActive(kernelName: string): boolean {
  return enabled && tf.getKernel(kernelName, tf.getBackend()) != null;
}

/**
 * Registers a kernel's cpu and webgpu functions, unless this tfjs instance has them already (a
 * second copy of the library). @internal
 */
export function registerFusedKernel(
  kernelName: string,
  functions: { cpu: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]; webgpu: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[] },
): void {
  for (const backendName of FUSED_KERNEL_BACKENDS) {
    const kernelFunc = functions[backendName as 'cpu' | 'webgpu'];
    if (tf.getKernel(kernelName, backendName) == null) tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
}

/** Registers a gradient unless this tfjs instance has one for the kernel already. @internal */
export function registerGradientOnce(config: tf.GradConfig): void {
  if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
}

/** The values of an input as a host array (cpu kernels: no copy). @internal */
export function hostValues(backend: tf.KernelBackend, info: tf.TensorInfo): Float32Array | Int32Array {
  return backend.readSync(info.dataId) as Float32Array | Int32Array;
}

/**
 * The norm safeL2Norm computes, over `count` values of a flat array from `offset` in steps of
 * `stride` (a row of a row-major matrix: stride 1; a column: stride = columns): √(Σ v²), or
 * √(Σ v² + ε) where the largest |v| is below MIN_NORMAL_FLOAT32. In float64, where the squares of
 * float32 values neither overflow nor underflow, so no scaling is needed.
 * @internal
 */
export function hostNorm(values: ArrayLike<number>, offset: number, count: number, stride: number): number {
  let sum = 0;
  let largest = 0;
  for (let i = 0; i < count; i++) {
    const v = values[offset + i * stride]!;
    sum += v * v;
    largest = Math.max(largest, Math.abs(v));
  }
  return Math.sqrt(largest >= MIN_NORMAL_FLOAT32 ? sum : sum + NORM_EPSILON);
}

/** A float32 output made from host values (cpu kernels). @internal */
export function hostOutput(backend: tf.KernelBackend, shape: number[], values: Float32Array): tf.TensorInfo {
  return { dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
}

/** What tfjs hands a kernel function: inputs, attributes and the backend. @internal */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * tfjs passes kernel attributes as a `NamedAttrMap`, whose value types (numbers, strings, arrays)
 * exclude an op's own attribute interface and no type guard can narrow them back: the kernels'
 * two conversions between the two live here, and nowhere else. @internal
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed read of attributes: T is what the kernel's op wrote (namedAttrs)
export function attrsOf<T extends object>(attrs: tf.NamedAttrMap | undefined): T {
  if (attrs == null) throw new Error('tfjs-angular-margin: a kernel was run without its attributes.');
  return attrs as unknown as T;
}

/** An op's own attributes as the `NamedAttrMap` that `runKernel` takes (see {@link attrsOf}). @internal */
export function namedAttrs(attrs: object): tf.NamedAttrMap {
  return attrs as unknown as tf.NamedAttrMap;
}
