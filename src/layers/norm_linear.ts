import * as tf from '@tensorflow/tfjs-core';
import { assertBoolean, assertPositive } from '../util/validate.js';
import { NORM_LINEAR_DEFAULTS } from '../defaults/head_defaults.js';
import { MarginHead, type MarginHeadArgs } from './margin_head.js';
import { registerHeadClass } from './register_head_class.js';

/** Arguments of {@link NormLinear}. */
export interface NormLinearArgs extends MarginHeadArgs {
  /** L2-normalize the input, so that the logits are s·cos θ_j (cosine logits). Default: false. */
  normalizeInput?: boolean;
  /** Scale s multiplying every logit, > 0. Default: 1. */
  scale?: number;
}

/**
 * A linear layer with L2-normalized weight columns and no bias: logits s·x·ŵ_j = s·‖x‖·cos θ_j,
 * or s·cos θ_j with `normalizeInput` (the cosine classifier of NormFace and CosFace without margin).
 *
 * Input: embeddings [B, D], or [embeddings, labels] (labels are accepted and ignored, so the layer
 * can stand where a margin head stood). Output: logits [B, C]. Weights: `kernel` [D, C].
 *
 * Paper: F. Wang et al., "NormFace: L2 Hypersphere Embedding for Face Verification", ACM MM 2017,
 * {@link https://arxiv.org/abs/1704.06369}.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { normLinear } from 'tfjs-angular-margin';
 * const head = normLinear({ units: 10, normalizeInput: true, scale: 16 });
 * const logits = head.apply(tf.randomNormal([4, 2])) as tf.Tensor; // [4, 10], each in [−16, 16]
 * ```
 */
export class NormLinear extends MarginHead {
  protected override get hasMargin(): boolean {
    return false;
  }

  /** @internal */
  static readonly className = 'NormLinear';
  /** Whether the input is L2-normalized. */
  private readonly inputNormalized: boolean;
  /** The scale s. */
  readonly scale: number;

  constructor(args: NormLinearArgs) {
    super(args);
    this.inputNormalized = args.normalizeInput ?? NORM_LINEAR_DEFAULTS.normalizeInput;
    assertBoolean(NormLinear.className, 'normalizeInput', this.inputNormalized);
    this.scale = args.scale ?? NORM_LINEAR_DEFAULTS.scale;
    assertPositive(NormLinear.className, 'scale', this.scale);
  }

  get normalizeInput(): boolean {
    return this.inputNormalized;
  }

  protected get logitScale(): number {
    return this.scale;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { normalizeInput: this.inputNormalized, scale: this.scale, ...super.getConfig() };
  }
}
registerHeadClass(NormLinear);

/**
 * Creates a {@link NormLinear} layer, in the style of `tf.layers.dense`.
 * @param args - see {@link NormLinearArgs}; `units` is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = normLinear({ units: 10 });
 * ```
 */
export function normLinear(args: NormLinearArgs): NormLinear {
  return new NormLinear(args);
}
