import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CURRICULAR_FACE_DEFAULTS } from '../defaults/head_defaults.js';
import { checkAngleMargin } from '../margins/cosine_angles.js';
import { curricularFaceRunningMargin } from '../margins/curricular_face_margin.js';
import type { Margin } from '../margins/margin.js';
import { readSync } from '../util/read_sync.js';
import { assertUnitInterval } from '../util/validate.js';
import { ScaledCosineHead, type ScaledCosineHeadArgs } from './scaled_cosine_head.js';
import { registerHeadClass } from './register_head_class.js';

/** Arguments of {@link CurricularFace}. */
export interface CurricularFaceArgs extends ScaledCosineHeadArgs {
  /** The additive angular margin m in radians, in [0, π). Default: 0.5. */
  margin?: number;
  /** Momentum of t, the running mean of the target cosines, in [0, 1]. Default: 0.01. */
  tAlpha?: number;
}

/**
 * The CurricularFace head (adaptive curriculum learning): ArcFace's margin on the target, and
 * each hard negative — a non-target cosine above cos(θ_y + m) — reweighted to cos θ_j·(t + cos θ_j),
 * where t is the running mean of the target cosines: t ← tAlpha·mean(cos θ_y) + (1 − tAlpha)·t,
 * updated before use in each training pass, as the reference does, and saved with the model (the
 * non-trainable weight `t`, starting at 0). Early in training t ≈ 0 and hard negatives weigh
 * little (easy samples first); as t grows they weigh more. t is a constant of the backward pass.
 * See {@link curricularFaceMargin}. Input [embeddings, labels]; output logits [B, C]; weights:
 * `kernel` [D, C] and `t`.
 *
 * Paper: Y. Huang et al., "CurricularFace: Adaptive Curriculum Learning Loss for Deep Face
 * Recognition", CVPR 2020, {@link https://arxiv.org/abs/2004.00288}.
 *
 * The margin applies in training passes only: `fit`'s, or `apply(inputs, { training: true })` in a
 * custom loop (without the flag it gives the inference logits, and warns once inside a gradient
 * computation; see {@link MarginHead}).
 *
 * @example
 * ```ts
 * const logits = curricularFace({ units: 10, margin: 0.5 }).apply([embeddings, labels]);
 * ```
 */
export class CurricularFace extends ScaledCosineHead {
  /** @internal */
  static readonly className = 'CurricularFace';
  /** The margin m, in radians. */
  readonly margin: number;
  /** The momentum of t. */
  readonly tAlpha: number;
  private tVariable: tfl.LayerVariable | null = null;

  constructor(args: CurricularFaceArgs) {
    super(args);
    const owner = CurricularFace.className;
    this.margin = args.margin ?? CURRICULAR_FACE_DEFAULTS.margin;
    this.tAlpha = args.tAlpha ?? CURRICULAR_FACE_DEFAULTS.tAlpha;
    checkAngleMargin(owner, this.margin);
    assertUnitInterval(owner, 'tAlpha', this.tAlpha);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    super.build(inputShape);
    this.tVariable = this.addScalarState('t', 0);
  }

  /**
   * t, the running mean of the target cosines; 0 before the layer is built. A synchronous read:
   * on a backend that cannot read synchronously (webgpu in Node) it throws, saying to use
   * {@link CurricularFace.readT} instead.
   */
  get t(): number {
    if (this.tVariable == null) return 0;
    return readSync(this.getClassName(), 'reading t', this.tVariable.read(), 'use await layer.readT()')[0] as number;
  }

  /** {@link CurricularFace.t}, read asynchronously: works on every backend. */
  async readT(): Promise<number> {
    if (this.tVariable == null) return 0;
    return (await this.tVariable.read().data())[0]!;
  }

  /** ArcFace's target margin, and the hard negatives reweighted with t updated from this pass (staged). */
  protected override cosineMargin(): Margin {
    const variable = this.tVariable!;
    return curricularFaceRunningMargin(this.margin, variable.read() as tf.Scalar, this.tAlpha, (t) => this.writeAfterPass(variable, t));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { margin: this.margin, tAlpha: this.tAlpha, ...super.getConfig() };
  }
}
registerHeadClass(CurricularFace);

/**
 * Creates a {@link CurricularFace} layer.
 * @param args - see {@link CurricularFaceArgs}; `units` is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = curricularFace({ units: 10575 }); // s = 64, m = 0.5, tAlpha = 0.01
 * ```
 */
export function curricularFace(args: CurricularFaceArgs): CurricularFace {
  return new CurricularFace(args);
}
