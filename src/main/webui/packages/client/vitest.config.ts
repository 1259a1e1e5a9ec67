import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The cache lives in the workspace's node_modules, which Quarkus dev mode does not watch; in the
  // package's own folder its writes would restart dev mode.
  cacheDir: '../../node_modules/.vite',
  test: { include: ['test/**/*.test.ts'] },
});
