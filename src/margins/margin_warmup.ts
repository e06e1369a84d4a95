import * as tf from '@tensorflow/tfjs-core';
import { WARMUP_MARGIN_KIND, type Margin, type WarmupMarginParams } from './margin.js';

/**
 * A margin at a fraction p (the warm-up's progress) of its strength, moving the target logit
 * linearly from no margin to the full one: g_p(c) = c + p·(g(c) − c). At p = 0 it is no margin,
 * at p = 1 the margin itself; for CosFace it is c − p·m exactly. Non-target entries that the margin rewrites move the same
 * way. Used by the cosine heads' `marginWarmupSteps`.
 * @internal
 */
export function warmedUpMargin(margin: Margin, progress: tf.Scalar): Margin<WarmupMarginParams> {
  const towards = (plain: tf.Tensor, full: tf.Tensor) => tf.add(plain, tf.mul(progress, tf.sub(full, plain)));
  const warmed: Margin<WarmupMarginParams> = { kind: WARMUP_MARGIN_KIND, params: { margin, progress }, apply: (c) => towards(c, margin.apply(c)) };
  // A margin that rewrites non-target entries (CurricularFace) warms those up the same way.
  if (margin.nonTarget != null) {
    const nonTarget = margin.nonTarget.bind(margin);
    return { ...warmed, nonTarget: (cosines, cosTarget) => towards(cosines, nonTarget(cosines, cosTarget)) };
  }
  return warmed;
}
