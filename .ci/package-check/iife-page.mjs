// Packaging check, <script> bundle: a headless Chromium page loads the installed @tensorflow/tfjs's
// own tf.min.js, then dist/tfjs-angular-margin.min.js, as a web page does, and trains through the
// global `tfAngularMargin`. Usage: node iife-page.mjs REPO (REPO: the checkout, for playwright-core).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { train } from './train-model.cjs';

const require = createRequire(import.meta.url);
const { chromium } = createRequire(join(process.argv[2], 'package.json'))('playwright-core');
const tfjsDir = dirname(require.resolve('@tensorflow/tfjs/package.json'));
const libDir = dirname(require.resolve('tfjs-angular-margin/package.json'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><title>iife</title>');
  await page.addScriptTag({ path: join(tfjsDir, 'dist', 'tf.min.js') });
  await page.addScriptTag({ path: join(libDir, 'dist', 'tfjs-angular-margin.min.js') });
  const result = await page.evaluate(`(async () => {
    const train = ${train.toString()};
    if (typeof tfAngularMargin?.AngularSoftmax !== 'function') throw new Error('IIFE: global tfAngularMargin.AngularSoftmax missing');
    await tf.setBackend('cpu');
    const { first, last } = await train(tf, tfAngularMargin.angularSoftmax, tfAngularMargin.marginCrossEntropy);
    return { first, last, tfjs: tf.version.tfjs };
  })()`);
  console.log(`IIFE bundle under tf.min.js ${result.tfjs} in Chromium: loss ${result.first.toFixed(4)} -> ${result.last.toFixed(4)}`);
} finally {
  await browser.close();
}
