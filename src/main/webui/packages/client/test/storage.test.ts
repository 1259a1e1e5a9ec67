// The browser default: IndexedDB (here fake-indexeddb, a complete in-memory implementation),
// surviving a "reload" (a new client on the same database), and the fallback when it is missing.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, expect, it, vi } from 'vitest';
import { GatewayClient, indexedDbStorage, memoryStorage } from '../src/index.js';
import { FakeSocket, jwt, inMinutes } from './fake.js';

afterEach(() => vi.unstubAllGlobals());

it('indexedDbStorage keeps values across instances (a page reload)', async () => {
  vi.stubGlobal('indexedDB', new IDBFactory());
  const a = indexedDbStorage('wg-test');
  await a.set('k', { lastSeq: 7, outbox: [{ clientMessageId: 'x' }] });
  const b = indexedDbStorage('wg-test');
  expect(await b.get('k')).toEqual({ lastSeq: 7, outbox: [{ clientMessageId: 'x' }] });
  expect(await b.get('missing')).toBeUndefined();
});

it('falls back to memory when IndexedDB cannot be opened', async () => {
  vi.stubGlobal('indexedDB', { open: () => { throw new Error('private mode'); } });
  const s = indexedDbStorage();
  await s.set('k', 1);
  expect(await s.get('k')).toBe(1);
});

it('the client uses IndexedDB by default: lastSeq and a queued send survive a reload', async () => {
  vi.stubGlobal('indexedDB', new IDBFactory());
  FakeSocket.all = [];
  const options = { url: 'ws://gw/ws', getToken: async () => jwt(inMinutes(60)), WebSocket: FakeSocket as any };
  const first = new GatewayClient(options);
  first.connect();
  await vi.waitFor(() => expect(FakeSocket.all.length).toBe(1));
  FakeSocket.last.open();
  await vi.waitFor(() => expect(first.state).toBe('open'));
  FakeSocket.last.push({ event: 'new_message', seq: 33, data: { id: 'm' } });
  first.close();
  const queued = first.sendMessage({ to: '1', message: 'queued before the reload' });
  await new Promise((r) => setTimeout(r, 50)); // the writes land

  const second = new GatewayClient(options); // the reloaded page
  second.connect();
  await vi.waitFor(() => expect(FakeSocket.all.length).toBe(2));
  expect(second.lastSeq).toBe(33);
  FakeSocket.last.open();
  await vi.waitFor(() => expect(FakeSocket.last.sent.map((f) => f.event)).toContain('send_message'));
  expect(FakeSocket.last.lastOf('send_message').data.clientMessageId).toBe(queued.clientMessageId);
});

it('memoryStorage is per instance', async () => {
  const a = memoryStorage();
  await a.set('k', 1);
  expect(await memoryStorage().get('k')).toBeUndefined();
});
