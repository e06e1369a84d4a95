import * as tf from '@tensorflow/tfjs';
import { arcFace, marginAccuracy, marginCrossEntropy } from 'tfjs-angular-margin';

async function main(): Promise<void> {
  // A two-input model whose inputs have names: a dataset's `xs` names them.
  const numClasses = 4;
  const pointInput = tf.input({ shape: [8], name: 'points' });
  const labelInput = tf.input({ shape: [1], name: 'labels' });
  const embeddings = tf.layers.dense({ units: 3 }).apply(pointInput) as tf.SymbolicTensor;
  const logits = arcFace({ units: numClasses, scale: 8, margin: 0.3 }).apply([embeddings, labelInput]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [pointInput, labelInput], outputs: logits });
  model.compile({ optimizer: tf.train.adam(0.02), loss: marginCrossEntropy, metrics: [marginAccuracy] });

  // Samples as { xs: { points, labels }, ys: one-hot target }, keyed by the input names, then batched.
  const centres = tf.randomNormal([numClasses, 8], 0, 2, 'float32', 5).arraySync() as number[][];
  const samples = tf.data.generator(function* () {
    for (let i = 0; i < 512; i++) {
      const label = i % numClasses;
      yield {
        xs: { points: tf.add(tf.tensor1d(centres[label]!), tf.randomNormal([8], 0, 1, 'float32', i)), labels: tf.tensor1d([label]) },
        ys: tf.oneHot(label, numClasses),
      };
    }
  });
  const history = await model.fitDataset(samples.batch(32), { epochs: 4, verbose: 0 });
  const losses = history.history.loss as number[];
  console.log(`fitDataset loss: ${losses[0]!.toFixed(4)} -> ${losses[losses.length - 1]!.toFixed(4)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
