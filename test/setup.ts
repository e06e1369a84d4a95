// Selects the tfjs backend for the whole test run: TFJS_BACKEND=cpu (default) or wasm.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-layers registers every kernel gradient (tfjs-core alone does not), as it does for users.
import '@tensorflow/tfjs-layers';

const wanted = process.env.TFJS_BACKEND ?? 'cpu';
if (!(await tf.setBackend(wanted))) {
  throw new Error(`test setup: the tfjs backend "${wanted}" could not be initialized.`);
}
await tf.ready();
if (tf.getBackend() !== wanted) throw new Error(`test setup: asked for ${wanted}, got ${tf.getBackend()}.`);
