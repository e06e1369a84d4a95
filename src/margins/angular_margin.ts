import * as tf from '@tensorflow/tfjs-core';
import { ANGULAR_MARGIN_KIND, type AngularMarginParams } from '../kernels/angular_targets/op.js';

// The fused kernel serves this kind; the margin values below say it as a literal for their type.
const KIND: typeof ANGULAR_MARGIN_KIND = 'angular';
import { psi } from '../ops/psi.js';
import { lambdaTensor, type LambdaSchedule } from '../schedule/lambda_at.js';
import { validatesLabelsByDefault } from '../ops/labels.js';
import { readSync } from '../util/read_sync.js';
import { assertInteger, assertNonNegative, describe } from '../util/validate.js';
import type { Margin } from './margin.js';

/** An A-Softmax margin: m and λ (given, or scheduled from an iteration count). */
export interface AngularMargin extends Margin<AngularMarginParams> {
  /** 'angular': marginLogits runs it as a fused kernel on cpu and webgpu. */
  readonly kind: 'angular';
}

/** g(c) = (λ·c + ψ(c)) / (1 + λ): the λ-annealed A-Softmax margin, by composite ops. */
function annealed(c: tf.Tensor, margin: number, lambda: number | tf.Scalar): tf.Tensor {
  return tf.div(tf.add(tf.mul(lambda, c), psi(c, margin)), tf.add(lambda, 1));
}

/**
 * Throws unless λ is a finite number ≥ 0 or a float32 scalar tensor; a tensor's value is checked
 * too where reading it costs no GPU stall (cpu, wasm, tensorflow), as labels are.
 */
function checkLambda(owner: string, lambda: unknown): void {
  if (typeof lambda === 'number') {
    assertNonNegative(owner, 'lambda', lambda);
    return;
  }
  if (!(lambda instanceof tf.Tensor) || lambda.rank !== 0 || lambda.dtype !== 'float32') {
    const got = lambda instanceof tf.Tensor ? `a ${lambda.dtype} tensor of shape [${(lambda.shape as number[]).join(', ')}]` : describe(lambda);
    throw new Error(`${owner}: lambda (λ) is required: a finite number >= 0 or a float32 scalar tensor, but got ${got}.`);
  }
  if (validatesLabelsByDefault()) {
    const value = readSync(owner, 'checking lambda', lambda as tf.Tensor, 'pass lambda as a number')[0]!;
    if (!(Number.isFinite(value) && value >= 0)) throw new Error(`${owner}: lambda (λ) must be finite and >= 0, but the tensor holds ${value}.`);
  }
}

/**
 * The A-Softmax target margin with λ-annealing, on target cosines c:
 * g(c) = (λ·c + ψ(c)) / (1 + λ). Used by {@link angularSoftmaxLogits}; on the cpu and webgpu
 * backends {@link marginLogits} applies it with one fused kernel (same values).
 *
 * @param margin - m, an integer ≥ 1.
 * @param lambda - λ ≥ 0, a number or a scalar tensor (computed on the device, so that no value is
 *   read back during training).
 * @returns the margin value, kind 'angular', params `{ margin, lambda }`.
 * @throws Error for a margin that is not an integer ≥ 1 or a negative λ.
 * @example
 * ```ts
 * const logits = marginLogits(x, kernel, labels, { targetMargin: angularMargin(4, 5) });
 * ```
 */
export function angularMargin(margin: number, lambda: number | tf.Scalar): AngularMargin {
  assertInteger('angularSoftmax', 'margin', margin, 1);
  checkLambda('angularSoftmax', lambda);
  return { kind: KIND, params: { margin, lambda }, apply: (c) => annealed(c, margin, lambda) };
}

/**
 * The A-Softmax margin with λ scheduled from an iteration count (see {@link lambdaAt}), computed on
 * the device so that training never waits for a read-back: in the fused kernel on cpu and webgpu,
 * by ops elsewhere. Used by the AngularSoftmax layer with its counter.
 * @internal
 */
export function scheduledAngularMargin(margin: number, iteration: tf.Scalar, schedule: LambdaSchedule): AngularMargin {
  return { kind: KIND, params: { margin, iteration, schedule }, apply: (c) => annealed(c, margin, lambdaTensor(iteration, schedule)) };
}
