// Bundles the entry for pages without a build step (dist/wagateway-client.js, served by the gateway
// at /client/wagateway-client.js), and fails the build when the minified, gzipped entry with all it
// imports is over the budget (6 kB = 6,144 bytes).
// --dev (Quarkus dev mode): writes only the served copy in the workspace's dist/, which Quinoa does
// not watch; writing the package's own dist/ there would restart dev mode in a loop.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';

const BUDGET = 6144;
const here = new URL('..', import.meta.url).pathname;
const result = await build({
  entryPoints: [here + 'src/index.ts'], bundle: true, minify: true, format: 'esm', target: 'es2022',
  write: false, legalComments: 'none',
});
const code = result.outputFiles[0].contents;
const gz = gzipSync(code, { level: 9 }).length;
const line = `@wagateway/client: ${code.length} bytes minified, ${gz} bytes min+gzip (budget ${BUDGET})`;
if (process.argv.includes('--dev')) {
  mkdirSync(here + '../../dist/client', { recursive: true });
  writeFileSync(here + '../../dist/client/wagateway-client.js', code);
} else {
  writeFileSync(here + 'dist/wagateway-client.js', code);
  writeFileSync(here + 'dist/size.txt', line + '\n');
}
console.log(line);
if (gz > BUDGET) {
  console.error('over the size budget');
  process.exit(1);
}
