import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayClient, GatewayError, memoryStorage } from '../src/index.js';
import { FakeSocket, connected, flush, inMinutes, jwt, makeClient, msg } from './fake.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

/** Drops the socket and lets the reconnect happen; returns the new socket, open. */
async function reconnect(ws: FakeSocket, code = 1006) {
  ws.drop(code);
  await vi.advanceTimersByTimeAsync(30_000);
  const next = FakeSocket.last;
  expect(next).not.toBe(ws);
  next.open();
  await flush();
  return next;
}

describe('connecting', () => {
  it('carries the token in the two subprotocols and is open with nothing to restore', async () => {
    const { client, ws } = await connected();
    expect(ws.protocols[0]).toBe('bearer-token-carrier');
    expect(decodeURIComponent(ws.protocols[1]!)).toMatch(/^quarkus-http-upgrade#Authorization#Bearer ey/);
    expect(client.state).toBe('open');
    expect(ws.sent).toEqual([]);
  });

  it('is reconnecting from a drop until the next open', async () => {
    const { client, ws } = await connected();
    const states: string[] = [];
    client.on('state', (s) => states.push(s));
    ws.drop(1006);
    expect(client.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(client.state).toBe('reconnecting'); // the new socket is not open yet
    FakeSocket.last.open();
    await flush();
    expect(states).toEqual(['reconnecting', 'open']);
  });
});

describe('reconnect timing', () => {
  it('backs off exponentially with full jitter between 0.5 s and 30 s', async () => {
    let r = 1;
    const { ws } = await connected({ random: () => r });
    const delays: number[] = [];
    let current = ws;
    for (let i = 0; i < 8; i++) {
      current.drop(1006);
      const before = FakeSocket.all.length;
      let waited = 0;
      while (FakeSocket.all.length === before) {
        await vi.advanceTimersByTimeAsync(100);
        waited += 100;
      }
      delays.push(waited);
      current = FakeSocket.last; // never opened: the next drop is a failed attempt
    }
    // random = 1: the ceiling itself, doubling from 1 s, capped at 30 s
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    r = 0; // random = 0: the floor
    current.drop(1006);
    const before = FakeSocket.all.length;
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeSocket.all.length).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all.length).toBe(before + 1);
  });

  it('resets the backoff after a successful open', async () => {
    const { ws } = await connected({ random: () => 1 });
    ws.drop(1006);
    await vi.advanceTimersByTimeAsync(1000);
    FakeSocket.last.drop(1006);
    await vi.advanceTimersByTimeAsync(2000);
    FakeSocket.last.open();
    await flush();
    const n = FakeSocket.all.length;
    FakeSocket.last.drop(1006);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all.length).toBe(n + 1);
  });

  it('reconnects at once on the online event and when the tab becomes visible', async () => {
    const target = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
    vi.stubGlobal('addEventListener', target.addEventListener.bind(target));
    vi.stubGlobal('removeEventListener', target.removeEventListener.bind(target));
    vi.stubGlobal('document', doc);
    try {
      const { ws } = await connected({ random: () => 1, minDelayMs: 20_000 });
      ws.drop(1006);
      await flush();
      const n = FakeSocket.all.length;
      target.dispatchEvent(new Event('online'));
      await flush();
      expect(FakeSocket.all.length).toBe(n + 1);
      FakeSocket.last.drop(1006);
      await flush();
      doc.dispatchEvent(new Event('visibilitychange')); // still hidden: nothing
      await flush();
      expect(FakeSocket.all.length).toBe(n + 1);
      doc.visibilityState = 'visible';
      doc.dispatchEvent(new Event('visibilitychange'));
      await flush();
      expect(FakeSocket.all.length).toBe(n + 2);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('on 1001 reconnects after a random 0 to 2 s, not after the backoff', async () => {
    const { ws } = await connected({ random: () => 0.25, minDelayMs: 10_000 });
    const n = FakeSocket.all.length;
    ws.drop(1001);
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeSocket.all.length).toBe(n);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all.length).toBe(n + 1);
  });

  it('after 4001 connects again only with a token whose exp is in the future', async () => {
    const fresh = jwt(inMinutes(61));
    const tokens = [jwt(inMinutes(60)), jwt(inMinutes(-1)), jwt(inMinutes(-1)), fresh];
    const getToken = vi.fn(async () => tokens.shift()!);
    const { ws } = await connected({ getToken });
    ws.drop(4001);
    await vi.advanceTimersByTimeAsync(1000);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(FakeSocket.all.length).toBe(1); // the expired token was not used
    await vi.advanceTimersByTimeAsync(60_000);
    expect(getToken).toHaveBeenCalledTimes(4);
    expect(FakeSocket.all.length).toBe(2);
    expect(decodeURIComponent(FakeSocket.last.protocols[1]!)).toBe('quarkus-http-upgrade#Authorization#Bearer ' + fresh);
  });

  it('a refused upgrade (1006 before open) with an expired token waits for a fresh one', async () => {
    let exp = inMinutes(-5);
    const getToken = vi.fn(async () => jwt(exp));
    const { client } = makeClient({ getToken });
    client.connect();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all.length).toBe(0); // never upgrades with an expired token: no 1006 loop
    expect(getToken.mock.calls.length).toBeGreaterThan(1);
    exp = inMinutes(60);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(FakeSocket.all.length).toBe(1);
  });

  it('never reconnects after 4403', async () => {
    const { client, ws } = await connected();
    const closed = vi.fn();
    client.on('closed', closed);
    ws.drop(4403, 'disabled');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.all.length).toBe(1);
    expect(client.state).toBe('closed');
    expect(closed).toHaveBeenCalledWith({ code: 4403, reason: 'disabled' }, undefined);
  });

  it('never reconnects after close()', async () => {
    const { client, ws } = await connected();
    client.close();
    expect(ws.closedWith).toBe(1000);
    ws.drop(1000);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.all.length).toBe(1);
    expect(client.state).toBe('closed');
    await expect(client.request('ping', {})).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('resume', () => {
  it('re-joins every room, then resumes from lastSeq; held events come once, in seq order, after the replay', async () => {
    const { client, ws } = await connected();
    const j1 = client.joinGeneral();
    await flush();
    ws.reply('join_general', 'general_joined', { room: 'whatsapp:general' });
    await j1;
    const j2 = client.joinConversation('c1');
    await flush();
    ws.reply('join_conversation', 'joined_conversation', { conversationId: 'c1', room: 'conversation:c1' });
    await j2;
    ws.push(msg(5));
    const seen: number[] = [];
    const frames: any[] = [];
    client.on('new_message', (data, frame) => { seen.push(frame.seq); frames.push({ data, frame }); });
    const resumed = vi.fn();
    client.on('resumed', resumed);

    const next = await reconnect(ws);
    expect(next.events()).toEqual(['join_general', 'join_conversation']); // rooms first, resume after
    next.reply('join_general', 'general_joined', { room: 'whatsapp:general' });
    next.push(msg(9)); // live, before the resume: held
    next.reply('join_conversation', 'joined_conversation', { conversationId: 'c1', room: 'conversation:c1' });
    await flush();
    expect(next.lastOf('resume').data).toEqual({ lastSeq: 5 });
    next.push(msg(6)); // replay
    next.push(msg(7));
    next.push(msg(9)); // the replay repeats the held one
    next.push(msg(8));
    expect(seen).toEqual([]); // nothing before resumed
    next.reply('resume', 'resumed', { recovered: true, replayed: 4, lastSeq: 9 });
    await flush();
    expect(seen).toEqual([6, 7, 8, 9]);
    expect(frames[0].data.content).toBe('text 6');
    expect(resumed).toHaveBeenCalledWith({ recovered: true, replayed: 4, lastSeq: 9 }, undefined);
    next.push(msg(9)); // a late duplicate
    next.push(msg(10));
    expect(seen).toEqual([6, 7, 8, 9, 10]);
    expect(client.lastSeq).toBe(10);
    expect(client.state).toBe('open');
  });

  it('emits resumed also when nothing was replayed', async () => {
    const { client, ws } = await connected();
    ws.push(msg(3));
    const resumed = vi.fn();
    client.on('resumed', resumed);
    const next = await reconnect(ws);
    next.reply('resume', 'resumed', { recovered: true, replayed: 0, lastSeq: 3 });
    await flush();
    expect(resumed).toHaveBeenCalledTimes(1);
    expect(resumed.mock.calls[0]![0]).toEqual({ recovered: true, replayed: 0, lastSeq: 3 });
  });

  it('recovered: false emits reload and starts from the server\'s lastSeq', async () => {
    const { client, ws } = await connected();
    ws.push(msg(3));
    const reload = vi.fn();
    client.on('reload', reload);
    const next = await reconnect(ws);
    next.reply('resume', 'resumed', { recovered: false, replayed: 0, lastSeq: 500 });
    await flush();
    expect(reload).toHaveBeenCalledTimes(1);
    expect(client.lastSeq).toBe(500);
  });

  it('a fresh page starts from the lastSeq of its first join answer', async () => {
    const { client, ws } = await connected();
    const j = client.joinGeneral();
    await flush();
    ws.reply('join_general', 'general_joined', { room: 'whatsapp:general', lastSeq: 41 });
    await j;
    expect(client.lastSeq).toBe(41);
    const next = await reconnect(ws);
    next.reply('join_general', 'general_joined', { room: 'whatsapp:general', lastSeq: 44 });
    await flush();
    expect(next.lastOf('resume').data).toEqual({ lastSeq: 41 });
  });

  it('lastSeq survives a page reload: the new page resumes from it after its first joins', async () => {
    const storage = memoryStorage();
    const first = await connected({ storage });
    first.ws.push(msg(12));
    first.client.close();

    const { client, ws } = await connected({ storage }); // the reloaded page
    expect(client.lastSeq).toBe(12);
    const seen: number[] = [];
    client.on('new_message', (_d, f) => seen.push(f.seq));
    const j = client.joinGeneral();
    await flush();
    ws.push(msg(15)); // live right after the join: held
    ws.reply('join_general', 'general_joined', { room: 'whatsapp:general', lastSeq: 14 });
    await j;
    await flush();
    expect(ws.lastOf('resume').data).toEqual({ lastSeq: 12 });
    ws.push(msg(13));
    ws.push(msg(14));
    ws.push(msg(15));
    ws.reply('resume', 'resumed', { recovered: true, replayed: 3, lastSeq: 15 });
    await flush();
    expect(seen).toEqual([13, 14, 15]);
  });

  it('a reloaded page sends one resume even when another join answers while it runs', async () => {
    const storage = memoryStorage();
    const first = await connected({ storage });
    first.ws.push(msg(12));
    first.client.close();
    const { client, ws } = await connected({ storage });
    const a = client.joinGeneral();
    await flush();
    ws.reply('join_general', 'general_joined', { room: 'g' });
    await a;
    await flush();
    const b = client.joinConversation('c1');
    await flush();
    ws.reply('join_conversation', 'joined_conversation', { conversationId: 'c1', room: 'c' });
    await b;
    await flush();
    expect(ws.events().filter((e) => e === 'resume')).toEqual(['resume']);
  });

  it('without any lastSeq a reconnect cannot resume: it emits reload', async () => {
    const { client, ws } = await connected();
    const reload = vi.fn();
    client.on('reload', reload);
    const next = await reconnect(ws);
    expect(next.events()).toEqual([]);
    expect(reload).toHaveBeenCalledTimes(1);
  });
});

describe('token refresh', () => {
  it('sends authenticate with a fresh token about a minute before exp', async () => {
    const getToken = vi.fn(async () => jwt(inMinutes(10)));
    const { ws } = await connected({ getToken, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(10 * 60_000 - 60_000 - 5000 - 1000);
    expect(ws.lastOf('authenticate')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(ws.lastOf('authenticate').data.token).toMatch(/^ey/);
    ws.reply('authenticate', 'authenticated', { userId: 'alice', tenant: 't', expiresAt: 'x' });
    await flush();
    expect(FakeSocket.all.length).toBe(1);
  });

  it('a failed refresh reconnects with a new token instead of waiting for 4001', async () => {
    const getToken = vi.fn(async () => jwt(inMinutes(10)));
    const { client, ws } = await connected({ getToken, random: () => 0 });
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    const auth = ws.lastOf('authenticate');
    ws.push({ event: 'auth_error', requestId: auth.requestId, data: { success: false, message: 'bad', error: { code: 'unauthorized', message: 'bad' } } });
    await flush();
    expect(ws.closedWith).toBe(4000);
    expect(FakeSocket.all.length).toBe(2);
    expect(getToken).toHaveBeenCalledTimes(3);
    FakeSocket.last.open();
    await flush();
    expect(client.state).toBe('open');
  });
});

describe('sends', () => {
  it('sets a clientMessageId; accepted on message_sent, settled on message_sent_success', async () => {
    const { client, ws } = await connected();
    const s = client.sendMessage({ to: '155', message: 'hi', conversationId: 'c1' });
    expect(s.clientMessageId).toMatch(/^[0-9a-f-]{36}$/);
    await flush();
    const f = ws.lastOf('send_message');
    expect(f.data).toEqual({ to: '155', message: 'hi', conversationId: 'c1', clientMessageId: s.clientMessageId });
    ws.reply('send_message', 'message_sent', { messageId: 'M1', clientMessageId: s.clientMessageId, status: 'pending' });
    await expect(s.accepted).resolves.toMatchObject({ messageId: 'M1' });
    ws.reply('send_message', 'message_sent_success', { messageId: 'M1', waMessageId: 'wamid.1', timestamp: 't' });
    await expect(s.settled).resolves.toMatchObject({ waMessageId: 'wamid.1' });
  });

  it('sends an uploaded media by its id with its caption and file name (PROTOCOL.md 6.4)', async () => {
    const { client, ws } = await connected();
    const s = client.sendMessage({ to: '155', conversationId: 'c1', type: 'document',
      media: { id: 'med-1', caption: 'The invoice', filename: 'invoice.pdf' } });
    await flush();
    expect(ws.lastOf('send_message').data).toEqual({ to: '155', conversationId: 'c1', type: 'document',
      media: { id: 'med-1', caption: 'The invoice', filename: 'invoice.pdf' }, clientMessageId: s.clientMessageId });
  });

  it('settled rejects with message_send_error', async () => {
    const { client, ws } = await connected();
    const s = client.sendMessage({ to: '155', message: 'hi' });
    await flush();
    ws.reply('send_message', 'message_sent', { messageId: 'M1', clientMessageId: s.clientMessageId, status: 'pending' });
    const f = ws.lastOf('send_message');
    ws.push({ event: 'message_send_error', requestId: f.requestId,
      data: { success: false, messageId: 'M1', error: { code: 'whatsapp_error', message: 'no', metaCode: 131026, details: 'd' } } });
    const e = await s.settled.catch((x) => x);
    expect(e).toBeInstanceOf(GatewayError);
    expect(e).toMatchObject({ code: 'whatsapp_error', metaCode: 131026, details: 'd' });
  });

  it('while offline waits in the queue and goes out after the resume, in order, never accepted offline', async () => {
    const { client, ws } = await connected();
    ws.push(msg(1));
    ws.drop(1006);
    const a = client.sendMessage({ to: '155', message: 'one' });
    const b = client.sendMessage({ to: '155', message: 'two' });
    let accepted = false;
    a.accepted.then(() => { accepted = true; });
    await vi.advanceTimersByTimeAsync(100);
    expect(accepted).toBe(false);
    await vi.advanceTimersByTimeAsync(30_000);
    const next = FakeSocket.last;
    next.open();
    await flush();
    expect(next.events()).toEqual(['resume']);
    next.reply('resume', 'resumed', { recovered: true, replayed: 0, lastSeq: 1 });
    await flush();
    expect(next.events()).toEqual(['resume', 'send_message']); // one at a time, in order
    next.reply('send_message', 'message_sent', { messageId: 'M1', clientMessageId: a.clientMessageId, status: 'pending' });
    await flush();
    expect(accepted).toBe(true);
    expect(next.sent.filter((f) => f.event === 'send_message').map((f) => f.data.message)).toEqual(['one', 'two']);
    next.reply('send_message', 'message_sent', { messageId: 'M2', clientMessageId: b.clientMessageId, status: 'pending' });
    await expect(b.accepted).resolves.toMatchObject({ messageId: 'M2' });
  });

  it('a send cut before message_sent goes again with the same clientMessageId, once per connection', async () => {
    const { client, ws } = await connected();
    ws.push(msg(1));
    const s = client.sendMessage({ to: '155', message: 'one' });
    await flush();
    expect(ws.lastOf('send_message').data.clientMessageId).toBe(s.clientMessageId);
    const next = await reconnect(ws);
    next.reply('resume', 'resumed', { recovered: true, replayed: 0, lastSeq: 1 });
    await flush();
    const again = next.sent.filter((f) => f.event === 'send_message');
    expect(again.map((f) => f.data.clientMessageId)).toEqual([s.clientMessageId]);
    next.reply('send_message', 'message_sent', { messageId: 'M1', clientMessageId: s.clientMessageId, status: 'pending' });
    await s.accepted;
    // accepted, then the answer's connection is gone: a durable status update settles it
    const third = await reconnect(next);
    third.reply('resume', 'resumed', { recovered: true, replayed: 0, lastSeq: 1 });
    third.push({ event: 'message_status_update', seq: 2, data: { messageId: 'M1', conversationId: 'c1', status: 'delivered', timestamp: 't' } });
    await expect(s.settled).resolves.toMatchObject({ messageId: 'M1' });
    expect(third.sent.filter((f) => f.event === 'send_message')).toEqual([]); // accepted: never again
  });

  it('a send queued when the page reloads goes out from the new page, with its clientMessageId', async () => {
    const storage = memoryStorage();
    const first = makeClient({ storage });
    const s = first.client.sendMessage({ to: '155', message: 'survive the reload' }); // never connected
    await flush();
    const { ws } = await connected({ storage });
    const sends = ws.sent.filter((f) => f.event === 'send_message');
    expect(sends.map((f) => f.data.clientMessageId)).toEqual([s.clientMessageId]);
    ws.reply('send_message', 'message_sent', { messageId: 'M1', clientMessageId: s.clientMessageId, status: 'pending' });
    await flush();
    expect(await storage.get('wagateway:ws://gw/ws:outbox')).toEqual([]);
  });

  it('a send made before the stored queue is loaded keeps the stored one, first', async () => {
    const storage = memoryStorage();
    const first = makeClient({ storage });
    const old = first.client.sendMessage({ to: '1', message: 'old' });
    await flush();
    const { client } = makeClient({ storage }); // the reloaded page sends at once
    const fresh = client.sendMessage({ to: '1', message: 'new' });
    await flush();
    const stored = (await storage.get('wagateway:ws://gw/ws:outbox')) as any[];
    expect(stored.map((e) => e.clientMessageId)).toEqual([old.clientMessageId, fresh.clientMessageId]);
  });

  it('close() right after connect() opens nothing', async () => {
    const { client } = makeClient();
    client.connect();
    client.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all.length).toBe(0);
  });

  it('a send refused as rate_limited is tried again, not dropped', async () => {
    const { client, ws } = await connected();
    const s = client.sendMessage({ to: '155', message: 'x' });
    await flush();
    ws.push({ event: 'error', requestId: ws.lastOf('send_message').requestId, data: { code: 'rate_limited', message: 'slow' } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(ws.sent.filter((f) => f.event === 'send_message').length).toBe(2);
    ws.reply('send_message', 'message_sent', { messageId: 'M1', clientMessageId: s.clientMessageId, status: 'pending' });
    await expect(s.accepted).resolves.toBeTruthy();
  });
});

describe('requests', () => {
  it('resolves the inner data, with a requestId per request', async () => {
    const { client, ws } = await connected();
    const a = client.request('get_conversations', { limit: 50 });
    const b = client.request('get_agents', {});
    await flush();
    const [fa, fb] = ws.sent;
    expect(fa.requestId).not.toBe(fb.requestId);
    ws.push({ event: 'agents_response', requestId: fb.requestId, data: { success: true, data: [{ agentId: 'x' }] } });
    ws.push({ event: 'conversations_response', requestId: fa.requestId, data: { success: true, data: [{ id: 'c1' }], nextCursor: 'n' } });
    await expect(a).resolves.toEqual([{ id: 'c1' }]);
    await expect(b).resolves.toEqual([{ agentId: 'x' }]);
    const raw = client.request('get_conversations', {}, { raw: true });
    await flush();
    ws.push({ event: 'conversations_response', requestId: ws.sent[2].requestId, data: { success: true, data: [], nextCursor: 'n2' } });
    await expect(raw).resolves.toEqual({ success: true, data: [], nextCursor: 'n2' });
  });

  it('has typed helpers for pages, numbers, templates and closing a conversation (PROTOCOL.md 6.1-6.3)', async () => {
    const { client, ws } = await connected();
    const page = client.page('get_conversations', { limit: 2 });
    await flush();
    ws.push({ event: 'conversations_response', requestId: ws.lastOf('get_conversations').requestId,
      data: { success: true, data: [{ id: 'c1' }], nextCursor: 'n', lastSeq: 7 } });
    await expect(page).resolves.toEqual({ success: true, data: [{ id: 'c1' }], nextCursor: 'n', lastSeq: 7 });
    const numbers = client.getNumbers();
    const templates = client.getTemplates({ phoneNumberId: 'pn' });
    const closed = client.updateConversation('c1', 'closed');
    await flush();
    expect(ws.lastOf('get_numbers').data).toEqual({});
    expect(ws.lastOf('get_templates').data).toEqual({ phoneNumberId: 'pn' });
    expect(ws.lastOf('update_conversation').data).toEqual({ conversationId: 'c1', status: 'closed' });
    ws.reply('get_numbers', 'numbers_response', [{ phoneNumberId: 'pn', default: true }]);
    ws.reply('get_templates', 'templates_response', [{ name: 'hello', language: 'en_US', category: 'UTILITY', components: [] }]);
    ws.reply('update_conversation', 'conversation_updated_response', { conversation: { id: 'c1', status: 'closed' } });
    await expect(numbers).resolves.toEqual([{ phoneNumberId: 'pn', default: true }]);
    await expect(templates).resolves.toMatchObject([{ name: 'hello' }]);
    await expect(closed).resolves.toEqual({ id: 'c1', status: 'closed' });
  });

  it('rejects GatewayError {code, message} for success: false and for error frames', async () => {
    const { client, ws } = await connected();
    const a = client.request('get_messages', { conversationId: 'nope' });
    const b = client.request('get_messages', { conversationId: 'bad' });
    await flush();
    ws.push({ event: 'messages_response', requestId: ws.sent[0].requestId, data: { success: false, error: { code: 'not_found', message: 'no such' } } });
    ws.push({ event: 'error', requestId: ws.sent[1].requestId, data: { code: 'bad_request', message: 'bad' } });
    await expect(a).rejects.toMatchObject({ name: 'GatewayError', code: 'not_found', message: 'no such' });
    await expect(b).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('times out per request, and a timed-out request is never sent later', async () => {
    const { client, ws } = await connected();
    ws.drop(1006);
    const r = client.request('get_agents', {}, { timeoutMs: 1000 });
    const caught = r.catch((e) => e);
    await vi.advanceTimersByTimeAsync(1000);
    expect((await caught).code).toBe('timeout');
    await vi.advanceTimersByTimeAsync(30_000);
    FakeSocket.last.open();
    await flush();
    expect(FakeSocket.last.events()).toEqual([]);
  });

  it('a request made while reconnecting waits for the connection up to its timeout', async () => {
    const { client, ws } = await connected({ random: () => 1 });
    ws.drop(1006);
    const r = client.request('get_agents', {}, { timeoutMs: 5000 });
    await vi.advanceTimersByTimeAsync(1000);
    const next = FakeSocket.last;
    next.open();
    await flush();
    const f = next.lastOf('get_agents');
    expect(f).toBeTruthy();
    next.push({ event: 'agents_response', requestId: f.requestId, data: { success: true, data: [] } });
    await expect(r).resolves.toEqual([]);
  });

  it('an unanswered request is asked again on the next connection', async () => {
    const { client, ws } = await connected();
    const r = client.request('get_agents', {}, { timeoutMs: 60_000 });
    await flush();
    expect(ws.events()).toEqual(['get_agents']);
    const next = await reconnect(ws);
    const f = next.lastOf('get_agents');
    next.push({ event: 'agents_response', requestId: f.requestId, data: { success: true, data: [] } });
    await expect(r).resolves.toEqual([]);
  });

  it('refuses a frame over 64 KiB without sending it (the server would close with 1009)', async () => {
    const { client, ws } = await connected();
    const big = client.request('get_contacts', { search: 'x'.repeat(70_000) });
    await expect(big).rejects.toMatchObject({ code: 'payload_too_large' });
    const s = client.sendMessage({ to: '1', message: 'y'.repeat(70_000) });
    await expect(s.accepted).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(ws.sent).toEqual([]);
    expect(client.state).toBe('open');
  });

  it('sends at most 20 frames a second and queues the rest rather than being refused', async () => {
    const { client, ws } = await connected();
    for (let i = 0; i < 50; i++) client.request('typing_start', { conversationId: 'c' + i }).catch(() => {});
    await flush();
    expect(ws.sent.length).toBe(20);
    await vi.advanceTimersByTimeAsync(500);
    expect(ws.sent.length).toBe(30);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ws.sent.length).toBe(50);
    expect(ws.sent.map((f) => f.data.conversationId)).toEqual([...Array(50).keys()].map((i) => 'c' + i));
  });
});

describe('heartbeat', () => {
  it('pings when idle and replaces a connection that received nothing for 70 s', async () => {
    const { ws } = await connected({ random: () => 0 });
    ws.autoPong = false;
    await vi.advanceTimersByTimeAsync(25_000);
    expect(ws.sent.map((f) => f.event)).toEqual(['ping']);
    ws.reply('ping', 'pong', { timestamp: 't' }); // alive: the 70 s start again
    await vi.advanceTimersByTimeAsync(69_000);
    expect(FakeSocket.all.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ws.closedWith).toBe(4000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all.length).toBe(2);
  });

  it('any frame keeps the connection alive', async () => {
    const { ws } = await connected();
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(60_000);
      ws.push({ event: 'user_online', data: { userId: 'u', timestamp: 't' } });
    }
    expect(FakeSocket.all.length).toBe(1);
  });
});

describe('rooms', () => {
  it('joins are counted: join, leave, join at once (StrictMode) sends one join and no leave', async () => {
    const { client, ws } = await connected();
    client.joinConversation('c1').catch(() => {});
    client.leaveConversation('c1');
    client.joinConversation('c1');
    await vi.advanceTimersByTimeAsync(100);
    expect(ws.events()).toEqual(['join_conversation']);
    client.leaveConversation('c1');
    await vi.advanceTimersByTimeAsync(100);
    expect(ws.events()).toEqual(['join_conversation', 'leave_conversation']);
  });

  it('remembers joinCustomer and re-joins it after every reconnect; a left room is not re-joined', async () => {
    const { client, ws } = await connected();
    client.joinCustomer('k1').catch(() => {});
    client.joinConversation('c9').catch(() => {});
    await flush();
    client.leaveConversation('c9').catch(() => {});
    await vi.advanceTimersByTimeAsync(10);
    ws.push(msg(1));
    let next = await reconnect(ws);
    expect(next.sent.filter((f) => f.event.startsWith('join')).map((f) => f.data)).toEqual([{ customerId: 'k1' }]);
    next.reply('join_customer', 'customer_joined', { customerId: 'k1', room: 'r' });
    await flush();
    next.reply('resume', 'resumed', { recovered: true, replayed: 0, lastSeq: 1 });
    next = await reconnect(next);
    expect(next.events()).toEqual(['join_customer']);
  });
});

describe('events', () => {
  it('calls on(event) handlers with (data, frame) and off() removes them', async () => {
    const { client, ws } = await connected();
    const h = vi.fn();
    const off = client.on('user_typing', h);
    const frame = { event: 'user_typing', data: { userId: 'u', conversationId: 'c', timestamp: 't' } };
    ws.push(frame);
    expect(h).toHaveBeenCalledWith(frame.data, frame);
    off();
    ws.push(frame);
    expect(h).toHaveBeenCalledTimes(1);
  });

  it('a throwing handler does not break the client', async () => {
    const { client, ws } = await connected();
    client.on('new_message', () => { throw new Error('app bug'); });
    const good = vi.fn();
    client.on('new_message', good);
    const errors: unknown[] = [];
    const q = globalThis.queueMicrotask;
    vi.stubGlobal('queueMicrotask', (f: () => void) => q(() => { try { f(); } catch (e) { errors.push(e); } }));
    ws.push(msg(1));
    await flush();
    vi.unstubAllGlobals();
    expect(good).toHaveBeenCalledTimes(1);
    expect(errors.length).toBe(1);
    expect(client.lastSeq).toBe(1);
  });
});

it('needs a WebSocket on Node', () => {
  expect(() => new GatewayClient({ url: 'ws://x', getToken: () => 't' })).toThrow(/WebSocket/);
});

it('makes a v4 clientMessageId also where crypto.randomUUID is missing (insecure contexts)', async () => {
  const { client } = makeClient();
  const original = crypto.randomUUID;
  Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
  try {
    const ids = new Set([...Array(50)].map(() => client.sendMessage({ to: '1', message: 'x' }).clientMessageId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  } finally {
    Object.defineProperty(crypto, 'randomUUID', { value: original, configurable: true });
  }
});
