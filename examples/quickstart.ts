import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { angularSoftmax, embeddingModel, lambdaScheduleFor, marginAccuracy, marginCrossEntropy } from 'tfjs-angular-margin';
import { useFastCpu } from 'tfjs-angular-margin/fast-kernels';
import { fileSystem } from 'tfjs-angular-margin/node';

async function main(): Promise<void> {
  // The fastest CPU backend installed: wasm with @tensorflow/tfjs-backend-wasm, else cpu.
  console.log(`backend: ${(await useFastCpu()).backend}`);

  // Synthetic data: 256 points in 16 dimensions, 4 classes around random centres.
  const numClasses = 4;
  const classOf = Array.from({ length: 256 }, (_, i) => i % numClasses);
  const centres = tf.randomNormal([numClasses, 16], 0, 2, 'float32', 1);
  const points = tf.add(tf.gather(centres, classOf), tf.randomNormal([256, 16], 0, 1, 'float32', 2));
  const labels = tf.tensor2d(classOf, [256, 1]); // class indices: the head's second input
  const targets = tf.oneHot(tf.tensor1d(classOf, 'int32'), numClasses); // one-hot: the loss's targets

  // A two-input model: [points, labels] → 3-D embeddings → A-Softmax logits. λ mixes the plain
  // logit in early on; lambdaScheduleFor anneals it over this run's 80 steps (10 epochs of 8 batches).
  const pointInput = tf.input({ shape: [16] });
  const labelInput = tf.input({ shape: [1] });
  const hidden = tf.layers.dense({ units: 32, activation: 'relu' }).apply(pointInput) as tf.SymbolicTensor;
  const embeddings = tf.layers.dense({ units: 3 }).apply(hidden) as tf.SymbolicTensor;
  const head = angularSoftmax({ units: numClasses, margin: 4, ...lambdaScheduleFor(80) });
  const logits = head.apply([embeddings, labelInput]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [pointInput, labelInput], outputs: logits });

  // Train: the margin applies in fit; evaluate and predict use the plain logits ‖x‖·cos θ.
  model.compile({ optimizer: tf.train.adam(0.01), loss: marginCrossEntropy, metrics: [marginAccuracy] });
  const history = await model.fit([points, labels], targets, { epochs: 10, batchSize: 32, verbose: 0 });
  const losses = history.history.loss as number[];
  console.log(`training loss: ${losses[0]!.toFixed(4)} -> ${losses[losses.length - 1]!.toFixed(4)}`);
  console.log(`lambda after training: ${(await head.readLambda()).toFixed(4)}`);
  const [, accuracy] = model.evaluate([points, labels], targets) as tf.Scalar[];
  console.log(`accuracy: ${(await accuracy!.data())[0]!.toFixed(4)}`);

  // Save and load the whole model in Node without tfjs-node (loading needs this library's layers).
  const dir = join(tmpdir(), 'tfjs-angular-margin-quickstart');
  await model.save(fileSystem(dir));
  const restored = await tf.loadLayersModel(fileSystem(dir));

  // Deploy the embedding model (the model without its head and labels input): plain tfjs loads it.
  const embed = embeddingModel(model);
  await embed.save(fileSystem(join(tmpdir(), 'tfjs-angular-margin-quickstart-embeddings')));
  const before = embed.predict(points) as tf.Tensor;
  const after = embeddingModel(restored).predict(points) as tf.Tensor;
  const difference = (await tf.max(tf.abs(tf.sub(before, after))).data())[0]!;
  console.log(`largest embedding difference after reload: ${difference}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
