import type * as tf from '@tensorflow/tfjs-core';
import { describe } from '../util/validate.js';

/**
 * A target-class margin as a value: what it is (`kind`, `params`) and what it does (`apply`). The
 * heads and {@link marginLogits} take it as it is; fused kernels are chosen from `kind` and
 * `params`, never from the identity of a function, so passing a margin around cannot lose them.
 *
 * Made by {@link angularMargin} (kind 'angular'), {@link sphereFaceRMargin} ('sphereFaceR'),
 * {@link sphereFace2Margin} ('sphereFace2'), {@link cosFaceMargin} ('cosFace'),
 * {@link arcFaceMargin} ('arcFace'), {@link combinedCosineMargin} ('combinedCosine'),
 * {@link adaFaceMargin} ('adaFace') and {@link curricularFaceMargin} ('curricularFace'); a margin
 * warmed up by `marginWarmupSteps` is of kind 'warmup' (it wraps one of those); a plain function
 * of the target cosines is a margin of kind 'custom' (see {@link TargetMargin}).
 * @example
 * ```ts
 * const margin = cosFaceMargin(0.35);   // { kind: 'cosFace', params: { margin: 0.35 }, apply }
 * const modified = margin.apply(tf.tensor2d([[0.9]])); // 0.55
 * ```
 */
export interface Margin<Params extends object = object> {
  /** What margin this is: one of the kinds above, 'custom', or a new head's own. */
  readonly kind: string;
  /** Its parameters, as its kind defines them. */
  readonly params: Readonly<Params>;
  /**
   * Maps the target cosines cos θ_y, shape [B, 1], to the values that replace them (ψ(θ_y) for
   * SphereFace, cos θ_y − m for CosFace, cos(θ_y + m) for ArcFace). Only ever evaluated on the B
   * target entries, never on all B × C logits.
   */
  apply(cosTarget: tf.Tensor): tf.Tensor;
  /**
   * Optional: maps every cosine [B, C] to the value of the non-target entries, given each row's
   * target cosine cos θ_y [B, 1] (CurricularFace reweights the hard negatives). Target entries
   * are then replaced by {@link Margin.apply} as always. Without it, non-target logits are the
   * plain cosines.
   */
  nonTarget?(cosines: tf.Tensor, cosTarget: tf.Tensor): tf.Tensor;
}

/** A margin written as a plain function of the target cosines [B, 1]. */
export type MarginFunction = (cosTarget: tf.Tensor) => tf.Tensor;

/**
 * What {@link marginLogits} accepts as a margin: a {@link Margin} value, or a plain function of the
 * target cosines (a margin of kind 'custom', always computed by composite ops).
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 30, targetMargin: (c) => tf.sub(c, 0.35) });
 * ```
 */
export type TargetMargin = Margin | MarginFunction;

/** The margin value of `margin`: a function becomes kind 'custom'. @internal */
export function asMargin(owner: string, margin: TargetMargin): Margin {
  if (typeof margin === 'function') return { kind: 'custom', params: {}, apply: margin };
  if (margin == null || typeof margin !== 'object' || typeof margin.apply !== 'function' || typeof margin.kind !== 'string') {
    throw new Error(
      `${owner}: targetMargin must be a margin ({ kind, params, apply }, e.g. cosFaceMargin(0.35)) or a function of the target cosines, but got ${describe(margin)}.`,
    );
  }
  return margin;
}

/** The kind of a warmed-up margin (a cosine head's `marginWarmupSteps`). @internal */
export const WARMUP_MARGIN_KIND = 'warmup';

/** The parameters of a warmed-up margin. @internal */
export interface WarmupMarginParams {
  /** The margin at full strength. */
  margin: Margin;
  /** The progress p in [0, 1], a scalar tensor: how far the warm-up has gone. */
  progress: tf.Scalar;
}

/**
 * What AdaFace computes its margin scalers from: the pass's embeddings and the running mean and
 * standard deviation of their clipped norms, updated by the pass with momentum α before use.
 */
export interface AdaFaceRunningStatistics {
  /** The pass's embeddings x [B, D] (their norms are a constant of the backward pass). */
  embeddings: tf.Tensor2D;
  /** The previous running mean μ of the norms. */
  mean: tf.Scalar;
  /** The previous running standard deviation σ of the norms. */
  std: tf.Scalar;
  /** h, the scaler's concentration. */
  h: number;
  /** tAlpha, the momentum α of μ and σ. */
  tAlpha: number;
  /** Receives the updated μ and σ as one tensor [2] (the head stages them as its new state). */
  commit?: (statistics: tf.Tensor1D) => void;
}
