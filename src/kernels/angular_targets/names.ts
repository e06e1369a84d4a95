// The fused A-Softmax target kernel: its names and attributes (see op.ts for what it computes).
import type * as tf from '@tensorflow/tfjs-core';

/**
 * A-Softmax's target logits in one kernel. Inputs: `logits` [B, C] (x·ŵ_j), `emb` [B, D] (x),
 * `labels` [B] int32, `lam` (a scalar: λ, or the iteration count when the attribute `schedule` is
 * [base, gamma, power, min], λ then max(min, base·(1 + gamma·lam)^(−power)), computed in the
 * kernel). Attribute `margin` (m). Output [B, C]: `logits` with each row's target entry replaced
 * by ‖x‖·(λ·c + ψ(c)) / (1 + λ), c = x·ŵ_y / ‖x‖.
 * @internal
 */
export const ANGULAR_TARGETS = 'TfjsAngularMarginAngularTargets';
/** Its gradients: inputs `dy` and the forward inputs; attribute `part` names the input differentiated. @internal */
export const ANGULAR_TARGETS_GRAD = 'TfjsAngularMarginAngularTargetsGrad';

/** The input a gradient kernel differentiates. @internal */
export type Part = 'logits' | 'emb' | 'lam';

/** The kernels' attributes. @internal */
export interface TargetsAttrs {
  margin: number;
  /** [base, gamma, power, min] of the λ schedule, or empty: `lam` is λ itself. */
  schedule: number[];
  part?: Part;
}

/** [B, C, D] from the kernel's inputs `logits` [B, C] and `emb` [B, D]. @internal */
export function shapes(logits: tf.TensorInfo, emb: tf.TensorInfo): [number, number, number] {
  return [logits.shape[0]!, logits.shape[1]!, emb.shape[1]!];
}
