// Selects the tfjs backend for the whole test run: TFJS_BACKEND=cpu (default), wasm or webgpu.
// tfjs-layers registers every kernel gradient (tfjs-core alone does not), as it does for users.
import '@tensorflow/tfjs-layers';
import { useTestBackend } from './backend.js';

await useTestBackend();
