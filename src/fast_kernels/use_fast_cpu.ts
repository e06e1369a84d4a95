import * as tf from '@tensorflow/tfjs-core';
import { assertBoolean, assertOptions } from '../util/validate.js';
import { registerFastConvGradients } from './register_fast_conv_gradients.js';
import { registerFastMatMul } from './register_fast_mat_mul.js';

/** Options of {@link useFastCpu}. */
export interface FastCpuOptions {
  /** Use tfjs-backend-wasm where it is installed. Default: true. */
  wasm?: boolean;
}

/** What {@link useFastCpu} chose. */
export interface FastCpuChoice {
  /** The backend now active: 'wasm' or 'cpu'. */
  backend: 'wasm' | 'cpu';
  /** The kernels replaced on it ({@link registerFastMatMul}: 'BatchMatMul'; {@link registerFastConvGradients}: 'Conv2DBackpropFilter', and on wasm 'Conv2DBackpropInput'). */
  kernels: string[];
}

/** Whether `specifier` can be imported (an optional package that may not be installed). */
async function tryImport(specifier: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ specifier);
    return true;
  } catch {
    return false;
  }
}

/**
 * The fastest CPU set-up of tfjs in Node in one call: the wasm backend where
 * `@tensorflow/tfjs-backend-wasm` is installed, with {@link registerFastMatMul} (its products with a
 * transposed operand, every matrix product's gradient, are many times slower than plain ones) and
 * {@link registerFastConvGradients} (it has no convolution gradients of its own); else the cpu
 * backend with {@link registerFastConvGradients} (its own filter gradient is several times slower).
 * `@tensorflow/tfjs-node`, where installed, is faster still: import it instead.
 *
 * @param options - `wasm: false` to stay on the cpu backend.
 * @returns the backend chosen and the kernels replaced on it.
 * @throws Error where neither backend is registered (install `@tensorflow/tfjs`, which brings cpu).
 * @example
 * ```ts
 * import { useFastCpu } from 'tfjs-angular-margin/fast-kernels';
 * const { backend } = await useFastCpu(); // 'wasm' with @tensorflow/tfjs-backend-wasm installed, else 'cpu'
 * ```
 */
export async function useFastCpu(options: FastCpuOptions = {}): Promise<FastCpuChoice> {
  const owner = 'useFastCpu';
  assertOptions(owner, options, '{ wasm: false }');
  const wasm = options.wasm ?? true;
  assertBoolean(owner, 'wasm', wasm);
  if (wasm && (tf.findBackendFactory('wasm') != null || (await tryImport('@tensorflow/tfjs-backend-wasm'))) && (await tf.setBackend('wasm'))) {
    registerFastMatMul({ backends: ['wasm'] });
    registerFastConvGradients({ backends: ['wasm'] });
    return { backend: 'wasm', kernels: ['BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'] };
  }
  if ((tf.findBackendFactory('cpu') != null || (await tryImport('@tensorflow/tfjs-backend-cpu'))) && (await tf.setBackend('cpu'))) {
    registerFastConvGradients({ backends: ['cpu'] });
    return { backend: 'cpu', kernels: ['Conv2DBackpropFilter'] };
  }
  throw new Error(
    `${owner}: neither the wasm nor the cpu backend is available: install @tensorflow/tfjs (it brings the cpu backend) or @tensorflow/tfjs-backend-wasm.`,
  );
}
