import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Preact through esbuild's automatic JSX runtime: no Babel, no preset. The client library is taken
// from its sources, so that the inbox builds without the package's own build having run first.
export default defineConfig({
  base: '/',
  // The caches live in the workspace's node_modules, which Quarkus dev mode does not watch.
  cacheDir: '../../node_modules/.vite-inbox',
  resolve: {
    alias: { '@wagateway/client': fileURLToPath(new URL('../../packages/client/src/index.ts', import.meta.url)) },
  },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    assetsDir: 'assets',
    // no inline scripts or module-preload polyfill: the Content-Security-Policy allows 'self' only
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
