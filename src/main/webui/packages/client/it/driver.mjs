// Drives the built client (dist/index.js) on Node for ClientLibraryIT (src/test/java/io/wagateway/client):
// commands come in on stdin and what the client sees goes out on stdout, one JSON object a line.
//   node driver.mjs <ws url>        token in WAGATEWAY_TOKEN, optional WAGATEWAY_STORAGE_FILE
//   in:  {"id":1,"cmd":"joinGeneral"} | {"id":2,"cmd":"send","to":"...","message":"..."}
//   out: {"type":"state","state":"open"} {"type":"message","seq":7,...} {"type":"resumed",...}
//        {"type":"close","code":1001} {"type":"ok","id":1} {"type":"accepted","id":2,...} {"type":"settled",...}
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { GatewayClient } from '../dist/index.js';

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

// the ws package, reporting each close code so that the test can tell 1001 from a cut
class LoggingWebSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols);
    this.addEventListener('close', (e) => out({ type: 'close', code: e.code }));
  }
}

// WAGATEWAY_STORAGE_FILE: a storage that outlives the process, so that a second driver on the same
// file plays the same page after a reload (writes are synchronous: nothing is lost to a SIGKILL)
const file = process.env.WAGATEWAY_STORAGE_FILE;
const read = () => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {});
const storage = file ? {
  get: (k) => read()[k],
  set: (k, v) => writeFileSync(file, JSON.stringify({ ...read(), [k]: v })),
} : undefined;

const client = new GatewayClient({
  storage,
  url: process.argv[2],
  getToken: async () => process.env.WAGATEWAY_TOKEN,
  WebSocket: LoggingWebSocket,
  // the test's outages last seconds: a 5 s backoff cap keeps it short (the default is 30 s)
  maxDelayMs: Number(process.env.WAGATEWAY_MAX_DELAY_MS ?? 30_000),
});
client.on('state', (state) => out({ type: 'state', state }));
client.on('resumed', (r) => out({ type: 'resumed', ...r }));
client.on('reload', () => out({ type: 'reload' }));
client.on('new_message', (m, frame) => out({ type: 'message', seq: frame.seq, id: m.id, direction: m.direction,
  content: m.content, clientMessageId: m.clientMessageId ?? null }));
client.on('error', (e) => out({ type: 'error', error: String(e?.message ?? e) }));

createInterface({ input: process.stdin }).on('line', async (line) => {
  const c = JSON.parse(line);
  try {
    if (c.cmd === 'joinGeneral') {
      await client.joinGeneral();
      out({ type: 'ok', id: c.id });
    } else if (c.cmd === 'send') {
      const s = client.sendMessage({ to: c.to, message: c.message });
      out({ type: 'queued', id: c.id, clientMessageId: s.clientMessageId });
      s.accepted.then((a) => out({ type: 'accepted', id: c.id, ...a }), (e) => out({ type: 'failed', id: c.id, error: e.code }));
      s.settled.then((a) => out({ type: 'settled', id: c.id, ...a }), (e) => out({ type: 'failed', id: c.id, error: e.code }));
    } else if (c.cmd === 'close') {
      client.close();
      out({ type: 'ok', id: c.id });
      setTimeout(() => process.exit(0), 100);
    }
  } catch (e) {
    out({ type: 'failed', id: c.id, error: e?.code ?? String(e) });
  }
});
client.connect();
