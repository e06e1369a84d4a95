import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { arcFace, EmbeddingIndex, embeddingModel, marginCrossEntropy, retrievalMetrics, verificationMetrics } from 'tfjs-angular-margin';
import { useFastCpu } from 'tfjs-angular-margin/fast-kernels';
import { fileSystem } from 'tfjs-angular-margin/node';

// 12 identities around random centres in 32 dimensions: train on 0-7, evaluate on the unseen 8-11.
const centres = tf.randomNormal([12, 32], 0, 1, 'float32', 1);
function sample(identities: number[], perIdentity: number, seed: number) {
  const ids = Array.from({ length: identities.length * perIdentity }, (_, i) => identities[i % identities.length]!);
  const points = tf.add(tf.gather(centres, ids), tf.randomNormal([ids.length, 32], 0, 0.6, 'float32', seed));
  return { ids, points };
}

async function main(): Promise<void> {
  await useFastCpu();
  const seen = sample([0, 1, 2, 3, 4, 5, 6, 7], 50, 2);
  const pointInput = tf.input({ shape: [32] });
  const labelInput = tf.input({ shape: [1] });
  // Seeded initial weights and no shuffling (the samples alternate identities): the same run every time.
  const seeded = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });
  const hidden = tf.layers.dense({ units: 64, activation: 'relu', ...seeded(6) }).apply(pointInput) as tf.SymbolicTensor;
  const embeddings = tf.layers.dense({ units: 16, ...seeded(7) }).apply(hidden) as tf.SymbolicTensor;
  const logits = arcFace({ units: 8, scale: 16, margin: 0.3, ...seeded(8) }).apply([embeddings, labelInput]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [pointInput, labelInput], outputs: logits });
  model.compile({ optimizer: tf.train.adam(0.01), loss: marginCrossEntropy });
  const labels = tf.tensor2d(seen.ids, [seen.ids.length, 1]);
  await model.fit([seen.points, labels], tf.oneHot(tf.tensor1d(seen.ids, 'int32'), 8), { epochs: 20, batchSize: 40, shuffle: false, verbose: 0 });
  const embed = embeddingModel(model);

  // Identities never trained on: retrieval (each sample a query among the others) and
  // verification over all pairs, whose TAR at FAR = 1e-2 gives the matching threshold.
  const heldOut = sample([8, 9, 10, 11], 40, 3);
  const heldOutEmbeddings = embed.predict(heldOut.points) as tf.Tensor2D;
  const { precisionAt1, mapAtR } = await retrievalMetrics(heldOutEmbeddings, heldOut.ids);
  const { tarAtFar, eer } = await verificationMetrics(heldOutEmbeddings, heldOut.ids, { farTargets: [1e-2] });
  const { tar, threshold } = tarAtFar[0]!;
  console.log(
    `unseen identities: P@1 ${precisionAt1.toFixed(4)}, MAP@R ${mapAtR.toFixed(4)}, EER ${eer.toFixed(4)}, TAR ${tar.toFixed(4)} at FAR 0.01 (cosine >= ${threshold.toFixed(4)})`,
  );

  // Deploy: enroll a gallery of the unseen identities, then match new probes of them, and of an
  // identity never enrolled (0: it should come back unknown, -1).
  const gallery = sample([8, 9, 10, 11], 5, 4);
  const index = new EmbeddingIndex();
  await index.add(embed.predict(gallery.points) as tf.Tensor2D, gallery.ids);
  const probes = sample([8, 9, 10, 11, 0], 20, 5);
  const matched = await index.match(embed.predict(probes.points) as tf.Tensor2D, { threshold });
  const right = matched.filter((id, i) => id === (probes.ids[i] === 0 ? -1 : probes.ids[i])).length;
  console.log(`probes matched right (enrolled: their identity; not enrolled: -1): ${right} of ${matched.length}`);

  // The index saves as a folder (model.json and its weights) and loads back exactly.
  const dir = join(tmpdir(), 'tfjs-angular-margin-gallery');
  await index.save(fileSystem(dir));
  const loaded = await EmbeddingIndex.load(fileSystem(dir));
  const again = await loaded.match(embed.predict(probes.points) as tf.Tensor2D, { threshold });
  console.log(`reloaded index gives the same matches: ${again.every((id, i) => id === matched[i])}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
