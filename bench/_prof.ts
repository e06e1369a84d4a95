import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { angularSoftmax, cosFace, marginCrossEntropy, modifiedSoftmax } from 'tfjs-angular-margin';
await tf.setBackend('cpu');
const B = 8, D = 16, C = 20;
const x = tf.randomNormal([B, D]); const labels = tf.randomUniform([B], 0, C, 'int32'); const targets = tf.oneHot(labels, C);
for (const [name, make] of [['dense', () => tfl.layers.dense({ units: C, useBias: false })], ['modified', () => modifiedSoftmax({ units: C })], ['angular', () => angularSoftmax({ units: C, margin: 4 })], ['cosface', () => cosFace({ units: C })]] as const) {
  const head = (make as () => tfl.layers.Layer)();
  const margin = name !== 'dense';
  const fwd = () => (margin ? head.apply([x, labels], { training: true }) : head.apply(x)) as tf.Tensor;
  tf.tidy(fwd);
  const opt = tf.train.sgd(0.01);
  const step = () => { const l = opt.minimize(() => marginCrossEntropy(targets, fwd()), true)!; l.dataSync(); l.dispose(); };
  step();
  const p = await tf.profile(step);
  const names = p.kernels.map((k) => k.name);
  const counts: Record<string, number> = {};
  for (const n of names) counts[n] = (counts[n] ?? 0) + 1;
  console.log(name, names.length, JSON.stringify(counts));
}
