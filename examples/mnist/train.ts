// Training and evaluation of one head on MNIST, with the clean protocol: train on the training
// images only; evaluate every test image without the margin and without any training step.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AngularSoftmax, lambdaAt, marginCrossEntropy, seededRandom } from 'tfjs-angular-margin';
import { FlatAdam } from './flat_adam.js';
import type { MnistSplit } from './idx.js';
import { buildHead, buildTrunk, type HeadKind, type HeadOptions, type Network } from './networks.js';
import { Progress, type ProgressSink } from './progress.js';

/** Adam whose learning rate the loop sets before each step (the field is protected in tfjs). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
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
  /** Learning rate × lrDecay^(step / lrDecaySteps), as the reference (Adam, 0.001 × 0.9^(step/500)). */
  lrDecay: number;
  lrDecaySteps: number;
  optimizer: OptimizerName;
}

/** Pixels as float32 in [0, 1], [N, 784]. */
export function imagesToTensor(split: MnistSplit): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.tensor2d(split.images, [split.count, split.rows * split.cols], 'int32'), 255) as tf.Tensor2D);
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
  head: HeadKind;
  testAccuracy: number;
  testLoss: number;
  steps: StepRecord[];
  trainSeconds: number;
  evalSeconds: number;
  msPerStep: number;
  /** Test-set embeddings [N][dim] and their labels, for figures and statistics. */
  embeddings: number[][];
  labels: number[];
  /** Class weight directions [10][dim] (the head's kernel columns). */
  weights: number[][];
  parameters: number;
}

function forward(head: tfl.layers.Layer, kind: HeadKind, embeddings: tf.Tensor, labels: tf.Tensor, training: boolean): tf.Tensor {
  return (kind === 'original' ? head.apply(embeddings) : head.apply([embeddings, labels], { training })) as tf.Tensor;
}

/** Fisher-Yates with a seeded generator. */
function permutation(n: number, rand: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

export async function trainHead(kind: HeadKind, train: { x: tf.Tensor2D; y: tf.Tensor1D }, test: { x: tf.Tensor2D; y: tf.Tensor1D }, config: TrainConfig, sink: ProgressSink): Promise<HeadResult> {
  const trunk = buildTrunk(config.network, config.dim, config.seed);
  const head = buildHead(kind, config);
  const optimizer = config.optimizer === 'flat-adam' ? new FlatAdam(config.lr, 0.9, 0.999, 1e-8) : new ScheduledAdam(config.lr, 0.9, 0.999, 1e-8);
  const rand = seededRandom(config.seed + 1000);
  const n = train.x.shape[0];
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
    const batchIndices = tf.tensor1d(order.subarray(cursor, cursor + config.batchSize), 'int32');
    cursor += config.batchSize;
    const lr = config.lr * Math.pow(config.lrDecay, step / config.lrDecaySteps);
    optimizer.setLearningRate(lr);
    // The head's counter advances once per training step from 0, so λ follows from the step
    // without reading the counter back from the device (a sync per step on GPU backends).
    const lambda = head instanceof AngularSoftmax ? lambdaAt(step, head.schedule) : null;
    let correct: tf.Tensor | null = null;
    const loss = tf.tidy(() => {
      const xb = tf.gather(train.x, batchIndices);
      const yb = tf.gather(train.y, batchIndices);
      return optimizer.minimize(() => {
        const logits = forward(head, kind, trunk.apply(xb, { training: true }) as tf.Tensor, yb, true);
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), yb), 'float32')));
        return marginCrossEntropy(tf.oneHot(yb, 10), logits);
      }, true)!;
    });
    const [lossValue] = await loss.data();
    const [correctValue] = await correct!.data();
    loss.dispose();
    correct!.dispose();
    batchIndices.dispose();
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
  const evalBatch = 1000;
  const embeddings: number[][] = [];
  let lossSum = 0;
  let correctSum = 0;
  const testCount = test.x.shape[0];
  for (let start = 0; start < testCount; start += evalBatch) {
    const size = Math.min(evalBatch, testCount - start);
    const [emb, lossValue, correctValue] = tf.tidy(() => {
      const xb = tf.slice(test.x, [start, 0], [size, -1]);
      const yb = tf.slice(test.y, [start], [size]);
      const e = trunk.apply(xb) as tf.Tensor;
      const logits = forward(head, kind, e, yb, false);
      const l = tf.mul(tf.losses.softmaxCrossEntropy(tf.oneHot(yb, 10), logits), size);
      const c = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), yb), 'float32'));
      return [e, l, c];
    });
    embeddings.push(...(await emb.array() as number[][]));
    lossSum += (await lossValue.data())[0]!;
    correctSum += (await correctValue.data())[0]!;
    tf.dispose([emb, lossValue, correctValue]);
  }
  const evalSeconds = (performance.now() - t1) / 1000;
  const kernel = head.getWeights()[0]!;
  const transposed = tf.transpose(kernel);
  const weights = (await transposed.array()) as number[][]; // async: webgpu in Node cannot read synchronously
  transposed.dispose();
  const result: HeadResult = {
    head: kind,
    testAccuracy: correctSum / testCount,
    testLoss: lossSum / testCount,
    steps,
    trainSeconds,
    evalSeconds,
    msPerStep: (trainSeconds * 1000) / Math.max(1, totalSteps),
    embeddings,
    labels: Array.from(await test.y.data()),
    weights,
    parameters: trunk.countParams() + head.countParams(),
  };
  optimizer.dispose();
  trunk.dispose();
  head.dispose();
  return result;
}
