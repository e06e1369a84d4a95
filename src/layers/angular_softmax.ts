import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { scheduledAngularMargin } from '../margins/angular_margin.js';
import type { Margin } from '../margins/margin.js';
import { checkLambdaSchedule, lambdaAt, type LambdaSchedule } from '../schedule/lambda_at.js';
import { readSync } from '../util/read_sync.js';
import { assertInteger } from '../util/validate.js';
import { ANGULAR_SOFTMAX_DEFAULTS } from '../defaults/head_defaults.js';
import { MarginHead, type MarginHeadArgs } from './margin_head.js';
import { countOf } from './pass_counter.js';
import { registerHeadClass } from './register_head_class.js';

/** Arguments of {@link AngularSoftmax}. Defaults are SphereFace's face-model settings. */
export interface AngularSoftmaxArgs extends MarginHeadArgs {
  /** The angular margin m, an integer ≥ 1. Default: 4. */
  margin?: number;
  /** λ at iteration 0, ≥ 0. Default: 1000. */
  lambdaBase?: number;
  /** λ decay rate per iteration, ≥ 0. Default: 0.12. */
  lambdaGamma?: number;
  /** λ decay exponent, ≥ 0. Default: 1. */
  lambdaPower?: number;
  /** λ floor, ≥ 0. Default: 5. With `lambdaBase: 0, lambdaMin: 0`, λ = 0: the full margin from the start. */
  lambdaMin?: number;
}

/**
 * The A-Softmax (angular softmax) head of SphereFace.
 *
 * Input: the list [embeddings [B, D], labels [B] or [B, 1]] (class indices, int32 or float32).
 * Output: logits [B, C], for softmax cross-entropy ({@link marginCrossEntropy}) against one-hot
 * targets. Weights: `kernel` [D, C] (columns normalized in the forward pass, no bias) and
 * `iteration` (a non-trainable scalar).
 *
 * - Training forward pass (`training: true`, as in `model.fit`): the target logit is
 *   (λ·‖x‖·cos θ_y + ‖x‖·ψ(θ_y)) / (1 + λ), other logits ‖x‖·cos θ_j, with
 *   λ = max(lambdaMin, lambdaBase·(1 + lambdaGamma·iteration)^(−lambdaPower)) — see
 *   {@link angularSoftmaxLogits} and {@link lambdaAt}. Each such pass then advances `iteration`.
 * - Otherwise (predict, evaluate): the plain logits ‖x‖·cos θ_j; labels are ignored.
 *
 * The iteration counter is a weight, so a saved and reloaded model resumes the annealing where it
 * stopped. The current λ is {@link AngularSoftmax.lambda}.
 *
 * Paper: W. Liu et al., "SphereFace: Deep Hypersphere Embedding for Face Recognition", CVPR 2017,
 * {@link https://arxiv.org/abs/1704.08063}.
 *
 * The margin applies in training passes only: `fit`'s, or `apply(inputs, { training: true })` in a
 * custom loop (without the flag it gives the inference logits, and warns once inside a gradient
 * computation; see {@link MarginHead}).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { angularSoftmax, marginCrossEntropy } from 'tfjs-angular-margin';
 * const images = tf.input({ shape: [784] });
 * const labels = tf.input({ shape: [1] });
 * const embeddings = tf.layers.dense({ units: 2 }).apply(images) as tf.SymbolicTensor;
 * const logits = angularSoftmax({ units: 10, margin: 4 }).apply([embeddings, labels]) as tf.SymbolicTensor;
 * const model = tf.model({ inputs: [images, labels], outputs: logits });
 * model.compile({ optimizer: 'adam', loss: marginCrossEntropy });
 * ```
 */
export class AngularSoftmax extends MarginHead {
  /** @internal */
  static readonly className = 'AngularSoftmax';
  /** The angular margin m. */
  readonly margin: number;
  /** The λ schedule. */
  readonly schedule: Readonly<LambdaSchedule>;
  private iterationVariable: tfl.LayerVariable | null = null;

  constructor(args: AngularSoftmaxArgs) {
    super(args);
    const owner = AngularSoftmax.className;
    const defaults = ANGULAR_SOFTMAX_DEFAULTS;
    this.margin = args.margin ?? defaults.margin;
    assertInteger(owner, 'margin', this.margin, 1);
    this.schedule = Object.freeze({
      base: args.lambdaBase ?? defaults.lambdaBase,
      gamma: args.lambdaGamma ?? defaults.lambdaGamma,
      power: args.lambdaPower ?? defaults.lambdaPower,
      min: args.lambdaMin ?? defaults.lambdaMin,
    });
    checkLambdaSchedule(owner, this.schedule);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    super.build(inputShape);
    this.iterationVariable = this.addPassCounter('iteration');
  }

  /**
   * Training iterations done so far (training forward passes); 0 before the layer is built.
   * A synchronous read of the counter: on a backend that cannot read synchronously (webgpu in
   * Node) it throws, saying to use {@link AngularSoftmax.readIterations} instead.
   */
  get iterations(): number {
    if (this.iterationVariable == null) return 0;
    const read = 'reading the iteration counter';
    return countOf(readSync(this.getClassName(), read, this.iterationVariable.read(), 'use await layer.readIterations()'));
  }

  /** λ that the next training step will use: {@link lambdaAt} of {@link AngularSoftmax.iterations}. */
  get lambda(): number {
    return lambdaAt(this.iterations, this.schedule);
  }

  /** {@link AngularSoftmax.iterations}, read asynchronously: works on every backend. */
  async readIterations(): Promise<number> {
    if (this.iterationVariable == null) return 0;
    return countOf(await this.iterationVariable.read().data());
  }

  /** {@link AngularSoftmax.lambda}, read asynchronously: works on every backend. */
  async readLambda(): Promise<number> {
    return lambdaAt(await this.readIterations(), this.schedule);
  }

  get normalizeInput(): boolean {
    return false;
  }

  protected get logitScale(): number {
    return 1;
  }

  protected override trainingMargin(): Margin {
    // λ from the count before this step; the counter advances once the pass has succeeded.
    return scheduledAngularMargin(this.margin, this.countPass(this.iterationVariable!).count, this.schedule);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { base, gamma, power, min } = this.schedule;
    return {
      margin: this.margin,
      lambdaBase: base,
      lambdaGamma: gamma,
      lambdaPower: power,
      lambdaMin: min,
      ...super.getConfig(),
    };
  }
}
registerHeadClass(AngularSoftmax);

/**
 * Creates an {@link AngularSoftmax} layer, in the style of `tf.layers.dense`.
 * @param args - see {@link AngularSoftmaxArgs}; `units` is required.
 * @returns the layer.
 * @example
 * ```ts
 * const head = angularSoftmax({ units: 10, margin: 4, lambdaBase: 0, lambdaMin: 0 }); // λ = 0
 * ```
 */
export function angularSoftmax(args: AngularSoftmaxArgs): AngularSoftmax {
  return new AngularSoftmax(args);
}
