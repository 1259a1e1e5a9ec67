import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '@wagateway/client';
import { ConversationStore, Thread, forwardStatus, matches, type ListFilter } from '../src/store.js';

const conv = (id: string, at: string, extra: Partial<Conversation> = {}): Conversation => ({
  id, contact: { id: 'k' + id, waId: '1555000' + id, name: 'Name ' + id }, businessNumber: '15550001111',
  phoneNumberId: 'pn', status: 'open', unreadCount: 0, windowOpen: true, updatedAt: at,
  lastMessage: msg('m' + id, at, { conversationId: id }), ...extra,
});
const msg = (id: string, timestamp: string, extra: Partial<Message> = {}): Message => ({
  id, conversationId: 'c', direction: 'inbound', isOutgoing: false, from: '1', to: '2', type: 'text', content: id,
  status: 'received', timestamp, ...extra,
});
const out = (id: string, timestamp: string, extra: Partial<Message> = {}) =>
  msg(id, timestamp, { direction: 'outbound', isOutgoing: true, status: 'pending', ...extra });

describe('statuses', () => {
  it('only move forward, and failed is final', () => {
    expect(forwardStatus('pending', 'sent')).toBe('sent');
    expect(forwardStatus('read', 'delivered')).toBe('read');
    expect(forwardStatus('sent', 'failed')).toBe('failed');
    expect(forwardStatus('failed', 'read')).toBe('failed');
    expect(forwardStatus('delivered', 'failed')).toBe('delivered');
  });
});

describe('the conversation list', () => {
  it('orders by newest activity, then id, and reorders live', () => {
    const s = new ConversationStore();
    s.upsert(conv('1', '2026-01-01T10:00:00Z'));
    s.upsert(conv('2', '2026-01-01T11:00:00Z'));
    s.upsert(conv('3', '2026-01-01T11:00:00Z'));
    expect(s.all().map((c) => c.id)).toEqual(['3', '2', '1']);
    s.touch(msg('new', '2026-01-01T12:00:00Z', { conversationId: '1' }));
    expect(s.all().map((c) => c.id)).toEqual(['1', '3', '2']);
  });

  it('keeps the newer version when an older snapshot arrives late', () => {
    const s = new ConversationStore();
    s.upsert(conv('1', '2026-01-01T10:00:05Z', { unreadCount: 2 }));
    expect(s.upsert(conv('1', '2026-01-01T10:00:01Z', { unreadCount: 1 }))).toBe(false);
    expect(s.get('1')!.unreadCount).toBe(2);
  });

  it('does not move a conversation for an old message (a late webhook)', () => {
    const s = new ConversationStore();
    s.upsert(conv('1', '2026-01-01T10:00:00Z'));
    s.upsert(conv('2', '2026-01-01T11:00:00Z'));
    expect(s.touch(msg('old', '2026-01-01T09:00:00Z', { conversationId: '1' }))).toBe(false);
    expect(s.all().map((c) => c.id)).toEqual(['2', '1']);
  });

  it('shows a status update of the last message in the list', () => {
    const s = new ConversationStore();
    s.upsert(conv('1', '2026-01-01T10:00:00Z', { lastMessage: out('m1', '2026-01-01T10:00:00Z', { conversationId: '1' }) }));
    expect(s.all()[0]!.lastMessage!.status).toBe('pending');
    expect(s.status('1', 'm1', 'read')).toBe(true);
    expect(s.all()[0]!.lastMessage!.status).toBe('read');
  });

  it('counts unread messages over every conversation', () => {
    const s = new ConversationStore();
    s.upsert(conv('1', 't1', { unreadCount: 2 }));
    s.upsert(conv('2', 't2', { unreadCount: 3 }));
    s.upsert(conv('3', 't3'));
    expect(s.unreadTotal()).toBe(5);
    s.patch('2', { unreadCount: 0 });
    expect(s.unreadTotal()).toBe(2);
  });

  it('filters by assignment, status, number and search (name or digits)', () => {
    const f = (x: Partial<ListFilter>): ListFilter => ({ assign: 'all', status: 'open', search: '', ...x });
    const mine = conv('1', 't', { assignee: 'me' });
    const free = conv('2', 't', { contact: { id: 'k', waId: '4915112345', name: 'Zoë Example' } });
    const closed = conv('3', 't', { status: 'closed' });
    expect(matches(mine, f({ assign: 'mine' }), 'me')).toBe(true);
    expect(matches(free, f({ assign: 'mine' }), 'me')).toBe(false);
    expect(matches(free, f({ assign: 'unassigned' }), 'me')).toBe(true);
    expect(matches(mine, f({ assign: 'unassigned' }), 'me')).toBe(false);
    expect(matches(closed, f({}), 'me')).toBe(false);
    expect(matches(closed, f({ status: 'closed' }), 'me')).toBe(true);
    expect(matches(free, f({ search: 'zoë' }), 'me')).toBe(true);
    expect(matches(free, f({ search: '+49 151' }), 'me')).toBe(true);
    expect(matches(free, f({ search: 'carla' }), 'me')).toBe(false);
    expect(matches(free, f({ search: 'Zoë 1' }), 'me')).toBe(false); // a name with a digit is not a number
    expect(matches(free, f({ phoneNumberId: 'other' }), 'me')).toBe(false);
  });
});

describe('a thread', () => {
  it('is chronological, whatever order the messages come in', () => {
    const t = new Thread();
    t.merge(msg('b', '2026-01-01T10:00:02Z'));
    t.merge(msg('a', '2026-01-01T10:00:01Z'));
    t.merge(msg('c', '2026-01-01T10:00:03Z'));
    t.merge(msg('b', '2026-01-01T10:00:02Z')); // a replay: once
    expect(t.messages.map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('keeps messages of the same second in the order they arrived (seq order)', () => {
    const t = new Thread();
    for (const id of ['z', 'a', 'm']) t.merge(msg(id, '2026-01-01T10:00:00Z'));
    expect(t.messages.map((m) => m.id)).toEqual(['z', 'a', 'm']);
  });

  it('shows a send at once as pending and reconciles it by clientMessageId, in either order', () => {
    for (const order of ['accepted first', 'new_message first']) {
      const t = new Thread();
      t.merge(msg('in', '2026-01-01T10:00:00Z'));
      t.merge({ ...out('local:x', '2026-01-01T10:00:09Z', { clientMessageId: 'x' }), local: true });
      expect(t.messages.map((m) => m.status)).toEqual(['received', 'pending']);
      const server = out('m1', '2026-01-01T10:00:05Z', { clientMessageId: 'x' });
      if (order === 'accepted first') { t.accepted('x', 'm1'); t.merge(server); } else { t.merge(server); t.accepted('x', 'm1'); }
      expect(t.messages.map((m) => m.id)).toEqual(['in', 'm1']);
      expect(t.get('local:x')).toBeUndefined();
      t.status('m1', 'sent');
      t.status('m1', 'read');
      t.status('m1', 'delivered'); // late: no step back
      expect(t.get('m1')!.status).toBe('read');
    }
  });

  it('keeps a status that overtakes its message', () => {
    const t = new Thread();
    t.merge({ ...out('local:y', 't9', { clientMessageId: 'y' }), local: true });
    expect(t.status('m2', 'delivered')).toBe(false);
    t.accepted('y', 'm2');
    expect(t.get('m2')!.status).toBe('delivered');
  });

  it('keeps local (unsent) messages after the server\'s', () => {
    const t = new Thread();
    t.merge({ ...out('local:z', '2026-01-01T10:00:00Z', { clientMessageId: 'z' }), local: true });
    t.merge(msg('in', '2026-01-01T10:00:01Z'));
    expect(t.messages.map((m) => m.id)).toEqual(['in', 'local:z']);
  });

  it('marks a refused send failed with the error, and a failed status with Meta\'s', () => {
    const t = new Thread();
    t.merge({ ...out('local:f', 't', { clientMessageId: 'f' }), local: true });
    t.fail('f', { code: 'outside_window', message: 'The 24-hour window is closed' });
    expect(t.messages[0]!.status).toBe('failed');
    expect(t.messages[0]!.errorText).toContain('24-hour window');
    t.merge(out('m3', 't2'));
    t.status('m3', 'failed', { code: 'whatsapp_error', message: 'Re-engagement message', metaCode: 131047 });
    expect(t.get('m3')!.errorText).toBe('Re-engagement message (Meta code 131047)');
  });

  it('attaches reactions to their message, also when the reaction comes first', () => {
    const t = new Thread();
    t.merge(msg('r1', 't2', { type: 'reaction', reaction: { messageId: 'wamid.1', emoji: '👍' } }));
    t.merge(out('m1', 't1', { waMessageId: 'wamid.1', status: 'sent' }));
    expect(t.get('m1')!.reactions).toEqual({ customer: '👍' });
    expect(t.messages.map((m) => m.id)).toEqual(['m1']);
  });

  it('finds the customer\'s newest message for message_read', () => {
    const t = new Thread();
    t.merge(msg('a', 't1'));
    t.merge(msg('b', 't2'));
    t.merge(out('c', 't3'));
    expect(t.newestInbound()!.id).toBe('b');
  });
});
