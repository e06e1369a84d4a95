// Activates the tfjs backend named by TFJS_BACKEND (cpu by default, wasm or webgpu), for the test
// run (test/setup.ts) and for the fresh Node processes some tests start (test/fixtures/).
// webgpu runs through Dawn (the `webgpu` package); on a machine without a GPU, point the Vulkan
// loader at a software driver, e.g. VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json
// (SwiftShader, shipped with Debian's chromium), as `npm run test:webgpu` in .ci/run does.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export async function useTestBackend(wanted = process.env.TFJS_BACKEND ?? 'cpu'): Promise<void> {
  if (wanted === 'webgpu') {
    const { create, globals } = await import('webgpu');
    const gpu = create([]);
    if ((await gpu.requestAdapter()) == null) {
      throw new Error(
        'test setup: TFJS_BACKEND=webgpu, but Dawn found no WebGPU adapter. Without a GPU, set ' +
          'VK_DRIVER_FILES to a software Vulkan driver (SwiftShader: /usr/lib/chromium/vk_swiftshader_icd.json ' +
          "from Debian's chromium, with libvulkan1 installed).",
      );
    }
    // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is first evaluated.
    Object.assign(globalThis, globals);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  if (!(await tf.setBackend(wanted))) {
    throw new Error(`test setup: the tfjs backend "${wanted}" could not be initialized.`);
  }
  await tf.ready();
  if (tf.getBackend() !== wanted) throw new Error(`test setup: asked for ${wanted}, got ${tf.getBackend()}.`);
}
