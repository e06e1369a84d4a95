// Tensor helpers the cosine margins share: sin θ and θ of a cosine with bounded derivatives,
// cos(θ + m) without acos, and the checks of an angle margin.
import * as tf from '@tensorflow/tfjs-core';
import { MIN_SINE_FOR_GRADIENT } from '../math/cosine_margin_math.js';
import { describe } from '../util/validate.js';

/** √(1 − c²) for c clipped to [−1, 1], with 1 − c² as (1 − c)(1 + c): exact in float32 near ±1. @internal */
export function sineOf(c: tf.Tensor): tf.Tensor {
  const clipped = tf.clipByValue(c, -1, 1);
  return tf.sqrt(tf.mul(tf.sub(1, clipped), tf.add(1, clipped)));
}

// customGrad: the exact derivative is infinite at c = ±1 and autodiff would give NaN or Inf there.
/** sin θ = √(1 − c²) for c = cos θ, exact; its derivative −c / max(sin θ, 1e-3). @internal */
export const safeSine = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [c, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const sine = sineOf(c);
  save([c, sine]);
  return { value: sine, gradFunc: (dy: tf.Tensor, [saved, s]: tf.Tensor[]) => tf.mul(dy, tf.div(tf.neg(saved!), tf.maximum(s!, MIN_SINE_FOR_GRADIENT))) };
}) as (c: tf.Tensor) => tf.Tensor;

/**
 * θ = acos(c) for c clipped to [−1, 1], as atan2(√((1 − c)(1 + c)), c): accurate near c = ±1 on
 * every backend (WGSL's acos is not, there); its derivative −1 / max(sin θ, 1e-3).
 * @internal
 */
export const safeAngle = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [c, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([c]);
  return {
    value: tf.atan2(sineOf(c), tf.clipByValue(c, -1, 1)),
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.div(tf.neg(dy), tf.maximum(sineOf(saved!), MIN_SINE_FOR_GRADIENT)),
  };
}) as (c: tf.Tensor) => tf.Tensor;

/** cos(θ + m) for c = cos θ, as c·cos m − sin θ·sin m (no acos). @internal */
export function cosOfAnglePlus(c: tf.Tensor, margin: number): tf.Tensor {
  return tf.sub(tf.mul(c, Math.cos(margin)), tf.mul(safeSine(c), Math.sin(margin)));
}

/** Throws unless `value` is a finite number in [min, max). @internal */
export function assertRange(owner: string, name: string, value: unknown, min: number, max: number): asserts value is number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value < max;
  if (!ok) {
    const upper = max === Math.PI ? 'π' : String(max);
    throw new Error(`${owner}: ${name} must be a number in [${min}, ${upper}), but got ${describe(value)}.`);
  }
}

/** Throws unless `margin` is an angle margin m in [0, π), naming `owner` (the head's class). @internal */
export function checkAngleMargin(owner: string, margin: unknown): asserts margin is number {
  assertRange(owner, 'margin', margin, 0, Math.PI);
}

/** `values` as numbers, or null unless each is a number >= 0 (a kernel's encoder reads margin params so). @internal */
export function nonNegativeNumbers(...values: unknown[]): number[] | null {
  return values.every((v) => typeof v === 'number' && v >= 0) ? (values as number[]) : null;
}
