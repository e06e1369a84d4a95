import * as tf from '@tensorflow/tfjs-core';
import { assertInteger, assertNonNegative } from '../util/validate.js';

/** The λ-annealing schedule of A-Softmax: λ = max(min, base·(1 + gamma·iteration)^(−power)). */
export interface LambdaSchedule {
  /** λ at iteration 0 (SphereFace: 1000). */
  base: number;
  /** Decay rate per iteration (SphereFace: 0.12). */
  gamma: number;
  /** Decay exponent (SphereFace: 1). */
  power: number;
  /** Floor that λ never goes below (SphereFace: 5). */
  min: number;
}

/** Validates a schedule; every field must be a finite number ≥ 0. @internal */
export function checkLambdaSchedule(owner: string, schedule: LambdaSchedule): void {
  if (schedule == null || typeof schedule !== 'object') {
    throw new Error(`${owner}: expected a schedule { base, gamma, power, min }, but got ${String(schedule)}.`);
  }
  assertNonNegative(owner, 'lambda base', schedule.base);
  assertNonNegative(owner, 'lambda gamma', schedule.gamma);
  assertNonNegative(owner, 'lambda power', schedule.power);
  assertNonNegative(owner, 'lambda min', schedule.min);
}

/**
 * λ of the A-Softmax annealing at a training iteration:
 * λ = max(min, base · (1 + gamma · iteration)^(−power)).
 *
 * With SphereFace's defaults (base 1000, gamma 0.12, power 1, min 5) λ starts at 1000, where the
 * head behaves like the modified softmax, and reaches its floor 5 after about 1,650 iterations.
 * `base = 0` and `min = 0` give λ = 0 throughout: the full margin from the first step.
 *
 * Paper: W. Liu et al., CVPR 2017, {@link https://arxiv.org/abs/1704.08063}; the schedule is that of
 * the authors' Caffe `MarginInnerProductLayer`.
 *
 * @param iteration - the number of training iterations done so far, ≥ 0.
 * @param schedule - base, gamma, power and min, each a finite number ≥ 0.
 * @returns λ ≥ 0.
 * @throws Error for a negative or non-finite iteration or schedule field.
 * @example
 * ```ts
 * lambdaAt(0, { base: 1000, gamma: 0.12, power: 1, min: 5 });   // 1000
 * lambdaAt(100, { base: 1000, gamma: 0.12, power: 1, min: 5 }); // 1000 / 13 ≈ 76.9
 * ```
 */
export function lambdaAt(iteration: number, schedule: LambdaSchedule): number {
  assertNonNegative('lambdaAt', 'iteration', iteration);
  checkLambdaSchedule('lambdaAt', schedule);
  return Math.max(schedule.min, schedule.base * Math.pow(1 + schedule.gamma * iteration, -schedule.power));
}

/**
 * λ and its derivative in the iteration, for the fused kernel's gradient: above the floor,
 * dλ/d(iteration) = −power·gamma·λ / (1 + gamma·iteration); on the floor, 0.
 * @internal
 */
export function lambdaAndSlope(iteration: number, schedule: LambdaSchedule): [number, number] {
  const lambda = lambdaAt(iteration, schedule);
  const { gamma, power, min } = schedule;
  return [lambda, lambda > min ? (-power * gamma * lambda) / (1 + gamma * iteration) : 0];
}

/**
 * {@link lambdaAt} on the device, from an iteration count held in a scalar tensor (the
 * AngularSoftmax layer's counter), so that training never waits for a read-back.
 * @internal
 */
export function lambdaTensor(iteration: tf.Scalar, schedule: LambdaSchedule): tf.Scalar {
  const { base, gamma, power, min } = schedule;
  return tf.maximum(min, tf.mul(base, tf.pow(tf.add(1, tf.mul(gamma, iteration)), -power))) as tf.Scalar;
}

/** A λ schedule as an {@link AngularSoftmax}'s arguments, to spread into them. */
export interface LambdaScheduleArgs {
  /** λ at iteration 0. */
  lambdaBase: number;
  /** The decay rate per iteration. */
  lambdaGamma: number;
  /** The decay exponent. */
  lambdaPower: number;
  /** The floor of λ. */
  lambdaMin: number;
}

/**
 * A λ schedule fitted to a training run of `steps` iterations, for runs far shorter than
 * SphereFace's face training (whose schedule keeps λ ≥ 5, so that ψ weighs at most 1/6): λ starts at
 * 1000 and falls as (1 + γ·iteration)^−2 to 0.01 at the last step (below 1 from 20% of the steps
 * on), with no floor — the form of the MNIST example's reproduce preset, with γ fitted to the
 * run's length: γ = (√(1000 / 0.01) − 1) / steps.
 *
 * @param steps - the number of training iterations (batches), an integer ≥ 1.
 * @returns the arguments { lambdaBase: 1000, lambdaGamma: γ, lambdaPower: 2, lambdaMin: 0 }.
 * @example
 * ```ts
 * const head = angularSoftmax({ units: 10, ...lambdaScheduleFor(epochs * batchesPerEpoch) });
 * ```
 */
export function lambdaScheduleFor(steps: number): LambdaScheduleArgs {
  assertInteger('lambdaScheduleFor', 'steps', steps, 1);
  const base = 1000;
  const final = 0.01;
  return { lambdaBase: base, lambdaGamma: (Math.sqrt(base / final) - 1) / steps, lambdaPower: 2, lambdaMin: 0 };
}
