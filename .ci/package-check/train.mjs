// Packaging check, ESM: the installed tarball imports by name and trains an A-Softmax model, saves
// it to DIR (with its logits, for load-other.mjs in a project with another tfjs), and reloads it.
// Usage: node train.mjs DIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AngularSoftmax, angularSoftmax, marginCrossEntropy } from 'tfjs-angular-margin';
import { fileSystem } from 'tfjs-angular-margin/node';
import { registerFastConvGradients, registerFastMatMul } from 'tfjs-angular-margin/fast-kernels';
import { gradCheck, seededRandom } from 'tfjs-angular-margin/testing';
import { train } from './train-model.cjs';

if (typeof AngularSoftmax !== 'function') throw new Error('ESM: AngularSoftmax is not exported');
// The fused kernels register when the package loads (a bundler must not drop that as a side effect).
for (const kernel of [
  'TfjsAngularMarginL2Normalize',
  'TfjsAngularMarginL2NormalizeGrad',
  'TfjsAngularMarginAngularTargets',
  'TfjsAngularMarginAngularTargetsGrad',
  'TfjsAngularMarginCosineTargets',
  'TfjsAngularMarginCosineTargetsGrad',
]) {
  if (tf.getKernel(kernel, 'cpu') == null) throw new Error(`ESM: the fused kernel ${kernel} is not registered for cpu`);
}
for (const [name, f] of Object.entries({ registerFastConvGradients, registerFastMatMul, gradCheck, seededRandom })) {
  if (typeof f !== 'function') throw new Error(`ESM: ${name} is not exported from its subpath`);
}
const { first, last, model, inputs } = await train(tf, angularSoftmax, marginCrossEntropy);
if (typeof fileSystem !== 'function') throw new Error('ESM: fileSystem is not exported from ./node');
const dir = process.argv[2];
await model.save(fileSystem(dir));
const logits = await model.predict(inputs).array();
writeFileSync(join(dir, 'expected.json'), JSON.stringify({ tfjs: tf.version.tfjs, inputs: await Promise.all(inputs.map((t) => t.array())), logits }));
const loaded = await tf.loadLayersModel(fileSystem(dir));
if (!loaded.layers.some((l) => l instanceof AngularSoftmax)) throw new Error('ESM: reloaded model lacks AngularSoftmax');
console.log(`ESM import: loss ${first.toFixed(4)} -> ${last.toFixed(4)}, save/load ok`);
