import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { angularSoftmax, marginCrossEntropy } from 'tfjs-angular-margin';
import { fileSystem } from 'tfjs-angular-margin/node';

// A small two-input model with an A-Softmax head (its λ counter is part of the model).
const classOf = Array.from({ length: 128 }, (_, i) => i % 4);
const points = tf.randomNormal([128, 8], 0, 1, 'float32', 3);
const labels = tf.tensor2d(classOf, [128, 1]);
const targets = tf.oneHot(tf.tensor1d(classOf, 'int32'), 4);
const pointInput = tf.input({ shape: [8] });
const labelInput = tf.input({ shape: [1] });
const embeddings = tf.layers.dense({ units: 3 }).apply(pointInput) as tf.SymbolicTensor;
const logits = angularSoftmax({ units: 4 }).apply([embeddings, labelInput]) as tf.SymbolicTensor;
const model = tf.model({ inputs: [pointInput, labelInput], outputs: logits });
// Metrics by tfjs's own names ('accuracy' equals marginAccuracy): the saved training config names
// them, and tfjs-layers restores only its own metrics by name.
const compileArgs = { loss: marginCrossEntropy, metrics: ['accuracy'] };
model.compile({ optimizer: tf.train.adam(0.01), ...compileArgs });
const fitArgs = { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 } as const;
await model.fit([points, labels], targets, fitArgs);

// Save with the optimizer's state (Adam's moments and step), then load.
const dir = join(tmpdir(), 'tfjs-angular-margin-resume');
await model.save(fileSystem(dir), { includeOptimizer: true });
const resumed = await tf.loadLayersModel(fileSystem(dir));
// A loss function is saved by name only, so compile again: with the loaded optimizer, to keep its state.
resumed.compile({ optimizer: resumed.optimizer, ...compileArgs });

// Both continue: the resumed model follows the uninterrupted one exactly.
await model.fit([points, labels], targets, fitArgs);
await resumed.fit([points, labels], targets, fitArgs);
const gaps = model.getWeights().map((w, i) => tf.max(tf.abs(tf.sub(w, resumed.getWeights()[i]!))).dataSync()[0]!);
console.log(`largest weight difference from an uninterrupted run: ${Math.max(...gaps)}`);
