import * as tf from '@tensorflow/tfjs-core';
import { arcFaceMargin } from '../margins/arc_face_margin.js';
import { ARC_FACE_DEFAULTS } from '../defaults/head_defaults.js';
import type { Margin } from '../margins/margin.js';
import { assertBoolean } from '../util/validate.js';
import { ScaledCosineHead, type ScaledCosineHeadArgs } from './scaled_cosine_head.js';
import { registerHeadClass } from './register_head_class.js';

/** Arguments of {@link ArcFace}. */
export interface ArcFaceArgs extends ScaledCosineHeadArgs {
  /** The additive angular margin m in radians, in [0, π). Default: 0.5. */
  margin?: number;
  /** Apply the margin only where cos θ_y > 0. Default: false (fallback cos θ_y − m·sin m past θ_y + m > π). */
  easyMargin?: boolean;
}

/**
 * The ArcFace head (additive angular margin): logits s·cos θ_j, and s·cos(θ_y + m) for the target
 * in training, with finite gradients at cos θ = ±1; see {@link arcFaceMargin}. Input
 * [embeddings, labels]; output logits [B, C]; weights: `kernel` [D, C].
 *
 * Paper: J. Deng et al., "ArcFace: Additive Angular Margin Loss for Deep Face Recognition",
 * CVPR 2019, {@link https://arxiv.org/abs/1801.07698}.
 *
 * The margin applies in training passes only: `fit`'s, or `apply(inputs, { training: true })` in a
 * custom loop (without the flag it gives the inference logits, and warns once inside a gradient
 * computation; see {@link MarginHead}).
 *
 * @example
 * ```ts
 * const logits = arcFace({ units: 10, scale: 30, margin: 0.5 }).apply([embeddings, labels]);
 * ```
 */
export class ArcFace extends ScaledCosineHead {
  /** @internal */
  static readonly className: string = 'ArcFace';
  /** The margin m, in radians. */
  readonly margin: number;
  /** Whether the easy margin is used. */
  readonly easyMargin: boolean;
  private readonly targetMargin: Margin;

  constructor(args: ArcFaceArgs) {
    super(args);
    this.margin = args.margin ?? ARC_FACE_DEFAULTS.margin;
    this.easyMargin = args.easyMargin ?? ARC_FACE_DEFAULTS.easyMargin;
    assertBoolean(ArcFace.className, 'easyMargin', this.easyMargin);
    this.targetMargin = arcFaceMargin(this.margin, this.easyMargin);
  }

  protected override cosineMargin(): Margin {
    return this.targetMargin;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { margin: this.margin, easyMargin: this.easyMargin, ...super.getConfig() };
  }
}
registerHeadClass(ArcFace);

/**
 * Creates an {@link ArcFace} layer.
 * @param args - see {@link ArcFaceArgs}; `units` is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = arcFace({ units: 10575, margin: 0.5 });
 * ```
 */
export function arcFace(args: ArcFaceArgs): ArcFace {
  return new ArcFace(args);
}
