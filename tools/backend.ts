// Backend selection for the programs of this repository (the MNIST example, bench, tests). Optional backends are imported dynamically, so that
// none of them is needed to run the example on the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { registerFastConvGradients, registerFastMatMul } from 'tfjs-angular-margin/fast-kernels';
import { UsageError } from './usage_error.js';

export type BackendName = 'auto' | 'cpu' | 'wasm' | 'webgpu' | 'tensorflow';
export const BACKENDS: readonly BackendName[] = ['auto', 'cpu', 'wasm', 'webgpu', 'tensorflow'];

/**
 * The filter gradient of convolutions: tfjs's own Conv2DBackpropFilter kernel ('stock'), the one
 * of registerFastConvGradients with method 'transposed' or 'taps', or 'auto': registerFastConvGradients
 * on wasm (which has no stock kernel) and on cpu (where it is much faster: bench/results/), the
 * backend's own elsewhere.
 */
export type ConvGradientChoice = 'auto' | 'stock' | 'transposed' | 'taps';
export const CONV_GRADIENTS: readonly ConvGradientChoice[] = ['auto', 'stock', 'transposed', 'taps'];

export interface BackendInfo {
  /** The tfjs backend in use. */
  name: Exclude<BackendName, 'auto'>;
  /** Why it was chosen (for auto) or what it runs on. */
  detail: string;
}

async function tryImport(specifier: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ specifier);
    return true;
  } catch {
    return false;
  }
}

async function useTensorflow(): Promise<BackendInfo | null> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    if (await tryImport(pkg)) {
      await tf.setBackend('tensorflow');
      return { name: 'tensorflow', detail: `native TensorFlow through ${pkg}` };
    }
  }
  return null;
}

async function useWebgpu(): Promise<BackendInfo | null> {
  type Adapter = { info?: { vendor?: string; description?: string } };
  type Gpu = { requestAdapter(options?: { powerPreference?: string }): Promise<Adapter | null> };
  let webgpu: { create: (flags: string[]) => Gpu; globals: Record<string, unknown> };
  try {
    webgpu = (await import(/* @vite-ignore */ 'webgpu')) as unknown as typeof webgpu;
  } catch {
    return null;
  }
  const gpu = webgpu.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter == null) return null;
  // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is first imported.
  Object.assign(globalThis, webgpu.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  if (!(await tryImport('@tensorflow/tfjs-backend-webgpu'))) return null;
  if (!(await tf.setBackend('webgpu'))) return null;
  const info = adapter.info;
  return { name: 'webgpu', detail: `WebGPU (Dawn) on ${info?.description || info?.vendor || 'an unnamed adapter'}` };
}

async function useWasm(): Promise<BackendInfo | null> {
  if (!(await tryImport('@tensorflow/tfjs-backend-wasm'))) return null;
  if (!(await tf.setBackend('wasm'))) return null;
  // Its products with a transposed operand (every matrix product's gradient) are ~10× slower than
  // plain ones; registerFastMatMul transposes first.
  registerFastMatMul({ backends: ['wasm'] });
  return { name: 'wasm', detail: 'WebAssembly (XNNPACK); matrix products: registerFastMatMul' };
}

async function useCpu(): Promise<BackendInfo | null> {
  if (!(await tryImport('@tensorflow/tfjs-backend-cpu'))) return null;
  if (!(await tf.setBackend('cpu'))) return null;
  return { name: 'cpu', detail: 'plain JavaScript' };
}

/**
 * Activates the requested backend, or for 'auto' the fastest one present: tensorflow (tfjs-node),
 * then webgpu (when an adapter exists), then wasm, then cpu. For convolutional networks it then
 * sets the filter gradient (see {@link ConvGradientChoice}; tfjs-backend-wasm has none of its own).
 */
export async function selectBackend(requested: BackendName, convolutional: boolean, convGradient: ConvGradientChoice = 'auto'): Promise<BackendInfo> {
  const info = await activate(requested);
  if (!convolutional) return info;
  const fast = convGradient === 'transposed' || convGradient === 'taps' || (convGradient === 'auto' && (info.name === 'wasm' || info.name === 'cpu'));
  if (fast && info.name === 'tensorflow') {
    throw new UsageError(`--conv-gradient ${convGradient} serves the cpu, wasm, webgl and webgpu backends; the tensorflow backend keeps its own.`);
  }
  if (!fast && info.name === 'wasm') {
    throw new UsageError('the wasm backend has no filter gradient of its own: use --conv-gradient auto, transposed or taps to train convolutions there.');
  }
  if (!fast) return { ...info, detail: `${info.detail}; filter gradient: the backend's own` };
  const method = convGradient === 'auto' ? 'auto' : convGradient;
  registerFastConvGradients({ backends: [info.name], method });
  return { ...info, detail: `${info.detail}; filter gradient: registerFastConvGradients (method ${method})` };
}

async function activate(requested: BackendName): Promise<BackendInfo> {
  const missing: Record<Exclude<BackendName, 'auto'>, string> = {
    tensorflow:
      'the tensorflow backend needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu, and neither is installed (npm install @tensorflow/tfjs-node).',
    webgpu:
      'the webgpu backend needs the packages webgpu and @tensorflow/tfjs-backend-webgpu and a WebGPU adapter (a GPU with Vulkan, Metal or D3D12 drivers); none was found.',
    wasm: 'the wasm backend needs @tensorflow/tfjs-backend-wasm (npm install @tensorflow/tfjs-backend-wasm).',
    cpu: 'the cpu backend needs @tensorflow/tfjs-backend-cpu (it comes with @tensorflow/tfjs).',
  };
  const use = { tensorflow: useTensorflow, webgpu: useWebgpu, wasm: useWasm, cpu: useCpu };
  if (requested !== 'auto') {
    const info = await use[requested]();
    if (info == null) throw new UsageError(missing[requested]);
    return info;
  }
  const order: Array<Exclude<BackendName, 'auto'>> = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
  for (const name of order) {
    const info = await use[name]();
    if (info != null) return { ...info, detail: `${info.detail} (auto: the first available of ${order.join(', ')})` };
  }
  throw new UsageError('no tfjs backend is available: install @tensorflow/tfjs (cpu) or @tensorflow/tfjs-backend-wasm.');
}
