// Training and evaluation of one head on MNIST, with the clean protocol: train on the training
// images only; evaluate every test image without the margin and without any training step.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { join } from 'node:path';
import { AngularSoftmax } from 'tfjs-angular-margin';
import { fileSystem } from 'tfjs-angular-margin/node';
import { seededRandom } from 'tfjs-angular-margin/testing';
import { FlatAdam } from '../../tools/flat_adam.js';
import type { MnistSplit } from '../../tools/mnist/idx.js';
import { applyHead, buildHead, buildLoss, buildTrunk, type ProgramHead, type HeadOptions, type Network } from '../../tools/networks.js';
import { permutation } from '../../tools/permutation.js';
import { embeddingFigures, type EmbeddingFigures } from './embedding_figures.js';
import { Progress, type ProgressSink } from './progress.js';

/** Adam whose learning rate the loop sets before each step (the field is protected in tfjs). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

export type LrSchedule = 'exponential' | 'cosine';
export const LR_SCHEDULES: readonly LrSchedule[] = ['exponential', 'cosine'];

/** The learning rate at `step` of `totalSteps` (see {@link TrainConfig.lrSchedule}). */
function learningRateAt(config: Pick<TrainConfig, 'lr' | 'lrSchedule' | 'lrDecay' | 'lrDecaySteps'>, step: number, totalSteps: number): number {
  if (config.lrSchedule === 'cosine') return (config.lr * (1 + Math.cos((Math.PI * step) / totalSteps))) / 2;
  return config.lr * Math.pow(config.lrDecay, step / config.lrDecaySteps);
}

/**
 * A training batch as float32 pixels in [0, 1], [B, 784]: the images at `indices`, each shifted by a
 * random whole number of pixels in [−shift, shift] along x and y (uncovered pixels are 0).
 */
function batchPixels(split: MnistSplit, indices: ArrayLike<number>, shift: number, rand: () => number): Float32Array {
  const { rows, cols } = split;
  const pixels = rows * cols;
  const out = new Float32Array(indices.length * pixels);
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b]! * pixels;
    const dst = b * pixels;
    const dx = shift > 0 ? Math.floor(rand() * (2 * shift + 1)) - shift : 0;
    const dy = shift > 0 ? Math.floor(rand() * (2 * shift + 1)) - shift : 0;
    for (let r = Math.max(0, dy); r < Math.min(rows, rows + dy); r++) {
      const from = src + (r - dy) * cols;
      const to = dst + r * cols;
      for (let c = Math.max(0, dx); c < Math.min(cols, cols + dx); c++) out[to + c] = split.images[from + c - dx]! / 255;
    }
  }
  return out;
}

/** tfjs's Adam, or FlatAdam: the same update in fewer, larger kernels (for GPU backends). */
export type OptimizerName = 'adam' | 'flat-adam';

export interface TrainConfig extends HeadOptions {
  network: Network;
  dim: number;
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  lr: number;
  /**
   * 'exponential': lr × lrDecay^(step / lrDecaySteps), as the reference (Adam, 0.001 × 0.9^(step/500));
   * 'cosine': lr × (1 + cos(π·step / steps)) / 2, from lr down to 0 at the last step.
   */
  lrSchedule: LrSchedule;
  lrDecay: number;
  lrDecaySteps: number;
  /** Training images are shifted by up to this many pixels in x and y (0: none). */
  shift: number;
  optimizer: OptimizerName;
  /** The folder each run's embedding model (the trunk: images → embeddings) is saved under, as `<head>-seed<N>/`; null: not saved. */
  saveModelsTo: string | null;
}

export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  accuracy: number;
  lr: number;
  lambda: number | null;
}

export interface HeadResult {
  head: ProgramHead;
  seed: number;
  testAccuracy: number;
  testLoss: number;
  steps: StepRecord[];
  trainSeconds: number;
  evalSeconds: number;
  msPerStep: number;
  /** Test-set embeddings [N][dim] and their labels, for figures and statistics. */
  embeddings: number[][];
  labels: number[];
  /** Retrieval and verification figures of the test embeddings. */
  figures: EmbeddingFigures;
  /** Open set: embeddings, labels and figures of the test images of classes not trained on; null otherwise. */
  unseen: { embeddings: number[][]; labels: number[]; figures: EmbeddingFigures } | null;
  /** Class weight directions [classes][dim] (the head's kernel columns). */
  weights: number[][];
  parameters: number;
  /** Where the run's embedding model was saved (TrainConfig.saveModelsTo), or null. */
  modelPath: string | null;
}

/**
 * Embeddings of every image of `split` (plain forward pass, no training step) and, when `head` is
 * given, the test loss and accuracy from its plain logits (no margin).
 */
async function evaluate(trunk: tfl.LayersModel, head: tfl.layers.Layer | null, kind: ProgramHead, split: MnistSplit, classes: number) {
  const evalBatch = 1000;
  const embeddings: number[][] = [];
  let lossSum = 0;
  let correctSum = 0;
  for (let start = 0; start < split.count; start += evalBatch) {
    const size = Math.min(evalBatch, split.count - start);
    const indices = Int32Array.from({ length: size }, (_, i) => start + i);
    const { e, l, c } = tf.tidy(() => {
      const xb = tf.tensor2d(batchPixels(split, indices, 0, Math.random), [size, split.rows * split.cols]);
      const yb = tf.tensor1d(
        Int32Array.from(indices, (i) => split.labels[i]!),
        'int32',
      );
      const e = trunk.apply(xb) as tf.Tensor;
      if (head == null) return { e };
      const logits = applyHead(head, kind, e, yb, false);
      const l = tf.mul(tf.losses.softmaxCrossEntropy(tf.oneHot(yb, classes), logits), size);
      const c = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), yb), 'float32'));
      return { e, l, c };
    }) as { e: tf.Tensor; l?: tf.Tensor; c?: tf.Tensor };
    embeddings.push(...((await e.array()) as number[][]));
    if (l != null) lossSum += (await l.data())[0]!;
    if (c != null) correctSum += (await c.data())[0]!;
    tf.dispose([e, l ?? [], c ?? []]);
  }
  return { embeddings, loss: lossSum / split.count, accuracy: correctSum / split.count };
}

/** What a head is evaluated on: `test` (accuracy, loss, embeddings) and, for the open set, images of classes never trained on (embeddings only). */
export interface Evaluation {
  test: MnistSplit;
  unseen?: MnistSplit | undefined;
}

/** Trains one head with its own trunk on `train`, then evaluates it on `evaluation` (see {@link Evaluation}). */
export async function trainHead(kind: ProgramHead, train: MnistSplit, evaluation: Evaluation, config: TrainConfig, sink: ProgressSink): Promise<HeadResult> {
  const test = evaluation.test;
  const trunk = buildTrunk(config.network, config.dim, config.seed);
  const head = buildHead(kind, config);
  const lossOf = buildLoss(kind, config);
  const optimizer = config.optimizer === 'flat-adam' ? new FlatAdam(config.lr, 0.9, 0.999, 1e-8) : new ScheduledAdam(config.lr, 0.9, 0.999, 1e-8);
  const rand = seededRandom(config.seed + 1000);
  const augmentRand = seededRandom(config.seed + 2000);
  const n = train.count;
  const totalSteps = config.epochs * config.stepsPerEpoch;
  const progress = new Progress(kind.padEnd(8), totalSteps, config.stepsPerEpoch, sink);
  const steps: StepRecord[] = [];
  let order = permutation(n, rand);
  let cursor = 0;
  let epochLoss = 0;
  let epochCorrect = 0;
  let epochSeen = 0;
  const t0 = performance.now();
  for (let step = 0; step < totalSteps; step++) {
    if (step % config.stepsPerEpoch === 0) {
      epochLoss = 0;
      epochCorrect = 0;
      epochSeen = 0;
    }
    if (cursor + config.batchSize > n) {
      order = permutation(n, rand);
      cursor = 0;
    }
    const indices = order.subarray(cursor, cursor + config.batchSize);
    cursor += config.batchSize;
    const xb = tf.tensor2d(batchPixels(train, indices, config.shift, augmentRand), [indices.length, train.rows * train.cols]);
    const yb = tf.tensor1d(
      Int32Array.from(indices, (i) => train.labels[i]!),
      'int32',
    );
    const lr = learningRateAt(config, step, totalSteps);
    optimizer.setLearningRate(lr);
    // λ of this step, from the head's own counter (read asynchronously, as the loss is below).
    const lambda = head instanceof AngularSoftmax ? await head.readLambda() : null;
    let correct: tf.Tensor | null = null;
    const loss = tf.tidy(() => {
      return optimizer.minimize(() => {
        const logits = applyHead(head, kind, trunk.apply(xb, { training: true }) as tf.Tensor, yb, true);
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), yb), 'float32')));
        return lossOf(tf.oneHot(yb, config.classes), logits);
      }, true)!;
    });
    const [lossValue] = await loss.data();
    const [correctValue] = await correct!.data();
    loss.dispose();
    correct!.dispose();
    tf.dispose([xb, yb]);
    if (!Number.isFinite(lossValue!)) throw new Error(`${kind}: the training loss became ${lossValue} at step ${step}.`);
    const accuracy = correctValue! / config.batchSize;
    epochLoss += lossValue! * config.batchSize;
    epochCorrect += correctValue!;
    epochSeen += config.batchSize;
    steps.push({ step, epoch: Math.floor(step / config.stepsPerEpoch) + 1, loss: lossValue!, accuracy, lr, lambda });
    progress.step(step, epochLoss / epochSeen, epochCorrect / epochSeen);
  }
  const trainSeconds = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  const seen = await evaluate(trunk, head, kind, test, config.classes);
  const unseen = evaluation.unseen == null ? null : await evaluate(trunk, null, kind, evaluation.unseen, config.classes);
  const labels = Array.from(test.labels);
  const unseenLabels = evaluation.unseen == null ? [] : Array.from(evaluation.unseen.labels);
  const figures = await embeddingFigures(seen.embeddings, labels);
  const unseenFigures = unseen == null ? null : await embeddingFigures(unseen.embeddings, unseenLabels);
  const evalSeconds = (performance.now() - t1) / 1000;
  // The embedding model: plain tfjs layers (no margin head), loadable without this library.
  const modelPath = config.saveModelsTo == null ? null : join(config.saveModelsTo, `${kind}-seed${config.seed}`);
  if (modelPath != null) await trunk.save(fileSystem(modelPath));
  const kernel = head.getWeights()[0]!;
  const transposed = tf.transpose(kernel);
  const weights = (await transposed.array()) as number[][]; // async: webgpu in Node cannot read synchronously
  transposed.dispose();
  const result: HeadResult = {
    head: kind,
    seed: config.seed,
    testAccuracy: seen.accuracy,
    testLoss: seen.loss,
    steps,
    trainSeconds,
    evalSeconds,
    msPerStep: (trainSeconds * 1000) / Math.max(1, totalSteps),
    embeddings: seen.embeddings,
    labels,
    figures,
    unseen: unseen == null || unseenFigures == null ? null : { embeddings: unseen.embeddings, labels: unseenLabels, figures: unseenFigures },
    weights,
    parameters: trunk.countParams() + head.countParams(),
    modelPath,
  };
  optimizer.dispose();
  trunk.dispose();
  head.dispose();
  return result;
}
