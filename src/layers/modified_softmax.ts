import { MarginHead, type MarginHeadArgs } from './margin_head.js';
import { registerHeadClass } from './register_head_class.js';

/** Arguments of {@link ModifiedSoftmax}: those of every margin head (`units`, `kernelInitializer`, …). */
export type ModifiedSoftmaxArgs = MarginHeadArgs;

/**
 * SphereFace's "modified softmax": weight columns normalized to unit length, zero bias, logits
 * ‖x‖·cos θ_j = x·ŵ_j. The decision depends on angles only; it is A-Softmax without margin (m = 1).
 *
 * Input: embeddings [B, D], or [embeddings, labels] (labels accepted and ignored), so it is a
 * drop-in for {@link AngularSoftmax} in the same two-input model. Output: logits [B, C].
 * Weights: `kernel` [D, C]. Train with one-hot targets and {@link marginCrossEntropy}.
 *
 * Paper: W. Liu et al., "SphereFace: Deep Hypersphere Embedding for Face Recognition", CVPR 2017,
 * {@link https://arxiv.org/abs/1704.08063}, section 3.2.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { modifiedSoftmax } from 'tfjs-angular-margin';
 * const embeddings = tf.input({ shape: [2] });
 * const labels = tf.input({ shape: [1] });
 * const logits = modifiedSoftmax({ units: 10 }).apply([embeddings, labels]) as tf.SymbolicTensor;
 * ```
 */
export class ModifiedSoftmax extends MarginHead {
  protected override get hasMargin(): boolean {
    return false;
  }

  /** @internal */
  static readonly className = 'ModifiedSoftmax';

  get normalizeInput(): boolean {
    return false;
  }

  protected get logitScale(): number {
    return 1;
  }
}
registerHeadClass(ModifiedSoftmax);

/**
 * Creates a {@link ModifiedSoftmax} layer, in the style of `tf.layers.dense`.
 * @param args - see {@link ModifiedSoftmaxArgs}; `units` is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = modifiedSoftmax({ units: 10 });
 * ```
 */
export function modifiedSoftmax(args: ModifiedSoftmaxArgs): ModifiedSoftmax {
  return new ModifiedSoftmax(args);
}
