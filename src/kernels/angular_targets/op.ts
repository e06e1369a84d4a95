// The op of the fused A-Softmax target kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { LambdaSchedule } from '../../schedule/lambda_at.js';
import { registerAngularTargets } from './gradient.js';
import { ANGULAR_TARGETS } from './names.js';
import { namedAttrs } from '../fused_kernels.js';

registerAngularTargets();

/** The kind of margin value this kernel computes (see src/margins/angular_margin.ts). @internal */
export const ANGULAR_MARGIN_KIND = 'angular' as const;

/**
 * The parameters of an A-Softmax margin, as its margin value carries them and the fused kernel
 * takes them: m, and λ either given (a number or a scalar) or scheduled from an iteration count
 * (the AngularSoftmax layer's counter), so that the kernel computes λ itself.
 */
export type AngularMarginParams =
  | {
      /** m, an integer ≥ 1. */
      margin: number;
      /** λ ≥ 0. */
      lambda: number | tf.Scalar;
    }
  | {
      /** m, an integer ≥ 1. */
      margin: number;
      /** The iteration count λ is scheduled from. */
      iteration: tf.Scalar;
      /** The λ schedule. */
      schedule: LambdaSchedule;
    };

function angularTargets_(logits: tf.Tensor2D, x: tf.Tensor2D, labels: tf.Tensor1D, params: AngularMarginParams): tf.Tensor2D {
  const scheduled = 'schedule' in params;
  const lam = scheduled ? params.iteration : typeof params.lambda === 'number' ? tf.scalar(params.lambda) : params.lambda;
  const schedule = scheduled ? [params.schedule.base, params.schedule.gamma, params.schedule.power, params.schedule.min] : [];
  return tf.engine().runKernel(ANGULAR_TARGETS, { logits, emb: x, labels, lam }, namedAttrs({ margin: params.margin, schedule })) as tf.Tensor2D;
}

/**
 * The A-Softmax target logits in one kernel (values of the composite path in marginLogits with
 * the same margin): `logits` = x·ŵ_j [B, C], `x` [B, D], `labels` int32 [B], and the margin's
 * parameters. Callers check fusedKernelActive(ANGULAR_TARGETS) first.
 * @internal
 */
export const angularTargets = tf.op({ angularTargets_ });
