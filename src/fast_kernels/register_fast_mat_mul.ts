import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, describe } from '../util/validate.js';
import { overrideKernel, restoreKernel, wrapInputs } from './kernel_override.js';
import { attrsOf } from '../kernels/fused_kernels.js';

/** Attributes of tfjs's BatchMatMul kernel. */
interface BatchMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** The backends registerFastMatMul registered its kernel for. */
const registered = new Set<string>();

/** Options of {@link registerFastMatMul} and {@link restoreMatMul}. */
export interface FastMatMulOptions {
  /** Backends to register the kernel for. Default: ['wasm']. */
  backends?: string[];
}

/**
 * Registers a `BatchMatMul` kernel that transposes its operands first, when asked to multiply by a
 * transpose, and then calls the backend's own kernel without transposes.
 *
 * Why: tfjs-backend-wasm 4.22 multiplies by a transposed operand far slower than without, and
 * every gradient of a matrix product (Dense layers, the margin heads) multiplies by transposes:
 * with this kernel a wasm training step of the MNIST example's MLP takes 0.18 × the time, of its
 * CNNs 0.55–0.61 × (bench/results/networks-wasm-kernels.md).
 * An explicit transpose costs a copy; the product then runs at full speed. Results are the
 * same products (tested against the backend's own kernel).
 *
 * Opt-in and global, like any tfjs kernel registration: call it once after importing the backend;
 * {@link restoreMatMul} undoes it.
 *
 * @param options - see {@link FastMatMulOptions}.
 * @returns the backends it registered the kernel for.
 * @throws Error for a backend that has no BatchMatMul kernel (not imported, or misspelled).
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerFastMatMul } from 'tfjs-angular-margin/fast-kernels';
 * await tf.setBackend('wasm');
 * registerFastMatMul(); // gradients of matrix products now run at the speed of the products
 * ```
 */
export function registerFastMatMul(options: FastMatMulOptions = {}): string[] {
  assertOptions('registerFastMatMul', options, "{ backends: ['wasm'] }");
  const backends = options.backends ?? ['wasm'];
  if (!Array.isArray(backends)) throw new Error(`registerFastMatMul: backends must be an array of backend names, but got ${describe(backends)}.`);
  for (const name of backends) {
    if (typeof name !== 'string' || tf.getKernel('BatchMatMul', name) == null) {
      throw new Error(`registerFastMatMul: backends must name backends that are imported and have a BatchMatMul kernel, but got ${describe(name)}.`);
    }
  }
  for (const backendName of backends) {
    registered.add(backendName);
    overrideKernel('BatchMatMul', backendName, (own) => ({ inputs, attrs, backend }) => {
      const { transposeA, transposeB } = attrsOf<BatchMatMulAttrs>(attrs);
      if (!transposeA && !transposeB) return own!({ inputs, attrs, backend });
      const { a, b } = wrapInputs(inputs, ['a', 'b'], backend);
      const swapLast = (t: tf.Tensor) =>
        tf.transpose(
          t,
          [...t.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : 2 * all.length - 3 - i)),
        );
      const at = transposeA ? swapLast(a) : a;
      const bt = transposeB ? swapLast(b) : b;
      const result = own!({ inputs: { a: at, b: bt }, attrs: { ...attrs, transposeA: false, transposeB: false }, backend });
      tf.dispose([a, b, at, bt]);
      return result;
    });
  }
  return backends;
}

/**
 * Undoes {@link registerFastMatMul}: puts back the backend's own `BatchMatMul` kernel.
 *
 * @param options - `backends`: which to restore. Default: every backend it was registered for.
 * @returns the backends restored.
 * @example
 * ```ts
 * registerFastMatMul();
 * // ... time a training step ...
 * restoreMatMul(); // tfjs-backend-wasm's own kernel again
 * ```
 */
export function restoreMatMul(options: FastMatMulOptions = {}): string[] {
  assertOptions('restoreMatMul', options, "{ backends: ['wasm'] }");
  const restored = (options.backends ?? [...registered]).filter((name) => restoreKernel('BatchMatMul', name));
  for (const name of restored) registered.delete(name);
  return restored;
}
