import * as tf from '@tensorflow/tfjs-core';

/**
 * Reads a tensor's values synchronously. Some backends cannot: tfjs-backend-webgpu in Node (Dawn)
 * reads only asynchronously, and throws a bare `ReferenceError: OffscreenCanvas is not defined`.
 * This turns that into an error that names the caller and says what to do instead.
 * @param owner - who reads, for the message (e.g. `AngularSoftmax`).
 * @param what - what the read is for, e.g. `label validation`.
 * @param instead - the way out, e.g. `pass validateLabels: false`.
 * @internal
 */
export function readSync(owner: string, what: string, tensor: tf.Tensor, instead: string): tf.TypedArray {
  try {
    return tensor.dataSync() as tf.TypedArray;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${owner}: ${what} reads a tensor synchronously, which the ${tf.getBackend()} backend cannot do here (${reason}); ${instead}.`);
  }
}
