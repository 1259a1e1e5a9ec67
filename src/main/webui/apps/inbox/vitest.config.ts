import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  cacheDir: '../../node_modules/.vite-inbox',
  resolve: {
    alias: { '@wagateway/client': fileURLToPath(new URL('../../packages/client/src/index.ts', import.meta.url)) },
  },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: { include: ['test/**/*.test.ts'] },
});
