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
  // The second head reads a 2-D embedding, so that the model for each head has its own shape.
  const embB = tfl.layers.dense({ units: 2, name: 'trunk_b' }).apply(images) as tfl.SymbolicTensor;
  if (heads > 1) outputs.push(modifiedSoftmax({ units: 4, name: 'head_b' }).apply([embB, labels]) as tfl.SymbolicTensor);
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
    expect(embeddingModel(m, 'head_b').outputs[0]!.shape).toEqual([null, 2]);
    expect(embeddingModel(m, 'head_a').outputs[0]!.shape).toEqual([null, 3]);
    expect(() => embeddingModel(m, 'nope')).toThrow(/no margin head named "nope"; the model's margin heads are: head_a, head_b/);
  });

  it('refuses a model without a margin head', () => {
    const x = tfl.input({ shape: [2] });
    const m = tfl.model({ inputs: x, outputs: tfl.layers.dense({ units: 2 }).apply(x) as tfl.SymbolicTensor });
    expect(() => embeddingModel(m)).toThrow(/found 0 \(none\)/);
    expect(() => embeddingModel(m, 'head')).toThrow('embeddingModel: no margin head named "head"; the model\'s margin heads are: none.');
  });

  it('is named after the model', () => {
    const { m } = model();
    expect(embeddingModel(m).name).toBe(`${m.name}_embeddings`);
  });

  it('works with a head applied to the embeddings alone (no labels input)', () => {
    const x = tfl.input({ shape: [5] });
    const emb = tfl.layers.dense({ units: 3 }).apply(x) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: x, outputs: modifiedSoftmax({ units: 4 }).apply(emb) as tfl.SymbolicTensor });
    const embed = embeddingModel(m);
    expect(embed.inputs).toEqual([x]);
    expect(embed.outputs).toEqual([emb]);
  });

  it('refuses a model whose only input is the labels', () => {
    const labels = tfl.input({ shape: [1] });
    const emb = tfl.layers.dense({ units: 3 }).apply(labels) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: labels, outputs: modifiedSoftmax({ units: 4 }).apply([emb, labels]) as tfl.SymbolicTensor });
    expect(() => embeddingModel(m)).toThrow('embeddingModel: the model has no inputs besides the labels.');
  });
});
