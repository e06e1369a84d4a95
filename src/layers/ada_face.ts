import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ADA_FACE_DEFAULTS } from '../defaults/head_defaults.js';
import { adaFaceRunningMargin } from '../margins/ada_face_margin.js';
import { checkAngleMargin } from '../margins/cosine_angles.js';
import type { Margin } from '../margins/margin.js';
import { readSync } from '../util/read_sync.js';
import { assertPositive, assertUnitInterval } from '../util/validate.js';
import { ScaledCosineHead, type ScaledCosineHeadArgs } from './scaled_cosine_head.js';
import { registerHeadClass } from './register_head_class.js';

/** Arguments of {@link AdaFace}. */
export interface AdaFaceArgs extends ScaledCosineHeadArgs {
  /** The margin m, in [0, π). Default: 0.4. */
  margin?: number;
  /** h, the concentration of the margin scaler: ĝ = clip(h·(‖x‖ − μ)/(σ + ε), −1, 1), > 0. Default: 0.333. */
  h?: number;
  /** Momentum of the running norm statistics μ and σ, in [0, 1]. Default: 0.01. */
  tAlpha?: number;
}

/** AdaFace's running statistics of the clipped feature norms. */
export interface AdaFaceNormStatistics {
  /** μ, the running mean of the norms. */
  mean: number;
  /** σ, the running (sample) standard deviation of the norms. */
  std: number;
}

/** The running statistics' starting values, as in AdaFace's head.py (its clipping: ADA_FACE_CONSTANTS in src/math). */
const NORM_STATISTICS = Object.freeze({ mean: 20, std: 100 });

/**
 * The AdaFace head (quality-adaptive margin): the feature norm ‖x‖ stands for image quality, and
 * the margin adapts to it. Logits s·cos θ_j; in training, every cosine is first clamped to
 * [−1 + 0.001, 1 − 0.001] (zero gradient beyond), as the reference head.py does before acos, and
 * the target's logit is s·(cos(clip(θ_y − m·ĝ, ε, π − ε)) − m − m·ĝ), see {@link adaFaceMargin}, with per row
 * ĝ = clip(h·(n − μ)/(σ + 0.001), −1, 1), n = clip(‖x‖, 0.001, 100). μ and σ are the batch mean and
 * (sample) standard deviation of n, kept as running averages with momentum `tAlpha` — updated
 * before use in each training pass, as the reference does, and saved with the model (non-trainable
 * weights `norm_mean` and `norm_std`, starting at 20 and 100). n, μ, σ and ĝ are constants of the
 * backward pass (the reference computes them without gradient). A batch of one row has σ = 0.
 * Input [embeddings, labels] (the raw, unnormalized embeddings: their norm is the quality signal);
 * output logits [B, C]; weights: `kernel` [D, C], `norm_mean`, `norm_std`.
 *
 * Paper: M. Kim, A. K. Jain and X. Liu, "AdaFace: Quality Adaptive Margin for Face Recognition",
 * CVPR 2022, {@link https://arxiv.org/abs/2204.00964}.
 *
 * The margin applies in training passes only: `fit`'s, or `apply(inputs, { training: true })` in a
 * custom loop (without the flag it gives the inference logits, and warns once inside a gradient
 * computation; see {@link MarginHead}).
 *
 * @example
 * ```ts
 * const logits = adaFace({ units: 10, margin: 0.4, h: 0.333 }).apply([embeddings, labels]);
 * ```
 */
export class AdaFace extends ScaledCosineHead {
  /** @internal */
  static readonly className = 'AdaFace';
  /** The margin m. */
  readonly margin: number;
  /** The concentration h. */
  readonly h: number;
  /** The momentum of the norm statistics. */
  readonly tAlpha: number;
  private normMean: tfl.LayerVariable | null = null;
  private normStd: tfl.LayerVariable | null = null;

  constructor(args: AdaFaceArgs) {
    super(args);
    const owner = AdaFace.className;
    this.margin = args.margin ?? ADA_FACE_DEFAULTS.margin;
    this.h = args.h ?? ADA_FACE_DEFAULTS.h;
    this.tAlpha = args.tAlpha ?? ADA_FACE_DEFAULTS.tAlpha;
    checkAngleMargin(owner, this.margin);
    assertPositive(owner, 'h', this.h);
    assertUnitInterval(owner, 'tAlpha', this.tAlpha);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    super.build(inputShape);
    this.normMean = this.addScalarState('norm_mean', NORM_STATISTICS.mean);
    this.normStd = this.addScalarState('norm_std', NORM_STATISTICS.std);
  }

  /**
   * The running mean μ and standard deviation σ of the clipped feature norms; the starting values
   * before the layer is built. A synchronous read: on a backend that cannot read synchronously
   * (webgpu in Node) it throws, saying to use {@link AdaFace.readNormStatistics} instead.
   */
  get normStatistics(): AdaFaceNormStatistics {
    if (this.normMean == null || this.normStd == null) return { mean: NORM_STATISTICS.mean, std: NORM_STATISTICS.std };
    const read = (v: tfl.LayerVariable) =>
      readSync(this.getClassName(), 'reading the norm statistics', v.read(), 'use await layer.readNormStatistics()')[0] as number;
    return { mean: read(this.normMean), std: read(this.normStd) };
  }

  /** {@link AdaFace.normStatistics}, read asynchronously: works on every backend. */
  async readNormStatistics(): Promise<AdaFaceNormStatistics> {
    if (this.normMean == null || this.normStd == null) return { mean: NORM_STATISTICS.mean, std: NORM_STATISTICS.std };
    const [mean, std] = await Promise.all([this.normMean.read().data(), this.normStd.read().data()]);
    return { mean: mean[0]!, std: std[0]! };
  }

  /** Updates μ and σ from this batch (staged until the pass succeeds) and scales the margin per row. */
  protected override cosineMargin(x: tf.Tensor2D): Margin {
    const [normMean, normStd] = [this.normMean!, this.normStd!];
    return adaFaceRunningMargin(this.margin, {
      embeddings: x,
      mean: normMean.read() as tf.Scalar,
      std: normStd.read() as tf.Scalar,
      h: this.h,
      tAlpha: this.tAlpha,
      commit: (statistics) => {
        const [mean, std] = tf.unstack(statistics);
        this.writeAfterPass(normMean, mean!);
        this.writeAfterPass(normStd, std!);
      },
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { margin: this.margin, h: this.h, tAlpha: this.tAlpha, ...super.getConfig() };
  }
}
registerHeadClass(AdaFace);

/**
 * Creates an {@link AdaFace} layer.
 * @param args - see {@link AdaFaceArgs}; `units` is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = adaFace({ units: 10575 }); // s = 64, m = 0.4, h = 0.333, tAlpha = 0.01
 * ```
 */
export function adaFace(args: AdaFaceArgs): AdaFace {
  return new AdaFace(args);
}
