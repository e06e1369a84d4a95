import * as tf from '@tensorflow/tfjs-core';

/**
 * Where each row's target entry of a [B, C] tensor is: `pairs` [B, 2] int32, the (b, y_b) that
 * gatherND and scatterND address; `isTarget` [B, C] bool; `valid` [B, 1] float32, 1 where y_b is
 * in [0, C) and 0 for a label outside (possible when labels are not validated), whose pair
 * points at column 0 and whose row is left as it is.
 * @internal
 */
export interface TargetEntries {
  pairs: tf.Tensor2D;
  isTarget: tf.Tensor2D;
  valid: tf.Tensor2D;
}

/** The {@link TargetEntries} of class indices [B] in a [B, `classes`] tensor. @internal */
export function targetEntries(indices: tf.Tensor1D, classes: number): TargetEntries {
  const batch = indices.shape[0];
  const inRange = tf.logicalAnd(tf.greaterEqual(indices, 0), tf.less(indices, classes));
  const columns = tf.where(inRange, indices, tf.zerosLike(indices));
  return {
    pairs: tf.stack([tf.range(0, batch, 1, 'int32'), columns], 1) as tf.Tensor2D,
    isTarget: tf.equal(tf.reshape(indices, [batch, 1]), tf.range(0, classes, 1, 'int32')) as tf.Tensor2D,
    valid: tf.reshape(tf.cast(inRange, 'float32'), [batch, 1]),
  };
}

// customGrad: tfjs-core registers no gradient for GatherND. The gradient of gathering B entries is
// scattering them back; the pairs (int32) get a zero gradient, never read.
const gather = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [m, pairs, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([pairs]);
  const shape = m.shape;
  return {
    value: tf.reshape(tf.gatherND(m, pairs), [pairs.shape[0], 1]),
    gradFunc: (dy: tf.Tensor, [p]: tf.Tensor[]) => [tf.scatterND(p!, tf.reshape(dy, [-1]), shape), tf.zeros(p!.shape)],
  };
}) as (m: tf.Tensor2D, pairs: tf.Tensor2D) => tf.Tensor2D;

// customGrad: autodiff of where(isTarget, broadcast values, m) would take six passes over B × C
// (casts, a logical not, two products, the broadcast's sum); here the gradient in m is one select
// and in the values a B-entry gather. isTarget and the pairs get zero gradients, never read.
const replace = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [m, values, isTarget, pairs, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([isTarget, pairs]);
  return {
    value: tf.where(isTarget, tf.broadcastTo(values, m.shape), m),
    gradFunc: (dy: tf.Tensor, [target, p]: tf.Tensor[]) => [
      tf.where(target!, tf.zerosLike(dy), dy),
      tf.reshape(tf.gatherND(dy, p!), values.shape),
      tf.zeros(target!.shape),
      tf.zeros(p!.shape),
    ],
  };
}) as (m: tf.Tensor2D, values: tf.Tensor2D, isTarget: tf.Tensor2D, pairs: tf.Tensor2D) => tf.Tensor2D;

/**
 * Each row's target entry of `m` [B, C], as [B, 1] (0 for a label outside [0, C)): a B-entry
 * gather, where a one-hot mask takes three passes over B × C; its gradient is one scatter.
 * @internal
 */
export function gatherTargets(m: tf.Tensor, entries: TargetEntries): tf.Tensor2D {
  return tf.mul(gather(m as tf.Tensor2D, entries.pairs), entries.valid);
}

/**
 * `m` [B, C] with each row's target entry replaced by that row of `values` [B, 1], exactly (rows
 * whose label is outside [0, C) unchanged): a broadcast and a select over B × C. The gradient in
 * `m` is the incoming one with the target entries zeroed, in `values` a B-entry gather.
 * @internal
 */
export function replaceTargets(m: tf.Tensor, values: tf.Tensor, entries: TargetEntries): tf.Tensor2D {
  return replace(m as tf.Tensor2D, tf.mul(values, entries.valid), entries.isTarget, entries.pairs);
}
