import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The demo imports the package's ESM build (npm run build first), as an application would.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [
      { find: /^tfjs-angular-margin$/, replacement: fileURLToPath(new URL('../../dist/index.js', import.meta.url)) },
      { find: /^tfjs-angular-margin\/(fast-kernels|testing)$/, replacement: fileURLToPath(new URL('../../dist/$1.js', import.meta.url)) },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: { main: fileURLToPath(new URL('index.html', import.meta.url)), script: fileURLToPath(new URL('script.html', import.meta.url)) } },
  },
});
