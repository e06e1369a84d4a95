import * as tf from '@tensorflow/tfjs-core';

// customGrad: tfjs's Max gradient compares every entry with its maximum — a broadcast Equal over
// B × C × K, which on wasm costs more than the head's matrix product — and sends the incoming
// gradient to every entry that ties for the maximum. The maximum's gradient here goes to the one
// entry argMax picks, as torch.max's does in the reference (insightface): a one-hot of the picks
// times the incoming gradient. (The one-hot is int32 and cast: tfjs-backend-wasm 4.22's OneHot
// writes int32 values into a float32 output.)
const maxOverLast = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [m, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
  const [rows, k] = m.shape;
  const at = tf.argMax(m, 1);
  save([at]);
  return {
    value: tf.max(m, 1),
    gradFunc: (dy: tf.Tensor, [picked]: tf.Tensor[]) => tf.mul(tf.cast(tf.oneHot(picked as tf.Tensor1D, k), 'float32'), tf.reshape(dy, [rows, 1])),
  };
}) as (m: tf.Tensor2D) => tf.Tensor1D;

/**
 * Sub-center ArcFace's class cosines: for cosines [B, C·K] to K sub-centers per class (a class's
 * K columns adjacent), the largest of each class's K, [B, C]. The gradient goes to the sub-center
 * that gave the maximum (one of them on a tie), as in the paper's reference implementation.
 * @internal
 */
function maxOverSubCenters_(cosines: tf.Tensor2D, subCenters: number): tf.Tensor2D {
  const [batch, columns] = cosines.shape;
  const classes = columns / subCenters;
  if (subCenters === 1) return tf.clone(cosines); // (and tf.oneHot needs a depth of at least 2)
  return tf.reshape(maxOverLast(tf.reshape(cosines, [batch * classes, subCenters])), [batch, classes]);
}
/** @internal */
export const maxOverSubCenters = tf.op({ maxOverSubCenters_ });
