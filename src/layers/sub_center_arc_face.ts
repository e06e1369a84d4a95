import * as tf from '@tensorflow/tfjs-core';
import { SUB_CENTER_ARC_FACE_DEFAULTS } from '../defaults/head_defaults.js';
import { maxOverSubCenters } from '../ops/sub_center_max.js';
import { assertInteger } from '../util/validate.js';
import { ArcFace, type ArcFaceArgs } from './arc_face.js';
import { registerHeadClass } from './register_head_class.js';

/** Arguments of {@link SubCenterArcFace}. */
export interface SubCenterArcFaceArgs extends ArcFaceArgs {
  /** K, the sub-centers per class, an integer ≥ 1. Default: 3 (the paper's). K = 1 is ArcFace. */
  subCenters?: number;
}

/**
 * Sub-center ArcFace: K weight vectors (sub-centers) per class, and cos θ_j the largest cosine
 * between the embedding and class j's sub-centers; then ArcFace's margin on the target:
 * logits s·max_k cos θ_{j,k}, and s·cos(θ_y + m) for the target in training. Noisy or atypical
 * samples of a class gather at non-dominant sub-centers instead of pulling the class's main one;
 * {@link dominantSubCenters} finds each class's dominant sub-center, so that those samples can be
 * dropped, as the paper does. Input [embeddings, labels]; output logits [B, C]; weights: `kernel`
 * [D, C·K], the sub-centers of class j in columns j·K … j·K + K − 1.
 *
 * Paper: J. Deng et al., "Sub-center ArcFace: Boosting Face Recognition by Large-scale Noisy Web
 * Faces", ECCV 2020, {@link https://www.ecva.net/papers/eccv_2020/papers_ECCV/papers/123560715.pdf}.
 *
 * The margin applies in training passes only: `fit`'s, or `apply(inputs, { training: true })` in a
 * custom loop (without the flag it gives the inference logits, and warns once inside a gradient
 * computation; see {@link MarginHead}).
 *
 * @example
 * ```ts
 * const logits = subCenterArcFace({ units: 10, subCenters: 3 }).apply([embeddings, labels]);
 * ```
 */
export class SubCenterArcFace extends ArcFace {
  /** @internal */
  static override readonly className = 'SubCenterArcFace';
  /** K, the sub-centers per class. */
  readonly subCenters: number;

  constructor(args: SubCenterArcFaceArgs) {
    super(args);
    this.subCenters = args.subCenters ?? SUB_CENTER_ARC_FACE_DEFAULTS.subCenters;
    assertInteger(SubCenterArcFace.className, 'subCenters', this.subCenters, 1);
  }

  /** The kernel holds K sub-centers per class: shape [D, C·K]. */
  protected override kernelShape(dim: number): number[] {
    return [dim, this.units * this.subCenters];
  }

  /** The cosines to every sub-center [B, C·K], then the largest of each class's K: [B, C]. */
  protected override cosineLogits(x: tf.Tensor2D, kernel: tf.Tensor): tf.Tensor2D {
    return maxOverSubCenters(super.cosineLogits(x, kernel), this.subCenters);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { subCenters: this.subCenters, ...super.getConfig() };
  }
}
registerHeadClass(SubCenterArcFace);

/**
 * Creates a {@link SubCenterArcFace} layer.
 * @param args - see {@link SubCenterArcFaceArgs}; `units` is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = subCenterArcFace({ units: 10575, subCenters: 3, margin: 0.5 });
 * ```
 */
export function subCenterArcFace(args: SubCenterArcFaceArgs): SubCenterArcFace {
  return new SubCenterArcFace(args);
}
