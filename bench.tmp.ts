import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
for (const b of ['wasm', 'cpu']) {
  await tf.setBackend(b); await tf.ready();
  const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }), tfl.layers.dense({ units: 256, activation: 'relu' }), tfl.layers.dense({ units: 2 }), tfl.layers.dense({units: 10})] });
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([256, 784]); const y = tf.oneHot(tf.randomUniform([256], 0, 10, 'int32'), 10);
  for (let i = 0; i < 3; i++) opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar);
  const t = performance.now();
  for (let i = 0; i < 10; i++) { const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar, true); l!.dataSync(); l!.dispose(); }
  console.log(b, ((performance.now() - t) / 10).toFixed(1), 'ms/step MLP 784-512-256-2 batch 256', tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'));
}
