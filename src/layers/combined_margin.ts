import * as tf from '@tensorflow/tfjs-core';
import { combinedCosineMargin } from '../margins/combined_cosine_margin.js';
import { COMBINED_MARGIN_DEFAULTS } from '../defaults/head_defaults.js';
import type { Margin } from '../margins/margin.js';
import { ScaledCosineHead, type ScaledCosineHeadArgs } from './scaled_cosine_head.js';
import { registerHeadClass } from './register_head_class.js';

/** Arguments of {@link CombinedMargin}. */
export interface CombinedMarginArgs extends ScaledCosineHeadArgs {
  /** Multiplicative angular margin, > 0. Default: 1. */
  m1?: number;
  /** Additive angular margin in radians, in [0, π). Default: 0.5. */
  m2?: number;
  /** Additive cosine margin, in [0, 2). Default: 0. */
  m3?: number;
}

/**
 * The combined-margin head: logits s·cos θ_j, and s·(cos(m1·θ_y + m2) − m3) for the target in
 * training; see {@link combinedCosineMargin}. The defaults (1, 0.5, 0) are ArcFace without its fallback.
 * Input [embeddings, labels]; output logits [B, C]; weights: `kernel` [D, C].
 *
 * Source: insightface's combined margin (J. Deng et al., ArcFace, CVPR 2019,
 * {@link https://arxiv.org/abs/1801.07698}).
 *
 * The margin applies in training passes only: `fit`'s, or `apply(inputs, { training: true })` in a
 * custom loop (without the flag it gives the inference logits, and warns once inside a gradient
 * computation; see {@link MarginHead}).
 *
 * @example
 * ```ts
 * const logits = combinedMargin({ units: 10, m1: 1, m2: 0.3, m3: 0.2 }).apply([embeddings, labels]);
 * ```
 */
export class CombinedMargin extends ScaledCosineHead {
  /** @internal */
  static readonly className = 'CombinedMargin';
  /** The multiplicative angular margin m1. */
  readonly m1: number;
  /** The additive angular margin m2. */
  readonly m2: number;
  /** The additive cosine margin m3. */
  readonly m3: number;
  private readonly targetMargin: Margin;

  constructor(args: CombinedMarginArgs) {
    super(args);
    this.m1 = args.m1 ?? COMBINED_MARGIN_DEFAULTS.m1;
    this.m2 = args.m2 ?? COMBINED_MARGIN_DEFAULTS.m2;
    this.m3 = args.m3 ?? COMBINED_MARGIN_DEFAULTS.m3;
    this.targetMargin = combinedCosineMargin(this.m1, this.m2, this.m3);
  }

  protected override cosineMargin(): Margin {
    return this.targetMargin;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { m1: this.m1, m2: this.m2, m3: this.m3, ...super.getConfig() };
  }
}
registerHeadClass(CombinedMargin);

/**
 * Creates a {@link CombinedMargin} layer. (Its margin value alone is {@link combinedCosineMargin}.)
 * @param args - see {@link CombinedMarginArgs}; `units` is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = combinedMargin({ units: 10575, m1: 1, m2: 0.3, m3: 0.2 });
 * ```
 */
export function combinedMargin(args: CombinedMarginArgs): CombinedMargin {
  return new CombinedMargin(args);
}
