import * as tfl from '@tensorflow/tfjs-layers';
import { MarginHead } from '../layers/margin_head.js';
import { describe } from '../util/validate.js';

/**
 * The inference model that maps a trained model's non-label inputs to the embeddings its margin
 * head receives (images → embeddings), sharing the trained layers and weights.
 *
 * Face verification and retrieval use these embeddings (compare them by cosine), not the class
 * logits. The head is found as the model's only {@link MarginHead} layer unless named.
 *
 * @param model - a model containing one margin head, typically with inputs [images, labels].
 * @param headName - the head's layer name, when the model has several heads.
 * @returns a `tf.LayersModel` whose inputs are the model's inputs except the head's labels input,
 *   and whose output is the head's embeddings input [B, D].
 * @throws Error if no (or more than one, without `headName`) margin head is found, or if the
 *   embeddings depend on the labels input.
 * @example
 * ```ts
 * const embed = embeddingModel(model);
 * const vectors = embed.predict(images) as tf.Tensor; // [B, D]
 * ```
 */
export function embeddingModel(model: tfl.LayersModel, headName?: string): tfl.LayersModel {
  if (model == null || typeof model !== 'object' || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new Error(`embeddingModel: expected a tf.LayersModel (from tf.model or tf.loadLayersModel), but got ${describe(model)}.`);
  }
  const heads = model.layers.filter((l) => l instanceof MarginHead && (headName == null || l.name === headName));
  if (heads.length !== 1) {
    const names = model.layers.filter((l) => l instanceof MarginHead).map((l) => l.name);
    throw new Error(
      headName == null
        ? `embeddingModel: expected exactly one margin head in the model, but found ${heads.length} (${names.join(', ') || 'none'}); pass headName to choose.`
        : `embeddingModel: no margin head named "${headName}"; the model's margin heads are: ${names.join(', ') || 'none'}.`,
    );
  }
  const head = heads[0]!;
  const headInput = head.input;
  const [embeddings, labels = null] = Array.isArray(headInput) ? headInput : [headInput];
  const inputs = model.inputs.filter((t) => t !== labels);
  if (inputs.length === 0) {
    throw new Error('embeddingModel: the model has no inputs besides the labels.');
  }
  return tfl.model({ inputs, outputs: embeddings!, name: `${model.name}_embeddings` });
}
