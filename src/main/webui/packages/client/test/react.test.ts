// @vitest-environment happy-dom
// The React bindings under StrictMode, which mounts, unmounts and mounts every effect once more in
// development: the counted joins must leave the server with one join and no leave.
import { StrictMode, createElement, act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { GatewayProvider, useConversation, useConversations } from '../src/react.js';
import { FakeSocket, connected, flush } from './fake.js';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => vi.useRealTimers());

it('useConversation under StrictMode joins once, never leaves while mounted, and leaves once on unmount', async () => {
  const { client, ws } = await connected();
  let seen: any = null;
  function Thread() {
    seen = useConversation('c1');
    return null;
  }
  const root = createRoot(document.createElement('div'));
  await act(async () => {
    root.render(createElement(StrictMode, null, createElement(GatewayProvider, { client }, createElement(Thread))));
  });
  await act(() => vi.advanceTimersByTimeAsync(10));
  expect(ws.events().filter((e) => e.endsWith('_conversation'))).toEqual(['join_conversation']);
  // the messages load (StrictMode asked twice; the answer of the live effect is the one kept)
  for (const f of ws.sent.filter((x) => x.event === 'get_messages')) {
    ws.push({ event: 'messages_response', requestId: f.requestId, data: { success: true, data: [{ id: 'm1', conversationId: 'c1' }] } });
  }
  await act(() => flush());
  expect(seen.data.map((m: any) => m.id)).toEqual(['m1']);
  await act(async () => {
    ws.push({ event: 'new_message', seq: 3, data: { id: 'm2', conversationId: 'c1' } });
    ws.push({ event: 'new_message', seq: 4, data: { id: 'x', conversationId: 'other' } });
  });
  expect(seen.data.map((m: any) => m.id)).toEqual(['m1', 'm2']);
  // a media that was pending is available now: message_updated replaces the message of the same id, in place
  await act(async () => {
    ws.push({ event: 'message_updated', seq: 5, data: { id: 'm1', conversationId: 'c1', type: 'image',
      media: { id: 'md1', mimeType: 'image/jpeg', status: 'available', url: '/api/media/md1?sig=s' } } });
  });
  expect(seen.data.map((m: any) => m.id)).toEqual(['m1', 'm2']);
  expect(seen.data[0].media).toMatchObject({ status: 'available', url: '/api/media/md1?sig=s' });
  await act(async () => root.unmount());
  await act(() => vi.advanceTimersByTimeAsync(10));
  expect(ws.events().filter((e) => e.endsWith('_conversation'))).toEqual(['join_conversation', 'leave_conversation']);
});

it('useConversations keeps the list current with conversation_updated', async () => {
  const { client, ws } = await connected();
  let seen: any = null;
  function List() {
    seen = useConversations({ status: 'open' });
    return null;
  }
  const root = createRoot(document.createElement('div'));
  await act(async () => {
    root.render(createElement(StrictMode, null, createElement(GatewayProvider, { client }, createElement(List))));
  });
  await act(() => vi.advanceTimersByTimeAsync(10));
  expect(ws.events().filter((e) => e === 'join_general')).toEqual(['join_general']);
  for (const f of ws.sent.filter((x) => x.event === 'get_conversations')) {
    ws.push({ event: 'conversations_response', requestId: f.requestId, data: { success: true, data: [{ id: 'a', status: 'open' }] } });
  }
  await act(() => flush());
  await act(async () => {
    ws.push({ event: 'conversation_updated', seq: 5, data: { id: 'b', status: 'open' } });
    ws.push({ event: 'conversation_updated', seq: 6, data: { id: 'a', status: 'closed' } });
  });
  expect(seen.data.map((c: any) => c.id)).toEqual(['b']);
  await act(async () => root.unmount());
});
