// A scripted WebSocket: the test plays the server. Frames the client sends are parsed into `sent`.
import { vi } from 'vitest';
import { GatewayClient, memoryStorage, type GatewayClientOptions } from '../src/index.js';

export class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: any[] = [];
  closedWith?: number;
  /** Answers app-level pings like the server does; off to play a dead connection. */
  autoPong = true;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(public url: string, public protocols: string[]) {
    FakeSocket.all.push(this);
  }
  static get last() { return FakeSocket.all[FakeSocket.all.length - 1]!; }
  send(text: string) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    const f = JSON.parse(text);
    this.sent.push(f);
    if (f.event === 'ping' && this.autoPong) {
      queueMicrotask(() => this.push({ event: 'pong', requestId: f.requestId, data: { success: true, data: { timestamp: 't' } } }));
    }
  }
  close(code?: number) { this.closedWith = code; this.readyState = 3; }
  // the server's side
  open() { this.readyState = 1; this.onopen?.({}); }
  push(frame: object) { this.onmessage?.({ data: JSON.stringify(frame) }); }
  drop(code = 1006, reason = '') { this.readyState = 3; this.onclose?.({ code, reason }); }
  /** What the client sent, its heartbeat pings left out. */
  events() { return this.sent.filter((f) => f.event !== 'ping').map((f) => f.event); }
  lastOf(event: string) { return [...this.sent].reverse().find((f) => f.event === event); }
  /** Answers the newest unanswered `request` with `answer` and inner `data`. */
  reply(request: string, answer: string, data: unknown = {}, extra: object = {}) {
    const f = this.lastOf(request);
    if (!f) throw new Error('no ' + request + ' in ' + JSON.stringify(this.events()));
    this.push({ event: answer, requestId: f.requestId, data: { success: true, data }, ...extra });
  }
}

export function jwt(expSeconds: number) {
  const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${b64({ alg: 'RS256' })}.${b64({ sub: 'alice', tenant: 't', exp: expSeconds })}.sig`;
}
export const inMinutes = (m: number) => Math.floor(Date.now() / 1000) + m * 60;

export const flush = () => vi.advanceTimersByTimeAsync(0);

export function makeClient(extra: Partial<GatewayClientOptions> = {}) {
  const getToken = vi.fn(async () => jwt(inMinutes(60)));
  const client = new GatewayClient({
    url: 'ws://gw/ws', getToken, WebSocket: FakeSocket as any, storage: memoryStorage(), random: () => 0.5, ...extra,
  });
  return { client, getToken: (extra.getToken as typeof getToken) ?? getToken };
}

/** Connects and opens the first socket (a fresh page: nothing to restore). */
export async function connected(extra: Partial<GatewayClientOptions> = {}) {
  const made = makeClient(extra);
  made.client.connect();
  await flush();
  FakeSocket.last.open();
  await flush();
  return { ...made, ws: FakeSocket.last };
}

export const msg = (seq: number, id = 'm' + seq) => ({
  event: 'new_message', seq, data: { id, conversationId: 'c1', content: 'text ' + seq },
});
