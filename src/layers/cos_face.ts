import * as tf from '@tensorflow/tfjs-core';
import { cosFaceMargin } from '../margins/cos_face_margin.js';
import { COS_FACE_DEFAULTS } from '../defaults/head_defaults.js';
import type { Margin } from '../margins/margin.js';
import { ScaledCosineHead, type ScaledCosineHeadArgs } from './scaled_cosine_head.js';
import { registerHeadClass } from './register_head_class.js';

/** Arguments of {@link CosFace}. */
export interface CosFaceArgs extends ScaledCosineHeadArgs {
  /** The additive cosine margin m, in [0, 2). Default: 0.35. */
  margin?: number;
}

/**
 * The CosFace head (large margin cosine loss): logits s·cos θ_j, and s·(cos θ_y − m) for the
 * target in training. Input [embeddings, labels]; output logits [B, C]; weights: `kernel` [D, C].
 *
 * Paper: H. Wang et al., "CosFace: Large Margin Cosine Loss for Deep Face Recognition", CVPR 2018,
 * {@link https://arxiv.org/abs/1801.09414}.
 *
 * The margin applies in training passes only: `fit`'s, or `apply(inputs, { training: true })` in a
 * custom loop (without the flag it gives the inference logits, and warns once inside a gradient
 * computation; see {@link MarginHead}).
 *
 * @example
 * ```ts
 * const logits = cosFace({ units: 10, scale: 30, margin: 0.35 }).apply([embeddings, labels]);
 * ```
 */
export class CosFace extends ScaledCosineHead {
  /** @internal */
  static readonly className = 'CosFace';
  /** The margin m. */
  readonly margin: number;
  private readonly targetMargin: Margin;

  constructor(args: CosFaceArgs) {
    super(args);
    this.margin = args.margin ?? COS_FACE_DEFAULTS.margin;
    this.targetMargin = cosFaceMargin(this.margin);
  }

  protected override cosineMargin(): Margin {
    return this.targetMargin;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { margin: this.margin, ...super.getConfig() };
  }
}
registerHeadClass(CosFace);

/**
 * Creates a {@link CosFace} layer.
 * @param args - see {@link CosFaceArgs}; `units` is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = cosFace({ units: 10575 });
 * ```
 */
export function cosFace(args: CosFaceArgs): CosFace {
  return new CosFace(args);
}
