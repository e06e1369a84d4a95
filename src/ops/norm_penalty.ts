import * as tf from '@tensorflow/tfjs-core';
import { safeL2Norm } from './l2_norm.js';

/**
 * The embeddings x [B, D] themselves; in the backward pass, the gradient of the penalty
 * weight·mean_i |‖x_i‖ − target| is added to theirs: (weight / B)·sign(‖x_i‖ − target)·x_i/‖x_i‖.
 * SphereFace-R's soft feature normalization pulls the norms towards the scale this way inside the
 * head, so that the penalty acts in `model.fit` and custom loops alike without a second loss. The
 * penalty's value is not part of any loss the caller computes.
 *
 * customGrad: the forward value is x unchanged (no loss term to add); only the gradient carries
 * the penalty.
 * @internal
 */
export function withNormPenalty(x: tf.Tensor2D, target: number, weight: number): tf.Tensor2D {
  const penalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([input]);
    return {
      value: tf.clone(input),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => {
        const norms = safeL2Norm(saved!, 1);
        const direction = tf.div(saved!, norms);
        const pull = tf.mul(tf.sign(tf.sub(norms, target)), weight / saved!.shape[0]);
        return tf.add(dy, tf.mul(pull, direction));
      },
    };
  });
  return penalize(x);
}
