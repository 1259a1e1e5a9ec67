// Lays out what the gateway serves (Quinoa's build-dir, `dist`): the inbox app (apps/inbox) at /
// (index.html, /assets/*, /favicon.svg) and the client's browser bundle at /client/wagateway-client.js.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
rmSync(root + 'dist', { recursive: true, force: true });
mkdirSync(root + 'dist/client', { recursive: true });
if (!existsSync(root + 'apps/inbox/dist/index.html')) throw new Error('apps/inbox was not built');
cpSync(root + 'apps/inbox/dist', root + 'dist', { recursive: true });
cpSync(root + 'packages/client/dist/wagateway-client.js', root + 'dist/client/wagateway-client.js');
