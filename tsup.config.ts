import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

/** tfjs packages stay outside every bundle: a second copy would mean a second kernel and class registry. */
const TFJS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'];

/**
 * For the <script> bundle: resolve the tfjs packages to the page's global `tf` (set by
 * @tensorflow/tfjs's own script tag), which holds both core and layers.
 */
const tfjsAsGlobal: Plugin = {
  name: 'tfjs-as-global',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-(core|layers)$/ }, (args) => ({ path: args.path, namespace: 'tfjs-global' }));
    build.onLoad({ filter: /.*/, namespace: 'tfjs-global' }, () => ({
      contents:
        "if (typeof tf === 'undefined') throw new Error('tfjs-angular-margin: load @tensorflow/tfjs (the global tf) before this script.'); module.exports = tf;",
      loader: 'js',
    }));
  },
};

/** Optional backends of the MNIST program, imported dynamically when present. */
const OPTIONAL = [
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  'webgpu',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
];

export default defineConfig([
  {
    entry: { index: 'src/index.ts', node: 'src/node.ts', 'fast-kernels': 'src/fast_kernels.ts', testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2020',
    // The node entry imports the main one by the package's name: one copy of the layers.
    external: [...TFJS, 'tfjs-angular-margin'],
    splitting: false,
  },
  {
    // The MNIST program, shipped as the bin tfjs-angular-margin-mnist. It imports the library by
    // its package name, so it uses dist/index.js rather than a second bundled copy.
    entry: { mnist: 'examples/mnist/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node18',
    sourcemap: true,
    external: [...TFJS, 'tfjs-angular-margin', ...OPTIONAL],
    splitting: false,
  },
  {
    entry: { 'tfjs-angular-margin.min': 'src/index.ts' },
    format: ['iife'],
    globalName: 'tfAngularMargin',
    minify: true,
    sourcemap: true,
    target: 'es2018',
    platform: 'browser',
    outExtension: () => ({ js: '.js' }),
    esbuildPlugins: [tfjsAsGlobal],
  },
]);
