// Shared by the packaging checks: a small two-input model with an A-Softmax head, trained with fit;
// throws unless the loss falls. Returns the model and its inputs.
exports.train = async function train(tf, angularSoftmax, marginCrossEntropy) {
  const n = 128;
  const classOf = Array.from({ length: n }, (_, i) => i % 4);
  const centres = tf.randomNormal([4, 8], 0, 2, 'float32', 1);
  const x = tf.add(tf.gather(centres, classOf), tf.randomNormal([n, 8], 0, 1, 'float32', 2));
  const labels = tf.tensor2d(classOf, [n, 1]);
  const input = tf.input({ shape: [8] });
  const labelInput = tf.input({ shape: [1] });
  const emb = tf.layers.dense({ units: 3 }).apply(input);
  const logits = angularSoftmax({ units: 4 }).apply([emb, labelInput]);
  const model = tf.model({ inputs: [input, labelInput], outputs: logits });
  model.compile({ optimizer: tf.train.adam(0.02), loss: marginCrossEntropy });
  const h = await model.fit([x, labels], tf.oneHot(tf.tensor1d(classOf, 'int32'), 4), { epochs: 8, batchSize: 32, verbose: 0 });
  const first = h.history.loss[0];
  const last = h.history.loss[h.history.loss.length - 1];
  if (!(last < first)) throw new Error(`loss did not fall: ${first} -> ${last}`);
  return { first, last, model, inputs: [x, labels] };
};
