import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Margin } from '../margins/margin.js';
import { validatesLabelsByDefault } from '../ops/labels.js';
import { cosineLogits, marginOnTargets } from '../functional/margin_logits.js';
import { assertOwnSymbolicTensors } from '../util/one_tfjs.js';
import { assertBoolean, assertInteger, describe } from '../util/validate.js';
import { advancedCounter, counterAtLeast, counterValue } from './pass_counter.js';
import { resolveInitializer, serializeInitializer, type Initializer, type InitializerName, type SerializedInitializer } from './initializer.js';

/** Constructor arguments of every tfjs-layers layer (name, trainable, inputShape, …). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Keyword arguments that tfjs-layers passes to `call`; `training` is set by `fit`, and by a custom loop's `apply(inputs, { training: true })`. */
export type CallKwargs = {
  /** True in a training forward pass (`fit` sets it; a custom loop passes `{ training: true }` to `apply`): the margin heads apply their margin. */
  training?: boolean;
  [key: string]: unknown;
};

/** What {@link MarginHead.countPass} gives: the count before the pass, and an exact comparison. */
export interface PassCount {
  /** The count as a float32 scalar (exact to 2^24, rounded beyond). */
  count: tf.Scalar;
  /** Whether the count is at least `n` (an integer to 2^53 − 1), exactly: a bool scalar. */
  atLeast(n: number): tf.Scalar;
}

/** Arguments shared by every head built on {@link MarginHead}. */
export interface MarginHeadArgs extends LayerArgs {
  /** Number of classes C, an integer ≥ 1. Required. */
  units: number;
  /**
   * Initializer of the [D, C] class-weight kernel: a name, an instance, or a serialized
   * `{ className, config }`. Only directions matter, since columns are normalized. Default: 'glorotUniform'.
   */
  kernelInitializer?: InitializerName | Initializer | SerializedInitializer;
  /**
   * During training, read the labels back and check each is an integer in [0, C): one small
   * device→host copy per step. Default (unset): true on the cpu, wasm and tensorflow backends,
   * false on webgl and webgpu, where the read would stall the GPU at every step (and webgpu in
   * Node cannot read synchronously: `true` there fails with a message saying so).
   */
  validateLabels?: boolean;
  /**
   * Warn once, with `console.warn`, when the layer gets labels while a gradient is being recorded
   * (`tf.grad`, `tf.variableGrads`, `optimizer.minimize`) but `training` is not true: the margin
   * applies only in a training pass, which `fit` makes and a custom training loop must ask for
   * itself — `model.apply(inputs, { training: true })` — or it trains without the margin. Heads
   * without a margin never warn. Default: true.
   */
  warnWithoutTraining?: boolean;
}

/** The embedding shape of a head's input, which is either [B, D] or the list [[B, D], labelsShape]. */
function splitInputShape(owner: string, inputShape: tfl.Shape | tfl.Shape[]): { embeddings: tfl.Shape; labels: tfl.Shape | null } {
  const list = Array.isArray(inputShape[0]) ? (inputShape as tfl.Shape[]) : [inputShape as tfl.Shape];
  if (list.length < 1 || list.length > 2) {
    throw new Error(`${owner}: expected embeddings [B, D] or the list [embeddings [B, D], labels [B] or [B, 1]], but got ${list.length} inputs.`);
  }
  const [embeddings, labels = null] = list as [tfl.Shape, tfl.Shape?];
  if (embeddings.length !== 2) {
    throw new Error(`${owner}: embeddings must have rank 2 ([batch, dim]), but got shape ${describe(embeddings)}.`);
  }
  if (labels != null && !(labels.length === 1 || (labels.length === 2 && labels[1] === 1))) {
    throw new Error(`${owner}: labels must have shape [B] or [B, 1], but got shape ${describe(labels)}.`);
  }
  return { embeddings, labels };
}

/**
 * Base class of the normalized-weight softmax heads, in three steps: cosine logits
 * ({@link MarginHead.cosineLogits}) → a margin on the target entries
 * ({@link MarginHead.trainingMargin}) → scale ({@link MarginHead.logitScale}). A subclass says
 * whether inputs are normalized ({@link MarginHead.normalizeInput}), the scale and the margin of a
 * training pass, and may override the cosine step with its kernel's shape
 * ({@link MarginHead.kernelShape}), e.g. K sub-centers per class; everything else — weights,
 * shapes, inputs, labels, serialization — lives here, so a new margin is a few lines.
 *
 * A margin applies only in a training pass: `fit` makes one; a custom training loop
 * (`tf.variableGrads`, `optimizer.minimize`) must call `model.apply(inputs, { training: true })`,
 * or the head trains without its margin — it warns once then (see
 * {@link MarginHeadArgs.warnWithoutTraining}). `predict` and `evaluate` give the plain logits.
 *
 * Inputs: embeddings [B, D], or the list [embeddings, labels] with labels [B] or [B, 1] (class
 * indices). Output: logits [B, C]. By default the kernel has the layout of a Dense kernel, [D, C],
 * and no bias.
 *
 * Not registered for serialization itself (it is abstract); each concrete head is.
 */
export abstract class MarginHead extends tfl.layers.Layer {
  /** Number of classes C. */
  readonly units: number;
  /** Initializer of the kernel. */
  readonly kernelInitializer: Initializer;
  /** Whether labels are checked against [0, C) during training; null: by backend (see {@link MarginHeadArgs.validateLabels}). */
  readonly validateLabels: boolean | null;
  /** The class weights, created by `build` in the shape of {@link MarginHead.kernelShape} ([D, C] by default). */
  protected kernel: tfl.LayerVariable | null = null;
  /** Whether a gradient computation without `{ training: true }` is warned about (see {@link MarginHeadArgs.warnWithoutTraining}). */
  readonly warnWithoutTraining: boolean;
  /** Whether that warning was given (once per layer). */
  private warnedWithoutTraining = false;
  /** Writes staged by the current training pass ({@link MarginHead.writeAfterPass}). */
  private pendingWrites: Array<{ variable: tfl.LayerVariable; value: tf.Tensor }> = [];

  constructor(args: MarginHeadArgs) {
    // Checked before tfjs-layers' constructor reads it (which would fail on null with a TypeError).
    // new.target is typed as MarginHead's constructor without the subclass's static className.
    const owner = (new.target as unknown as { className?: string }).className ?? 'MarginHead';
    if (args == null || typeof args !== 'object') throw new Error(`${owner}: expected an arguments object { units, ... }, but got ${describe(args)}.`);
    super(args);
    assertInteger(owner, 'units', args.units, 1);
    this.units = args.units;
    this.kernelInitializer = resolveInitializer(owner, args.kernelInitializer ?? 'glorotUniform');
    this.validateLabels = args.validateLabels ?? null;
    if (this.validateLabels !== null) assertBoolean(owner, 'validateLabels', this.validateLabels);
    this.warnWithoutTraining = args.warnWithoutTraining ?? true;
    assertBoolean(owner, 'warnWithoutTraining', this.warnWithoutTraining);
  }

  /** Whether training passes apply a margin (the modified softmax and NormLinear: none). */
  protected get hasMargin(): boolean {
    return true;
  }

  /** True: the embeddings are L2-normalized and logits are s·cos θ. False: logits are s·‖x‖·cos θ. */
  abstract get normalizeInput(): boolean;

  /** The factor s on every logit. */
  protected abstract get logitScale(): number;

  /**
   * The margin for one training forward pass, or null for none, given the pass's embeddings x
   * [B, D] (for margins that depend on them, such as AdaFace's on the feature norms). Called once
   * per training pass inside the layer's `tidy`; state that the pass advances is staged here with
   * {@link MarginHead.writeAfterPass} (or {@link MarginHead.countPass}) and written only once
   * the pass has succeeded. The default is no margin.
   */
  protected trainingMargin(_x: tf.Tensor2D): Margin | null {
    return null;
  }

  /**
   * The embeddings a training pass computes its logits from, given the input x [B, D]: x itself by
   * default. A head may attach a penalty's gradient here (SphereFace-R's soft feature
   * normalization). Called once per training pass, before {@link MarginHead.trainingMargin}.
   */
  protected trainingEmbeddings(x: tf.Tensor2D): tf.Tensor2D {
    return x;
  }

  /**
   * Stages `value` to be written to `variable` once the current training pass has succeeded (its
   * inputs passed validation): a pass that throws changes no state. For what a pass advances:
   * step counters, running statistics. Call from {@link MarginHead.trainingMargin}; `value` is a
   * tensor of that pass's `tidy`.
   */
  protected writeAfterPass(variable: tfl.LayerVariable, value: tf.Tensor): void {
    this.pendingWrites.push({ variable, value });
  }

  /** Adds a non-trainable scalar weight `name` starting at `initial`: state saved with the model. */
  protected addScalarState(name: string, initial: number): tfl.LayerVariable {
    return this.addWeight(name, [], 'float32', tfl.initializers.constant({ value: initial }), undefined, false);
  }

  /**
   * Adds a non-trainable weight `name`, starting at 0, to count training passes with
   * {@link MarginHead.countPass}: int32 [high, low], exact to 2^53 (see `pass_counter.ts`).
   */
  protected addPassCounter(name: string): tfl.LayerVariable {
    return this.addWeight(name, [2], 'int32', tfl.initializers.zeros(), undefined, false);
  }

  /**
   * The count of training passes before this one, staging the counter's advance by one with
   * {@link MarginHead.writeAfterPass}: the count as a float32 scalar (for schedules) and an exact
   * test `atLeast(n)` (a bool scalar). The next value is computed here, before the pass's kernels
   * use the counter: on webgpu a value whose data is still on the host is then advanced on the
   * host, so the counter stays readable synchronously.
   */
  protected countPass(counter: tfl.LayerVariable): PassCount {
    const pair = counter.read() as tf.Tensor1D; // read before the write: both results below are new tensors
    this.writeAfterPass(counter, advancedCounter(pair));
    return { count: counterValue(pair), atLeast: (n) => counterAtLeast(pair, n) };
  }

  /** The shape of the kernel for embeddings of dimension `dim`: [dim, units], a Dense kernel's. */
  protected kernelShape(dim: number): number[] {
    return [dim, this.units];
  }

  /**
   * The cosine step: r·cos θ_j [B, C] from the embeddings x [B, D] and the kernel, with r = ‖x‖,
   * or 1 when {@link MarginHead.normalizeInput}. The default normalizes the kernel's columns
   * (fused on cpu and webgpu) and multiplies. Called inside the layer's `tidy`.
   */
  protected cosineLogits(x: tf.Tensor2D, kernel: tf.Tensor): tf.Tensor2D {
    return cosineLogits(this.getClassName(), x, kernel as tf.Tensor2D, this.normalizeInput);
  }

  /** Checks that symbolic inputs come from this library's copy of tfjs-layers, then applies the layer. */
  override apply(...args: Parameters<tfl.layers.Layer['apply']>): ReturnType<tfl.layers.Layer['apply']> {
    assertOwnSymbolicTensors(this.getClassName(), args[0]);
    return super.apply(...args);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const { embeddings } = splitInputShape(this.getClassName(), inputShape);
    const dim = embeddings[1];
    if (dim == null || dim < 1) {
      throw new Error(`${this.getClassName()}: the embedding dimension must be known and >= 1, but got shape ${describe(embeddings)}.`);
    }
    this.kernel = this.addWeight('kernel', this.kernelShape(dim), 'float32', this.kernelInitializer, undefined, true);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const { embeddings } = splitInputShape(this.getClassName(), inputShape);
    return [embeddings[0] ?? null, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    return tf.tidy(() => {
      const owner = this.getClassName();
      const list = Array.isArray(inputs) ? inputs : [inputs];
      if (list.length < 1 || list.length > 2) {
        throw new Error(`${owner}: expected embeddings or [embeddings, labels], but got ${list.length} inputs.`);
      }
      const [input, labels = null] = list as [tf.Tensor2D, tf.Tensor?];
      try {
        const training = kwargs?.training === true;
        if (!training && labels != null) this.warnIfDifferentiated(owner);
        const x = training ? this.trainingEmbeddings(input) : input;
        const margin = training ? this.trainingMargin(x) : null;
        if (margin != null && labels == null) {
          throw new Error(`${owner}: training needs the labels: call the layer on [embeddings, labels], with labels of shape [B] or [B, 1].`);
        }
        const raw = this.cosineLogits(x, this.kernel!.read());
        const logits = marginOnTargets(owner, raw, x, margin == null ? null : labels, margin, {
          normalizeInput: this.normalizeInput,
          scale: this.logitScale,
          validateLabels: this.validateLabels ?? validatesLabelsByDefault(),
        });
        // The pass has succeeded (labels validated): its staged state changes take effect.
        for (const { variable, value } of this.pendingWrites) variable.write(value);
        return logits;
      } finally {
        this.pendingWrites = [];
      }
    });
  }

  /** The warning of {@link MarginHeadArgs.warnWithoutTraining}, given once, where a gradient is being recorded (tfjs's public `engine().isTapeOn()`). */
  private warnIfDifferentiated(owner: string): void {
    if (!this.warnWithoutTraining || this.warnedWithoutTraining || !this.hasMargin || !tf.engine().isTapeOn()) return;
    this.warnedWithoutTraining = true;
    console.warn(
      `${owner} (${this.name}): called with labels inside a gradient computation, but without { training: true }, so no margin applies. ` +
        'In a custom training loop, call model.apply(inputs, { training: true }) (fit does this itself). ' +
        'Pass warnWithoutTraining: false to the layer to silence this warning.',
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      units: this.units,
      // serializeInitializer is declared to return any ConfigDictValue; for an initializer it is a ConfigDict.
      kernelInitializer: serializeInitializer(this.kernelInitializer) as unknown as tf.serialization.ConfigDict,
      validateLabels: this.validateLabels,
      warnWithoutTraining: this.warnWithoutTraining,
    };
    return { ...config, ...super.getConfig() };
  }
}
