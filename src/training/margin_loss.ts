import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { HEAD_KINDS, HEADS, type HeadArgsByKind, type HeadKind } from '../heads/registry.js';
import { MarginHead } from '../layers/margin_head.js';
import { marginCrossEntropy } from '../losses/margin_cross_entropy.js';
import { assertInteger, describe } from '../util/validate.js';

/** Options of a {@link MarginLoss} besides its head's arguments. */
export interface MarginLossOptions {
  /**
   * The embedding dimension D: the class weights [D, C] are created at once. Default: unset, they
   * are created by the first `compute` or `logits` (then `trainableWeights` is empty before it).
   */
  dim?: number;
}

/** The arguments of {@link marginLosses}' factory for a head kind: the head's layer arguments and {@link MarginLossOptions}. */
export type MarginLossArgs<K extends HeadKind> = HeadArgsByKind[K] & MarginLossOptions;

/** The embeddings a loss takes: a float32 tensor [B, D]. */
function checkEmbeddings(owner: string, embeddings: unknown): asserts embeddings is tf.Tensor2D {
  if (!(embeddings instanceof tf.Tensor) || embeddings.rank !== 2) {
    const got = embeddings instanceof tf.Tensor ? `shape [${(embeddings.shape as number[]).join(', ')}]` : describe(embeddings);
    throw new Error(`${owner}: embeddings must be a tf.Tensor [batch, dim], but got ${got}.`);
  }
}

/**
 * A margin head as a loss object, as pytorch-metric-learning's losses are: it owns its class
 * weights (and the head's state: A-Softmax's λ counter, a warm-up's step, AdaFace's and
 * CurricularFace's running statistics), takes embeddings from any trunk and class labels, and
 * always applies the margin — no model, `fit` or `{ training: true }` involved. For custom training
 * loops (`optimizer.minimize`, `tf.variableGrads`):
 *
 * - `compute(embeddings, labels)`: the head's training loss, a scalar — the softmax cross-entropy of
 *   the margin logits, or the head's own (SphereFace2's binary loss, from {@link HEADS}). Each call
 *   is one training pass: the head's state advances once.
 * - `logits(embeddings)`: the inference logits [B, C] (no labels, no margin, no state change).
 * - `trainableWeights` (the class weights, and SphereFace2's bias) for `optimizer.minimize(f,
 *   false, loss.trainableWeights)`; `variables`: those and the state.
 * - `save(handler)` / {@link MarginLoss.load}: the head saved as a one-layer tfjs model whose
 *   inputs are the embeddings and the labels, in tfjs's own format, so that the weights, the state
 *   and the head's arguments travel in one `model.json` that `fileSystem` (or any IOHandler) reads
 *   and checks.
 *
 * Create one with {@link marginLosses}. The head itself is `loss.head`, a {@link MarginHead}.
 *
 * @example
 * ```ts
 * const loss = marginLosses.arcFace({ units: 100, margin: 0.5, dim: 128 });
 * const optimizer = tf.train.adam(1e-3);
 * optimizer.minimize(() => loss.compute(trunk.apply(images) as tf.Tensor2D, labels), false,
 *   [...trunkVariables, ...loss.trainableWeights]);
 * const scores = loss.logits(trunk.predict(test) as tf.Tensor2D);
 * ```
 */
export class MarginLoss<K extends HeadKind = HeadKind> {
  /** The registry kind of the head. */
  readonly kind: K;
  /** The head layer: its weights are the loss's variables. */
  readonly head: MarginHead;
  private readonly lossOf: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

  /**
   * @param kind - a registry kind ({@link HEAD_KINDS}).
   * @param args - the head's arguments (validated by the head) and {@link MarginLossOptions}; or,
   *   with `head`, ignored but for the loss of that kind.
   * @param head - an existing head of that kind (as {@link MarginLoss.load} passes it).
   */
  constructor(kind: K, args: MarginLossArgs<K>, head?: MarginHead) {
    if (!(HEAD_KINDS as readonly string[]).includes(kind))
      throw new Error(`MarginLoss: kind must be one of ${HEAD_KINDS.join(', ')}, but got ${describe(kind)}.`);
    const owner = `${kind} loss`;
    if (args == null || typeof args !== 'object') throw new Error(`${owner}: expected an arguments object { units, ... }, but got ${describe(args)}.`);
    const { dim, ...headArgs } = args;
    // HEADS[kind] for a K known only at run time is the union of every entry, whose create and loss
    // TypeScript cannot call with K's arguments; the constructor checked `kind` above.
    const description = HEADS[kind] as unknown as { create(a: unknown): MarginHead; loss?(a: unknown): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar };
    this.kind = kind;
    this.head = head ?? description.create({ ...headArgs, warnWithoutTraining: false });
    this.lossOf = description.loss?.(head == null ? headArgs : this.head.getConfig()) ?? marginCrossEntropy;
    if (dim !== undefined) {
      assertInteger(owner, 'dim', dim, 1);
      this.ensureBuilt(dim);
    }
  }

  /**
   * Creates the head's weights for embeddings of dimension `dim`, unless they exist: by applying it
   * to symbolic inputs, so that tfjs-layers names the weights under the layer's name, as in a model
   * (the names `save` writes and `load` looks up).
   */
  private ensureBuilt(dim: number): void {
    if (!this.head.built) this.head.apply([tfl.input({ shape: [dim] }), tfl.input({ shape: [1] })]);
  }

  /**
   * The head's training loss for embeddings [B, D] and class labels (a tensor [B] or [B, 1] or an
   * array of B class indices in [0, C)): one training pass, with the margin; the head's state
   * advances once. Works inside `tf.tidy`, `tf.variableGrads` and `optimizer.minimize`.
   */
  compute(embeddings: tf.Tensor2D, labels: tf.Tensor | number[]): tf.Scalar {
    const owner = `${this.kind} loss`;
    checkEmbeddings(owner, embeddings);
    return tf.tidy(() => {
      const y = labels instanceof tf.Tensor ? labels : Array.isArray(labels) ? tf.tensor1d(labels, 'int32') : null;
      if (y == null) throw new Error(`${owner}: labels must be a tf.Tensor [B] or [B, 1] or an array of class indices, but got ${describe(labels)}.`);
      this.ensureBuilt(embeddings.shape[1]);
      const logits = this.head.apply([embeddings, y], { training: true }) as tf.Tensor2D;
      // The head validated the labels; the targets are their one-hot rows.
      const targets = tf.oneHot(tf.cast(tf.reshape(y, [embeddings.shape[0]]), 'int32'), this.head.units);
      return this.lossOf(targets, logits);
    });
  }

  /** The inference logits [B, C] of embeddings [B, D]: no margin, no state change. */
  logits(embeddings: tf.Tensor2D): tf.Tensor2D {
    checkEmbeddings(`${this.kind} loss`, embeddings);
    return tf.tidy(() => {
      this.ensureBuilt(embeddings.shape[1]);
      return this.head.apply(embeddings) as tf.Tensor2D;
    });
  }

  /** The trainable variables (the class weights; SphereFace2's bias too), for `optimizer.minimize`'s `varList`. Empty before the weights exist. */
  get trainableWeights(): tf.Variable[] {
    return this.head.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /** Every variable: the trainable ones and the head's state (counters, running statistics). */
  get variables(): tf.Variable[] {
    return this.head.weights.map((w) => w.read() as tf.Variable);
  }

  /**
   * Saves the head, its weights and its state as a one-layer tfjs model (inputs [embeddings,
   * labels]) through any IOHandler, e.g. `fileSystem(dir)`. Load it with {@link MarginLoss.load}.
   */
  async save(handler: tf.io.IOHandler): Promise<tf.io.SaveResult> {
    if (!this.head.built) throw new Error(`${this.kind} loss: nothing to save yet: give dim, or call compute or logits first.`);
    const dim = this.head.getWeights()[0]!.shape[0];
    const embeddings = tfl.input({ shape: [dim], name: 'embeddings' });
    const labels = tfl.input({ shape: [1], name: 'labels' });
    const model = tfl.model({ inputs: [embeddings, labels], outputs: this.head.apply([embeddings, labels]) as tfl.SymbolicTensor, name: `${this.kind}_loss` });
    return model.save(handler);
  }

  /**
   * Loads a loss saved with {@link MarginLoss.save} (or any model with exactly one margin head,
   * whose layer becomes the loss's head, sharing its weights).
   */
  static async load(handler: tf.io.IOHandler): Promise<MarginLoss> {
    const model = await tfl.loadLayersModel(handler);
    const heads = model.layers.filter((l): l is MarginHead => l instanceof MarginHead);
    if (heads.length !== 1) throw new Error(`MarginLoss.load: expected a model with exactly one margin head, but it has ${heads.length}.`);
    const head = heads[0]!;
    const kind = HEAD_KINDS.find((k) => HEADS[k].className === head.getClassName());
    if (kind == null) throw new Error(`MarginLoss.load: the head ${head.getClassName()} is not in the registry.`);
    return new MarginLoss(kind, { units: head.units }, head);
  }
}

/**
 * One loss-object factory per head of the registry, by kind, with the head's defaults and
 * validation: `marginLosses.arcFace({ units: 100, margin: 0.5 })`, `marginLosses.angular({ units:
 * 10 })`, … (the kinds of {@link HEAD_KINDS}). See {@link MarginLoss}.
 *
 * @example
 * ```ts
 * const loss = marginLosses.cosface({ units: 10, scale: 30, margin: 0.35, dim: 64 });
 * const { value, grads } = tf.variableGrads(() => loss.compute(embeddings, labels), loss.trainableWeights);
 * ```
 */
export const marginLosses: { readonly [K in HeadKind]: (args: MarginLossArgs<K>) => MarginLoss<K> } = Object.freeze(
  Object.fromEntries(HEAD_KINDS.map((kind) => [kind, (args: MarginLossArgs<typeof kind>) => new MarginLoss(kind, args)])) as {
    [K in HeadKind]: (args: MarginLossArgs<K>) => MarginLoss<K>;
  },
);
