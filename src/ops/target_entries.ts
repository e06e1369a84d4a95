import * as tf from '@tensorflow/tfjs-core';

/**
 * Where each row's target entry of a [B, C] tensor is: `pairs` [B, 2] int32, the (b, y_b) that
 * gatherND and scatterND address; `others` [B, C] float32, 0 at the target entries and 1
 * elsewhere; `valid` [B, 1] float32, 1 where y_b is in [0, C) and 0 for a label outside (possible
 * when labels are not validated), whose pair points at column 0 and whose row is left as it is —
 * or null when every label is known to be in range.
 * @internal
 */
export interface TargetEntries {
  pairs: tf.Tensor2D;
  others: tf.Tensor2D;
  valid: tf.Tensor2D | null;
}

/**
 * The {@link TargetEntries} of class indices [B] in a [B, `classes`] tensor; `inRange`: every index
 * has been checked to lie in [0, C) (labels validated), which spares the range masks. The mask is
 * scattered from the B pairs: on wasm a broadcast comparison over B × C costs many times more.
 * @internal
 */
export function targetEntries(indices: tf.Tensor1D, classes: number, inRange: boolean): TargetEntries {
  const batch = indices.shape[0];
  const rows = tf.range(0, batch, 1, 'int32');
  // 1 where the label is in [0, C), 0 elsewhere; not computed when the labels were validated.
  const valid = inRange ? null : tf.cast(tf.logicalAnd(tf.greaterEqual(indices, 0), tf.less(indices, classes)), 'float32');
  // An out-of-range label's pair points at column 0; its 0 in `valid` keeps the mask there at 1.
  const pairs = tf.stack([rows, valid == null ? indices : tf.mul(indices, tf.cast(valid, 'int32'))], 1) as tf.Tensor2D;
  const hits = valid ?? tf.ones([batch]);
  return {
    pairs,
    others: tf.sub(1, tf.scatterND(pairs, hits, [batch, classes])) as tf.Tensor2D,
    valid: valid == null ? null : tf.reshape(valid, [batch, 1]),
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

// customGrad: m ⊙ others + scatter(values) is exact at every entry (m·1 + 0 off target, m·0 + v on
// it), but autodiff would also differentiate the mask and the scatter, which have no gradient in
// tfjs; here the gradient in m is dy ⊙ others and in the values a B-entry gather. The mask and
// the pairs get zero gradients, never read.
const replace = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [m, values, others, pairs, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([others, pairs]);
  return {
    value: tf.add(tf.mul(m, others), tf.scatterND(pairs, tf.reshape(values, [-1]), m.shape)),
    gradFunc: (dy: tf.Tensor, [mask, p]: tf.Tensor[]) => [
      tf.mul(dy, mask!),
      tf.reshape(tf.gatherND(dy, p!), values.shape),
      tf.zeros(mask!.shape),
      tf.zeros(p!.shape),
    ],
  };
}) as (m: tf.Tensor2D, values: tf.Tensor2D, others: tf.Tensor2D, pairs: tf.Tensor2D) => tf.Tensor2D;

/**
 * Each row's target entry of `m` [B, C], as [B, 1] (0 for a label outside [0, C)): a B-entry
 * gather, where a one-hot mask takes three passes over B × C; its gradient is one scatter.
 * @internal
 */
export function gatherTargets(m: tf.Tensor, entries: TargetEntries): tf.Tensor2D {
  const gathered = gather(m as tf.Tensor2D, entries.pairs);
  return entries.valid == null ? gathered : (tf.mul(gathered, entries.valid) as tf.Tensor2D);
}

/**
 * `m` [B, C] with each row's target entry replaced by that row of `values` [B, 1], exactly (rows
 * whose label is outside [0, C) unchanged): a product, a scatter and a sum over B × C. The
 * gradient in `m` is the incoming one with the target entries zeroed, in `values` a B-entry gather.
 * @internal
 */
export function replaceTargets(m: tf.Tensor, values: tf.Tensor, entries: TargetEntries): tf.Tensor2D {
  return replace(m as tf.Tensor2D, (entries.valid == null ? values : tf.mul(values, entries.valid)) as tf.Tensor2D, entries.others, entries.pairs);
}
