// Packaging check: loads a model that train.mjs saved in a project with another tfjs version and
// requires the same logits. It imports only the ./node entry, which must register the layers.
// Usage: node load-other.mjs DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystem } from 'tfjs-angular-margin/node';

const dir = process.argv[2];
const saved = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
const model = await tf.loadLayersModel(fileSystem(dir));
if (!model.layers.some((l) => l.getClassName() === 'AngularSoftmax'))
  throw new Error(`the model saved with tfjs ${saved.tfjs} lacks AngularSoftmax after loading`);
const logits = await model.predict([tf.tensor(saved.inputs[0]), tf.tensor(saved.inputs[1])]).array();
const difference = Math.max(...logits.flat().map((v, i) => Math.abs(v - saved.logits.flat()[i])));
if (!(difference <= 1e-5)) throw new Error(`logits differ by ${difference} from those of tfjs ${saved.tfjs}`);
console.log(`model saved with tfjs ${saved.tfjs}, loaded with ${tf.version.tfjs}: logits equal (largest difference ${difference})`);
