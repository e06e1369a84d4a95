import * as tf from '@tensorflow/tfjs-core';
import { SPHERE_FACE2_LOSS_DEFAULTS } from '../defaults/head_defaults.js';
import { assertNonNegative, assertOpenUnitInterval, assertPositive } from '../util/validate.js';
import { checkTargetsAndLogits } from './margin_cross_entropy.js';

/** Options of {@link sphereFace2Loss}. */
export interface SphereFace2LossOptions {
  /** α, the weight of the positive (target) term, in (0, 1): the head's. Default: 0.7. */
  alpha?: number;
  /** r, the head's scale, > 0: the loss is divided by it. Default: 40. */
  r?: number;
  /** lw ≥ 0, the reference's loss weight. Default: 50. */
  lossWeight?: number;
}

/**
 * SphereFace2's loss: class-weighted binary cross-entropy of every logit against its one-hot
 * target, averaged over the B × C entries, as the reference computes it:
 * L = mean_{b,j} (lw·C/r)·w_bj·(softplus(z_bj) − y_bj·z_bj), with w = α for targets and 1 − α
 * otherwise (softplus(z) − y·z is the binary cross-entropy on the logit z, computed stably).
 * Pair it with a {@link SphereFace2} head of the same α and r.
 *
 * Paper: Y. Wen, W. Liu, A. Weller, B. Raj and R. Singh, "SphereFace2: Binary Classification is
 * All You Need for Deep Face Recognition", ICLR 2022, {@link https://arxiv.org/abs/2108.01513}.
 *
 * @param options - α, r and lw; see {@link SphereFace2LossOptions}.
 * @returns a loss (yTrue one-hot [B, C], yPred logits [B, C]) → scalar, for `model.compile` or a custom loop.
 * @throws Error for options out of range (at once), or targets and logits of different shapes (when called).
 * @example
 * ```ts
 * model.compile({ optimizer: tf.train.adam(1e-3), loss: sphereFace2Loss({ alpha: 0.7, r: 40 }) });
 * ```
 */
export function sphereFace2Loss(options: SphereFace2LossOptions = {}): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar {
  const owner = 'sphereFace2Loss';
  const { alpha = SPHERE_FACE2_LOSS_DEFAULTS.alpha, r = SPHERE_FACE2_LOSS_DEFAULTS.r, lossWeight = SPHERE_FACE2_LOSS_DEFAULTS.lossWeight } = options;
  assertOpenUnitInterval(owner, 'alpha', alpha);
  assertPositive(owner, 'r', r);
  assertNonNegative(owner, 'lossWeight', lossWeight);
  return (yTrue, yPred) => {
    checkTargetsAndLogits(owner, yTrue, yPred);
    return tf.tidy(() => {
      const y = tf.cast(yTrue, 'float32');
      const weights = tf.mul(tf.add(tf.mul(y, alpha), tf.mul(tf.sub(1, y), 1 - alpha)), (lossWeight * yPred.shape[1]!) / r);
      // Binary cross-entropy on logits: softplus(z) − y·z (softplus is stable for large |z|).
      const bce = tf.sub(tf.softplus(yPred), tf.mul(y, yPred));
      return tf.mean(tf.mul(weights, bce)) as tf.Scalar;
    });
  };
}
