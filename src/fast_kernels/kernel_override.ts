import * as tf from '@tensorflow/tfjs-core';

/** The backends' own kernels that an override replaced, by kernel name and backend, for restoring them. */
const replaced = new Map<string, tf.KernelConfig>();
/** The kernel functions registered here, to tell them from the backends' own. */
const ours = new Set<tf.KernelFunc>();

const key = (kernelName: string, backendName: string) => `${kernelName}@${backendName}`;

/**
 * Registers `make(own)` as `kernelName` on `backendName`, where `own` is the backend's own kernel
 * function (undefined if it has none). Overriding again replaces the previous override, and `own`
 * stays the backend's original. @internal
 */
export function overrideKernel(kernelName: string, backendName: string, make: (own: tf.KernelFunc | undefined) => tf.KernelFunc): void {
  const current = tf.getKernel(kernelName, backendName);
  if (current != null) {
    if (!ours.has(current.kernelFunc)) replaced.set(key(kernelName, backendName), current);
    tf.unregisterKernel(kernelName, backendName);
  }
  const kernelFunc = make(replaced.get(key(kernelName, backendName))?.kernelFunc);
  ours.add(kernelFunc);
  tf.registerKernel({ kernelName, backendName, kernelFunc });
}

/** Puts back the backend's own kernel (or none) where {@link overrideKernel} registered one; returns whether it did. @internal */
export function restoreKernel(kernelName: string, backendName: string): boolean {
  const current = tf.getKernel(kernelName, backendName);
  if (current == null || !ours.has(current.kernelFunc)) return false;
  tf.unregisterKernel(kernelName, backendName);
  const own = replaced.get(key(kernelName, backendName));
  if (own != null) tf.registerKernel(own);
  replaced.delete(key(kernelName, backendName));
  return true;
}

/**
 * The input TensorInfos of a kernel as tensors, for ops inside the kernel. Each wrapper takes a
 * reference of its own on the data (incRef), so disposing it leaves the caller's tensor intact. @internal
 */
export function wrapInputs<K extends string>(inputs: tf.NamedTensorInfoMap, names: readonly K[], backend: unknown): Record<K, tf.Tensor> {
  const engine = tf.engine();
  const out = {} as Record<K, tf.Tensor>;
  for (const name of names) {
    const info = inputs[name] as tf.TensorInfo;
    (backend as { incRef(id: object): void }).incRef(info.dataId);
    out[name] = engine.makeTensorFromTensorInfo(info);
  }
  return out;
}
