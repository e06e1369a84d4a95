import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { angularSoftmax } from '../../src/layers/angular_softmax.js';
import { modifiedSoftmax } from '../../src/layers/modified_softmax.js';
import { embeddingModel } from '../../src/models/embedding_model.js';

function model(heads = 1) {
  const images = tfl.input({ shape: [5], name: 'images' });
  const labels = tfl.input({ shape: [1], name: 'labels' });
  const trunk = tfl.layers.dense({ units: 3, name: 'trunk' });
  const emb = trunk.apply(images) as tfl.SymbolicTensor;
  const outputs = [angularSoftmax({ units: 4, name: 'head_a' }).apply([emb, labels]) as tfl.SymbolicTensor];
  if (heads > 1) outputs.push(modifiedSoftmax({ units: 4, name: 'head_b' }).apply([emb, labels]) as tfl.SymbolicTensor);
  return { m: tfl.model({ inputs: [images, labels], outputs }), trunk };
}

describe('embeddingModel', () => {
  it('maps images to the embeddings the head receives, with the trained weights', async () => {
    const { m, trunk } = model();
    const embed = embeddingModel(m);
    expect(embed.inputs.length).toBe(1);
    expect(embed.outputs[0]!.shape).toEqual([null, 3]);
    const x = tf.randomNormal([2, 5]);
    const direct = trunk.apply(x) as tf.Tensor;
    expect(await (embed.predict(x) as tf.Tensor).array()).toEqual(await direct.array());
  });

  it('asks for a name when there are several heads, and says which exist', () => {
    const { m } = model(2);
    expect(() => embeddingModel(m)).toThrow(/expected exactly one margin head in the model, but found 2 \(head_a, head_b\)/);
    expect(embeddingModel(m, 'head_b').outputs[0]!.shape).toEqual([null, 3]);
    expect(() => embeddingModel(m, 'nope')).toThrow(/no margin head named "nope"; the model's margin heads are: head_a, head_b/);
  });

  it('refuses a model without a margin head', () => {
    const x = tfl.input({ shape: [2] });
    const m = tfl.model({ inputs: x, outputs: tfl.layers.dense({ units: 2 }).apply(x) as tfl.SymbolicTensor });
    expect(() => embeddingModel(m)).toThrow(/found 0 \(none\)/);
  });
});
