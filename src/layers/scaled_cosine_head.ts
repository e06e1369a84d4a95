import * as tf from '@tensorflow/tfjs-core';
import { assertPositive } from '../util/validate.js';
import { COSINE_SCALE_DEFAULT } from '../heads/defaults.js';
import { MarginHead, type MarginHeadArgs } from './margin_head.js';

/** Arguments shared by the cosine-margin heads (CosFace, ArcFace, combined margin). */
export interface ScaledCosineHeadArgs extends MarginHeadArgs {
  /** The scale s on every logit, > 0. Default: 64. */
  scale?: number;
}

/**
 * Base of the heads whose logits are s·cos θ: embeddings and class weights L2-normalized, no
 * bias, a fixed scale s, and a margin (the subclass's) on the target cosine during training.
 * Inference logits are s·cos θ_j with no margin.
 */
export abstract class ScaledCosineHead extends MarginHead {
  /** The scale s. */
  readonly scale: number;

  constructor(args: ScaledCosineHeadArgs) {
    super(args);
    this.scale = args.scale ?? COSINE_SCALE_DEFAULT;
    assertPositive(this.getClassName(), 'scale', this.scale);
  }

  get normalizeInput(): boolean {
    return true;
  }

  protected get logitScale(): number {
    return this.scale;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { scale: this.scale, ...super.getConfig() };
  }
}
