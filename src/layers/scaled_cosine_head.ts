import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { COSINE_HEAD_DEFAULTS } from '../defaults/head_defaults.js';
import type { Margin } from '../margins/margin.js';
import { warmedUpMargin } from '../margins/margin_warmup.js';
import { assertCount, assertPositive } from '../util/validate.js';
import { MarginHead, type MarginHeadArgs } from './margin_head.js';

/** Arguments shared by the cosine-margin heads (SphereFace-R, CosFace, ArcFace, combined margin, sub-center ArcFace, AdaFace, CurricularFace). */
export interface ScaledCosineHeadArgs extends MarginHeadArgs {
  /** The scale s on every logit, > 0. Default: 64. */
  scale?: number;
  /**
   * Training steps over which the margin grows linearly from none to full: at step n the target
   * logit is s·(c + p·(g(c) − c)), the progress p = min(1, n / marginWarmupSteps), c = cos θ_y, g the margin.
   * The step counter is a non-trainable weight, saved with the model. An integer ≥ 0; 0 (the
   * default) applies the full margin from the first step, as the papers do. A warm-up lets the
   * heads train where the full margin stalls them at first (low embedding dimensions).
   */
  marginWarmupSteps?: number;
}

/**
 * Base of the heads whose logits are s·cos θ: embeddings and class weights L2-normalized, no
 * bias, a fixed scale s, and a margin (the subclass's) on the target cosine during training.
 * Inference logits are s·cos θ_j with no margin.
 */
export abstract class ScaledCosineHead extends MarginHead {
  /** The scale s. */
  readonly scale: number;
  /** Training steps of the margin's warm-up (0: none). */
  readonly marginWarmupSteps: number;
  private stepVariable: tfl.LayerVariable | null = null;

  /** @param defaultScale - s where `args.scale` is unset: the cosine heads' 64 unless a subclass has its own. */
  constructor(args: ScaledCosineHeadArgs, defaultScale: number = COSINE_HEAD_DEFAULTS.scale) {
    super(args);
    this.scale = args.scale ?? defaultScale;
    assertPositive(this.getClassName(), 'scale', this.scale);
    this.marginWarmupSteps = args.marginWarmupSteps ?? COSINE_HEAD_DEFAULTS.marginWarmupSteps;
    assertCount(this.getClassName(), 'marginWarmupSteps', this.marginWarmupSteps);
  }

  /** The head's margin at full strength (the subclass's), for the pass's embeddings x [B, D]. */
  protected abstract cosineMargin(x: tf.Tensor2D): Margin;

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    super.build(inputShape);
    if (this.marginWarmupSteps > 0) this.stepVariable = this.addPassCounter('warmup_step');
  }

  /** The margin, scaled by the warm-up's progress when there is one. */
  protected override trainingMargin(x: tf.Tensor2D): Margin {
    const margin = this.cosineMargin(x);
    if (this.stepVariable == null) return margin;
    const step = this.countPass(this.stepVariable);
    // Full strength exactly from step marginWarmupSteps on (the float32 quotient could round below 1 beyond 2^24).
    const progress = tf.where(step.atLeast(this.marginWarmupSteps), tf.scalar(1), tf.minimum(1, tf.div(step.count, this.marginWarmupSteps))) as tf.Scalar;
    return warmedUpMargin(margin, progress);
  }

  get normalizeInput(): boolean {
    return true;
  }

  protected get logitScale(): number {
    return this.scale;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { scale: this.scale, marginWarmupSteps: this.marginWarmupSteps, ...super.getConfig() };
  }
}
