// Packaging check, CommonJS: the installed tarball requires by name and trains an A-Softmax model.
const tf = require('@tensorflow/tfjs');
const { AngularSoftmax, angularSoftmax, marginCrossEntropy } = require('tfjs-angular-margin');
const { fileSystem } = require('tfjs-angular-margin/node');
const { registerFastConvGradients, registerFastMatMul } = require('tfjs-angular-margin/fast-kernels');
const { gradCheck, seededRandom } = require('tfjs-angular-margin/testing');
const { train } = require('./train-model.cjs');

(async () => {
  if (typeof AngularSoftmax !== 'function') throw new Error('CJS: AngularSoftmax is not exported');
  if (typeof fileSystem !== 'function') throw new Error('CJS: fileSystem is not exported from ./node');
  for (const [name, f] of Object.entries({ registerFastConvGradients, registerFastMatMul, gradCheck, seededRandom })) {
    if (typeof f !== 'function') throw new Error(`CJS: ${name} is not exported from its subpath`);
  }
  const { first, last } = await train(tf, angularSoftmax, marginCrossEntropy);
  console.log(`CJS require: loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
