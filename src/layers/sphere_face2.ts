import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SPHERE_FACE2_DEFAULTS } from '../defaults/head_defaults.js';
import type { Margin } from '../margins/margin.js';
import { similarityAdjustmentOf } from '../margins/sphere_face2_margin.js';
import { checkSphereFace2Margin, similarityAdjustment, sphereFace2Margin, type SphereFace2Variant } from '../margins/sphere_face2_margin.js';
import { assertInteger, assertOpenUnitInterval, assertPositive } from '../util/validate.js';
import { MarginHead, type CallKwargs, type MarginHeadArgs } from './margin_head.js';
import { registerHeadClass } from './register_head_class.js';

/** Arguments of {@link SphereFace2}. */
export interface SphereFace2Args extends MarginHeadArgs {
  /** Where the margin acts: 'C', 'A' or 'M' (see {@link SphereFace2Variant}; lower case accepted). Default: 'C'. */
  variant?: SphereFace2Variant;
  /** α, the weight of the positive (target) term against the negatives, in (0, 1); the λ of the paper's eq. 5. Default: 0.7. */
  alpha?: number;
  /** r, the scale of the logits, > 0. Default: 40. */
  r?: number;
  /** The margin m ≥ 0 ('M': ≥ 1). Default: 0.4. */
  margin?: number;
  /**
   * t > 0, the exponent of the similarity adjustment g(z) = 2((z + 1)/2)^t − 1 (the paper's t;
   * `t` in the configuration of models saved by 0.1.0, which load as before). Default: 3.
   */
  adjustmentExponent?: number;
}

/** log(e^a + e^b), exact where either is far larger than the other; −∞ for two −∞. */
function logAddExp(a: number, b: number): number {
  const hi = Math.max(a, b);
  return hi === -Infinity ? -Infinity : hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/**
 * The starting bias b of SphereFace2, as the paper derives it and its reference sets it: with
 * z = α/((1 − α)(C − 1)) and the logits' values a_y (target) and a_i (non-target) at
 * initialization — 'C': a_y = r(2·0.5^t − 1 − m), a_i = r(2·0.5^t − 1 + m); 'A' and 'M':
 * a_y = r(2((cos θ_y + 1)/2)^t − 1) with θ_y = min(π, π/2 + m) or min(π, mπ/2), a_i = r(2·0.5^t − 1) —
 * b = log(2z) − a_i − log(1 − z + √((1 − z)² + 4z·e^(a_y − a_i))).
 *
 * Computed in logarithms, so that it stays finite and exact where the formula as written does not:
 * e^(a_y − a_i) overflows for large r, and for z > 1 the sum 1 − z + √(…) cancels to 0 (bias +∞)
 * once 4z·e^(a_y − a_i) is below float64's resolution of (1 − z)²; there it is rewritten as
 * 4z·e^(a_y − a_i) / (√(…) + z − 1). @internal
 */
export function sphereFace2InitialBias(classes: number, variant: SphereFace2Variant, alpha: number, r: number, margin: number, t: number): number {
  const z = alpha / ((1 - alpha) * (classes - 1));
  const atRight = similarityAdjustmentOf(0, t); // g(cos θ) at θ = π/2, where training starts
  let ay: number;
  let ai: number;
  if (variant === 'C') {
    ay = r * (atRight - margin);
    ai = r * (atRight + margin);
  } else {
    const thetaY = Math.min(Math.PI, variant === 'A' ? Math.PI / 2 + margin : (margin * Math.PI) / 2);
    ay = r * similarityAdjustmentOf(Math.cos(thetaY), t);
    ai = r * atRight;
  }
  const logFourZE = Math.log(4 * z) + (ay - ai); // log(4z·e^(a_y − a_i))
  const logD = Math.log(Math.abs(1 - z)); // log|1 − z|, −∞ at z = 1
  const logRoot = logAddExp(2 * logD, logFourZE) / 2; // log √((1 − z)² + 4z·e^(a_y − a_i))
  const logSum = z <= 1 ? logAddExp(logD, logRoot) : logFourZE - logAddExp(logRoot, logD);
  return Math.log(2 * z) - ai - logSum;
}

/**
 * The SphereFace2 head (binary classification, one-vs-all): each class is a binary classifier
 * on the hypersphere, trained with {@link sphereFace2Loss} instead of a softmax. Training logits
 * r·(cos θ_j + d_j) + b, where cos θ_j + d_j is the margin's value of {@link sphereFace2Margin}
 * (the similarity adjustment g and the margin, on every entry; d a constant of the backward pass)
 * and b a learned scalar bias, initialized as the paper derives it
 * (b = log(2z) − a_i − log(1 − z + √((1 − z)² + 4z·e^(a_y − a_i))), z = α/((1 − α)(C − 1)), a_y and a_i the
 * starting target and non-target logits less b). Inference logits r·g(cos θ_j) + b, the trained classifiers'
 * scores without the margin (argmax: the class of the largest cos θ_j; sigmoid: the classifier's
 * probability). For verification, compare normalized embeddings by cosine, as the reference does.
 * Input [embeddings, labels]; output logits [B, C]; weights `kernel` [D, C] and `bias` (scalar),
 * both trainable.
 *
 * Paper: Y. Wen, W. Liu, A. Weller, B. Raj and R. Singh, "SphereFace2: Binary Classification is
 * All You Need for Deep Face Recognition", ICLR 2022, {@link https://arxiv.org/abs/2108.01513}.
 *
 * The margin applies in training passes only: `fit`'s, or `apply(inputs, { training: true })` in a
 * custom loop (without the flag it gives the inference logits, and warns once inside a gradient
 * computation; see {@link MarginHead}).
 *
 * @example
 * ```ts
 * const logits = sphereFace2({ units: 10 }).apply([embeddings, labels]) as tf.SymbolicTensor;
 * model.compile({ optimizer: 'adam', loss: sphereFace2Loss() }); // α = 0.7, r = 40 as the head's
 * ```
 */
export class SphereFace2 extends MarginHead {
  /** @internal */
  static readonly className = 'SphereFace2';
  /** Where the margin acts. */
  readonly variant: SphereFace2Variant;
  /** α, the weight of the positive term. */
  readonly alpha: number;
  /** r, the scale of the logits. */
  readonly r: number;
  /** The margin m. */
  readonly margin: number;
  /** The exponent t of the similarity adjustment. */
  readonly adjustmentExponent: number;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: SphereFace2Args) {
    super(args);
    const owner = SphereFace2.className;
    assertInteger(owner, 'units', args.units, 2);
    // tfjs-layers camel-cases string config values when it loads a model ('C' comes back as 'c'),
    // so the one-letter variant is read case-insensitively.
    const variant: unknown = args.variant ?? SPHERE_FACE2_DEFAULTS.variant;
    this.variant = (typeof variant === 'string' ? variant.toUpperCase() : variant) as SphereFace2Variant;
    this.alpha = args.alpha ?? SPHERE_FACE2_DEFAULTS.alpha;
    this.r = args.r ?? SPHERE_FACE2_DEFAULTS.r;
    this.margin = args.margin ?? SPHERE_FACE2_DEFAULTS.margin;
    this.adjustmentExponent = args.adjustmentExponent ?? SPHERE_FACE2_DEFAULTS.adjustmentExponent;
    checkSphereFace2Margin(owner, this.variant, this.margin, this.adjustmentExponent);
    assertOpenUnitInterval(owner, 'alpha', this.alpha);
    assertPositive(owner, 'r', this.r);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    super.build(inputShape);
    const b = sphereFace2InitialBias(this.units, this.variant, this.alpha, this.r, this.margin, this.adjustmentExponent);
    this.bias = this.addWeight('bias', [], 'float32', tfl.initializers.constant({ value: b }), undefined, true);
  }

  get normalizeInput(): boolean {
    return true;
  }

  protected get logitScale(): number {
    return this.r;
  }

  protected override trainingMargin(): Margin {
    return sphereFace2Margin(this.variant, this.margin, this.adjustmentExponent);
  }

  /** The base's logits (r·cos θ in inference), adjusted by g in inference, plus the bias. */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const logits = super.call(inputs, kwargs);
      const scores = kwargs?.training === true ? logits : tf.mul(similarityAdjustment(tf.div(logits, this.r), this.adjustmentExponent), this.r);
      return tf.add(scores, this.bias!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { variant: this.variant, alpha: this.alpha, r: this.r, margin: this.margin, adjustmentExponent: this.adjustmentExponent, ...super.getConfig() };
  }

  /** @internal Reads a configuration, that of 0.1.0 too (its `t` is `adjustmentExponent`). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { t, ...rest } = config;
    return new cls(t === undefined || 'adjustmentExponent' in rest ? rest : { ...rest, adjustmentExponent: t });
  }
}
registerHeadClass(SphereFace2);

/**
 * Creates a {@link SphereFace2} layer.
 * @param args - see {@link SphereFace2Args}; `units` (≥ 2) is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = sphereFace2({ units: 10575 }); // 'C', α = 0.7, r = 40, m = 0.4, adjustmentExponent t = 3
 * ```
 */
export function sphereFace2(args: SphereFace2Args): SphereFace2 {
  return new SphereFace2(args);
}
