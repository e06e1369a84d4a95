import * as tf from '@tensorflow/tfjs-core';

/** Model artifacts' weight data, which tfjs may hold as one buffer or several, as one byte array. @internal */
export function joinWeightData(data: tf.io.WeightData): Uint8Array {
  const buffers = Array.isArray(data) ? data : [data];
  // tf.io.CompositeArrayBuffer.join, which tfjs recommends instead, is missing from the oldest
  // tfjs the package supports (4.10).
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  return new Uint8Array(tf.io.concatenateArrayBuffers(buffers));
}
