// The fused cosine-margin target kernel: its names and attributes (see op.ts for what it computes).
import type * as tf from '@tensorflow/tfjs-core';

/**
 * A cosine margin's logits in one kernel. Inputs: `logits` [B, C] (cos θ_j of normalized
 * embeddings), `labels` [B] int32, `progress` (a scalar p, the margin's warm-up: 1 for the full
 * margin), `state` [S] (the formula's state before the pass: CurricularFace's t, AdaFace's μ and
 * σ; [1] and ignored by the other formulas), `emb` [B, D] (the embeddings, whose norms AdaFace
 * reads; any tensor otherwise). Attributes `formula` (the name of a registered formula, see formula.ts) and `params` (its numbers),
 * `scale` (s). Outputs: [B, C], s·(c + p·(g(c) − c)) per entry with g the entry's margined value
 * (c itself where the formula leaves it), and the pass's state [S] (see RunningState).
 * @internal
 */
export const COSINE_TARGETS = 'TfjsAngularMarginCosineTargets';
/** Its gradients: inputs `dy` (of the logits) and the forward inputs; attribute `part` names the input differentiated. @internal */
export const COSINE_TARGETS_GRAD = 'TfjsAngularMarginCosineTargetsGrad';

/** The input a gradient kernel differentiates. @internal */
export type CosinePart = 'logits' | 'progress';

/** The kernels' attributes. @internal */
export interface CosineTargetsAttrs {
  formula: string;
  params: number[];
  scale: number;
  part?: CosinePart;
}

/** [B, C] of the kernel's input `logits`. @internal */
export function logitsShape(logits: tf.TensorInfo): [number, number] {
  return [logits.shape[0]!, logits.shape[1]!];
}
