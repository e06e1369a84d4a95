// Activates the tfjs backend named by TFJS_BACKEND (cpu by default, wasm or webgpu), for the test
// run (test/setup.ts) and for the fresh Node processes some tests start (test/fixtures/), through
// the MNIST example's backend selection (for webgpu: Dawn set up in the order tfjs needs).
// On a machine without a GPU, point the Vulkan loader at a software driver for webgpu, e.g.
// VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader, shipped with Debian's
// chromium), as `npm run test:webgpu` in .ci/run does.
import * as tf from '@tensorflow/tfjs-core';
import { restoreMatMul } from '../src/fast_kernels/register_fast_mat_mul.js';
import { selectBackend } from '../tools/backend.js';
import { UsageError } from '../tools/usage_error.js';

const TEST_BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;

export async function useTestBackend(wanted = process.env.TFJS_BACKEND ?? 'cpu'): Promise<void> {
  if (!(TEST_BACKENDS as readonly string[]).includes(wanted)) {
    throw new Error(`test setup: TFJS_BACKEND must be one of ${TEST_BACKENDS.join(', ')}, but got "${wanted}".`);
  }
  try {
    await selectBackend(wanted as (typeof TEST_BACKENDS)[number], false);
  } catch (e) {
    if (wanted === 'webgpu' && e instanceof UsageError) {
      throw new Error(
        `test setup: ${e.message} Without a GPU, set VK_DRIVER_FILES to a software Vulkan driver ` +
          "(SwiftShader: /usr/lib/chromium/vk_swiftshader_icd.json from Debian's chromium, with libvulkan1 installed).",
      );
    }
    throw e;
  }
  // The example speeds up wasm's products by transposes; the tests run the backends' own kernels
  // (test/kernels/ tests the replacements).
  restoreMatMul();
  await tf.ready();
  if (tf.getBackend() !== wanted) throw new Error(`test setup: asked for ${wanted}, got ${tf.getBackend()}.`);
}
