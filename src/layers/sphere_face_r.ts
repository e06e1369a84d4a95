import * as tf from '@tensorflow/tfjs-core';
import { SPHERE_FACE_R_DEFAULTS } from '../defaults/head_defaults.js';
import type { Margin } from '../margins/margin.js';
import { checkSphereFaceRMargin, sphereFaceRMargin, type SphereFaceRVariant } from '../margins/sphere_face_r_margin.js';
import { withNormPenalty } from '../ops/norm_penalty.js';
import { assertNonNegative, assertOneOf } from '../util/validate.js';
import { ScaledCosineHead, type ScaledCosineHeadArgs } from './scaled_cosine_head.js';
import { registerHeadClass } from './register_head_class.js';

/**
 * How SphereFace-R treats the feature norm ‖x‖:
 * - 'hard': x normalized, logits s·(cos θ + d) (opensphere's `SphereFaceR_H`);
 * - 'none': logits ‖x‖·(cos θ + d) (`SphereFaceR_N`);
 * - 'soft': as 'none', and the norms pulled towards s by the penalty w·mean |‖x‖ − s| (`SphereFaceR_S`).
 */
export type FeatureNormalization = 'hard' | 'none' | 'soft';

const FEATURE_NORMALIZATIONS: readonly FeatureNormalization[] = ['hard', 'none', 'soft'];

/** Arguments of {@link SphereFaceR}. */
export interface SphereFaceRArgs extends ScaledCosineHeadArgs {
  /** The multiplicative margin m ≥ 1 (1: none). Default: 1.5. `scale` defaults to 30 here. */
  margin?: number;
  /** How m acts on θ: 'v0', 'v1' or 'v2' (see {@link SphereFaceRVariant}). Default: 'v0'. */
  variant?: SphereFaceRVariant;
  /** 'hard', 'none' or 'soft' (see {@link FeatureNormalization}). Default: 'hard'. */
  featureNormalization?: FeatureNormalization;
  /** w, the weight of the soft normalization's norm penalty w·mean |‖x‖ − s| (the paper's t), ≥ 0; used with 'soft' only. Default: 0.01. */
  featureLossWeight?: number;
}

/**
 * The SphereFace-R head (SphereFace Revived): SphereFace's multiplicative angular margin, real
 * valued, with characteristic gradient detachment — the margin's change d(θ) = g(θ) − cos θ is a
 * constant of the backward pass, so gradients are those of the plain cosine logits while the
 * forward pass sees the margin. Training logits r·(cos θ_j + d(θ_j)), with d from
 * {@link sphereFaceRMargin} (the target's for 'v0' and 'v1', the non-targets' for 'v2') and
 * r = s for hard feature normalization, r = ‖x‖ otherwise; inference logits r·cos θ_j.
 *
 * With 'soft', the gradient of w·mean_i |‖x_i‖ − s| is added to the embeddings' in the backward
 * pass (the reference adds it to the loss): the penalty acts in `model.fit` and in custom loops,
 * but its value (at most w times the mean distance of the norms from s) is not in the reported
 * loss. The reference also multiplies its cross-entropy by 50 / s (its `lw`); scale your loss or
 * learning rate for that if you use plain SGD. Its no/soft-normalization heads grow m in steps;
 * use `marginWarmupSteps` for a gradual margin here.
 *
 * Input [embeddings, labels]; output logits [B, C]; weight `kernel` [D, C] (and `warmup_step`
 * with a warm-up).
 *
 * Paper: W. Liu, Y. Wen, B. Raj, R. Singh and A. Weller, "SphereFace Revived: Unifying
 * Hyperspherical Face Recognition", TPAMI 2022, {@link https://arxiv.org/abs/2109.05565}.
 *
 * The margin applies in training passes only: `fit`'s, or `apply(inputs, { training: true })` in a
 * custom loop (without the flag it gives the inference logits, and warns once inside a gradient
 * computation; see {@link MarginHead}).
 *
 * @example
 * ```ts
 * const logits = sphereFaceR({ units: 10, margin: 1.5, variant: 'v1' }).apply([embeddings, labels]);
 * ```
 */
export class SphereFaceR extends ScaledCosineHead {
  /** @internal */
  static readonly className = 'SphereFaceR';
  /** The margin m. */
  readonly margin: number;
  /** How m acts on θ. */
  readonly variant: SphereFaceRVariant;
  /** How the feature norm is treated. */
  readonly featureNormalization: FeatureNormalization;
  /** w, the weight of the soft normalization's norm penalty. */
  readonly featureLossWeight: number;

  constructor(args: SphereFaceRArgs) {
    super(args, SPHERE_FACE_R_DEFAULTS.scale);
    const owner = SphereFaceR.className;
    this.margin = args.margin ?? SPHERE_FACE_R_DEFAULTS.margin;
    this.variant = args.variant ?? SPHERE_FACE_R_DEFAULTS.variant;
    this.featureNormalization = args.featureNormalization ?? SPHERE_FACE_R_DEFAULTS.featureNormalization;
    this.featureLossWeight = args.featureLossWeight ?? SPHERE_FACE_R_DEFAULTS.featureLossWeight;
    checkSphereFaceRMargin(owner, this.margin, this.variant);
    assertOneOf(owner, 'featureNormalization', this.featureNormalization, FEATURE_NORMALIZATIONS);
    assertNonNegative(owner, 'featureLossWeight', this.featureLossWeight);
  }

  /** True for hard feature normalization: logits from the normalized embeddings. */
  override get normalizeInput(): boolean {
    return this.featureNormalization === 'hard';
  }

  /** s for hard feature normalization; 1 otherwise (the logits carry ‖x‖). */
  protected override get logitScale(): number {
    return this.featureNormalization === 'hard' ? this.scale : 1;
  }

  /** With 'soft', the embeddings carry the norm penalty's gradient. */
  protected override trainingEmbeddings(x: tf.Tensor2D): tf.Tensor2D {
    return this.featureNormalization === 'soft' ? withNormPenalty(x, this.scale, this.featureLossWeight) : x;
  }

  protected override cosineMargin(): Margin {
    return sphereFaceRMargin(this.margin, this.variant);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      margin: this.margin,
      variant: this.variant,
      featureNormalization: this.featureNormalization,
      featureLossWeight: this.featureLossWeight,
      ...super.getConfig(),
    };
  }
}
registerHeadClass(SphereFaceR);

/**
 * Creates a {@link SphereFaceR} layer.
 * @param args - see {@link SphereFaceRArgs}; `units` is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = sphereFaceR({ units: 10575 }); // m = 1.5, s = 30, 'v0', hard feature normalization
 * const soft = sphereFaceR({ units: 10575, featureNormalization: 'soft', featureLossWeight: 0.01 });
 * ```
 */
export function sphereFaceR(args: SphereFaceRArgs): SphereFaceR {
  return new SphereFaceR(args);
}
