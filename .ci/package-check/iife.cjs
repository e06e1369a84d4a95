// Packaging check, <script> bundle: evaluates the minified IIFE with tfjs as the global `tf`,
// as a page does, and trains through the global `tfAngularMargin`.
const { readFileSync } = require('node:fs');
const vm = require('node:vm');
const { train } = require('./train-model.cjs');

globalThis.tf = require('@tensorflow/tfjs');
const file = require.resolve('tfjs-angular-margin/package.json').replace(/package\.json$/, 'dist/tfjs-angular-margin.min.js');
vm.runInThisContext(readFileSync(file, 'utf8'), { filename: file });
const lib = globalThis.tfAngularMargin;
(async () => {
  if (lib == null || typeof lib.AngularSoftmax !== 'function') throw new Error('IIFE: global tfAngularMargin.AngularSoftmax missing');
  const { first, last } = await train(globalThis.tf, lib.angularSoftmax, lib.marginCrossEntropy);
  console.log(`IIFE bundle: loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);
})().catch((e) => { console.error(e); process.exit(1); });
