import * as tf from '@tensorflow/tfjs-core';
import { readSync } from '../util/read_sync.js';
import { describe } from '../util/validate.js';

/** Backends whose tensors live in host memory, where reading labels back costs little. */
const HOST_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm', 'tensorflow']);

/**
 * Whether labels are validated when the caller does not say: on host-memory backends (cpu, wasm,
 * tensorflow) yes; on GPU backends (webgl, webgpu) no, since the read-back would stall the GPU at
 * every step, and webgpu in Node cannot read synchronously at all.
 * @internal
 */
export function validatesLabelsByDefault(): boolean {
  return HOST_BACKENDS.has(tf.getBackend());
}

/**
 * Checks class-index labels against a batch of `batchSize` rows and `numClasses` classes and
 * returns them as an int32 vector [B]. Accepts [B] or [B, 1], int32 or float32 holding integers.
 * With `checkValues` the values are read back (one small device→host copy) and each must be an
 * integer in [0, numClasses); `tf.oneHot` would silently give an all-zero row otherwise. On a
 * backend that cannot read synchronously (webgpu in Node) that read fails with a message that
 * says to pass `validateLabels: false`.
 * @internal
 */
export function labelsToIndices(owner: string, labels: tf.Tensor, batchSize: number, numClasses: number, checkValues: boolean): tf.Tensor1D {
  if (!(labels instanceof tf.Tensor)) throw new Error(`${owner}: labels must be a tf.Tensor of class indices [B] or [B, 1], but got ${describe(labels)}.`);
  const shape = labels.shape;
  const flat = shape.length === 1 || (shape.length === 2 && shape[1] === 1);
  if (!flat) {
    throw new Error(`${owner}: labels must be class indices of shape [B] or [B, 1], but got shape [${shape.join(', ')}].`);
  }
  if (shape[0] !== batchSize) {
    throw new Error(`${owner}: labels have batch size ${shape[0]}, but the embeddings have batch size ${batchSize}.`);
  }
  if (labels.dtype !== 'int32' && labels.dtype !== 'float32') {
    throw new Error(`${owner}: labels must be int32 or float32 class indices, but got dtype ${labels.dtype}.`);
  }
  if (checkValues) {
    const values = readSync(owner, 'label validation', labels, 'pass validateLabels: false to train without the check');
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
        throw new Error(`${owner}: labels must be integers in [0, ${numClasses}), but the label at index ${i} is ${v}.`);
      }
    }
  }
  const indices = tf.reshape(labels, [batchSize]) as tf.Tensor1D;
  // (tf.cast dispatches a Cast kernel even to the same dtype: a step's kernel saved where labels are int32)
  return labels.dtype === 'int32' ? indices : tf.cast(indices, 'int32');
}
