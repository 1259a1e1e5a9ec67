// Lays out what the gateway serves (Quinoa's build-dir, `dist`): the client's browser bundle at
// /client/wagateway-client.js. The inbox app (apps/inbox) will add its own files here.
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
rmSync(root + 'dist', { recursive: true, force: true });
mkdirSync(root + 'dist/client', { recursive: true });
cpSync(root + 'packages/client/dist/wagateway-client.js', root + 'dist/client/wagateway-client.js');
