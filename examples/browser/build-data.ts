// Writes the demo's data: the first 12,000 training and 1,000 test digits of MNIST as raw bytes,
// plus the wasm binaries of tfjs-backend-wasm, into examples/browser/public/ (ignored by git).
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../../tools/mnist/data.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'public');
mkdirSync(join(out, 'data'), { recursive: true });
const mnist = await loadMnist(process.argv[2]);
const write = (name: string, split: { images: Uint8Array; labels: Uint8Array }, n: number) => {
  writeFileSync(join(out, 'data', `${name}-images.bin`), split.images.subarray(0, n * 784));
  writeFileSync(join(out, 'data', `${name}-labels.bin`), split.labels.subarray(0, n));
};
write('train', mnist.train, 12000);
write('test', mnist.test, 1000);
const require = createRequire(import.meta.url);
const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
mkdirSync(join(out, 'wasm'), { recursive: true });
for (const f of readdirSync(join(wasmDir, 'dist')).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, 'dist', f), join(out, 'wasm', f));
// The plain <script> variant loads tfjs and the IIFE bundle from the page's own origin.
copyFileSync(join(dirname(require.resolve('@tensorflow/tfjs/package.json')), 'dist', 'tf.min.js'), join(out, 'tf.min.js'));
copyFileSync(join(here, '..', '..', 'dist', 'tfjs-angular-margin.min.js'), join(out, 'tfjs-angular-margin.min.js'));
console.log(`demo data written to ${out}`);
