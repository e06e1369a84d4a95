import * as tf from '@tensorflow/tfjs-core';

/** Model artifacts' weight data, which tfjs may hold as one buffer or several, as one byte array. @internal */
export function joinWeightData(data: tf.io.WeightData): Uint8Array {
  const buffers = Array.isArray(data) ? data : [data];
  return new Uint8Array(tf.io.concatenateArrayBuffers(buffers));
}
