// The inbox's pure state logic: conversation ordering and filtering, message reconciliation,
// forward-only statuses, unread counting. No DOM, no socket: unit-tested in test/store.test.ts.
import type { Conversation, Message, MessageStatus } from '@wagateway/client';

/** A message as the page shows it: the server's, or a local one made at once by a send (id `local:<clientMessageId>`). */
export interface Msg extends Message {
  local?: boolean;
  /** Meta's or the gateway's error of a failed send, as text. */
  errorText?: string;
  /** Reactions to this message (from reaction messages), by who: emoji. */
  reactions?: Record<string, string>;
}

const RANK: Record<string, number> = { pending: 0, sent: 1, delivered: 2, read: 3, played: 4 };

/** Status only moves forward (pending < sent < delivered < read < played); failed is final. */
export function forwardStatus(current: MessageStatus, next: MessageStatus): MessageStatus {
  if (current === 'failed' || current === next) return current;
  if (next === 'failed') return current === 'read' || current === 'played' || current === 'delivered' ? current : 'failed';
  if (current === 'received' || next === 'received') return current;
  return (RANK[next] ?? -1) > (RANK[current] ?? -1) ? next : current;
}

/** The time a conversation sorts by: its newest message (PROTOCOL.md 6.2), else its last change. */
export function activityTime(c: Conversation): string {
  return c.lastMessage?.timestamp ?? c.updatedAt ?? '';
}

/** Newest activity first, then by id (as get_conversations orders). */
export function compareConversations(a: Conversation, b: Conversation): number {
  const ta = activityTime(a);
  const tb = activityTime(b);
  if (ta !== tb) return ta < tb ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export type AssignFilter = 'mine' | 'unassigned' | 'all';
export interface ListFilter {
  assign: AssignFilter;
  status: 'open' | 'closed';
  search: string;
  phoneNumberId?: string;
}

export const displayName = (c: Conversation) => c.contact.name?.trim() || '+' + c.contact.waId;

export function matches(c: Conversation, f: ListFilter, me: string): boolean {
  if (c.status !== f.status) return false;
  if (f.assign === 'mine' && c.assignee !== me) return false;
  if (f.assign === 'unassigned' && c.assignee) return false;
  if (f.phoneNumberId && c.phoneNumberId !== f.phoneNumberId) return false;
  const q = f.search.trim().toLowerCase();
  if (q) {
    // a number when it looks like one ("+49 151-23"), else a name
    const digits = /^[\d\s+()./-]+$/.test(q) ? q.replace(/[^0-9]/g, '') : '';
    const byName = (c.contact.name ?? '').toLowerCase().includes(q);
    const byNumber = digits.length > 0 && c.contact.waId.includes(digits);
    if (!byName && !byNumber) return false;
  }
  return true;
}

/**
 * The conversations by id, with the sorted order computed lazily: an update marks it dirty, the
 * next read sorts once (50 updates a second cost one sort a frame, not fifty).
 */
export class ConversationStore {
  private byId = new Map<string, Conversation>();
  private sorted: Conversation[] = [];
  private dirty = false;

  get size() { return this.byId.size; }
  get(id: string) { return this.byId.get(id); }

  /** Keeps the newer of the two versions (a replayed or late update never moves one back). */
  upsert(c: Conversation) {
    const old = this.byId.get(c.id);
    if (old && old.updatedAt && c.updatedAt && c.updatedAt < old.updatedAt) {
      // an older snapshot: keep ours, but a newer lastMessage status may still be in it
      return false;
    }
    const merged = old?.lastMessage && c.lastMessage && old.lastMessage.id === c.lastMessage.id
      ? { ...c, lastMessage: { ...c.lastMessage, status: forwardStatus(old.lastMessage.status, c.lastMessage.status) } }
      : c;
    this.byId.set(c.id, merged);
    this.dirty = true;
    return true;
  }

  /** A message of a conversation we know: its preview and order change at once, before conversation_updated. */
  touch(m: Message) {
    const c = this.byId.get(m.conversationId);
    if (!c) return false;
    const last = c.lastMessage;
    if (last && last.id !== m.id && last.timestamp > m.timestamp) return false;
    const status = last && last.id === m.id ? forwardStatus(last.status, m.status) : m.status;
    this.byId.set(c.id, { ...c, lastMessage: { ...m, status } });
    this.dirty = true;
    return true;
  }

  status(conversationId: string, messageId: string, status: MessageStatus) {
    const c = this.byId.get(conversationId);
    if (!c?.lastMessage || c.lastMessage.id !== messageId) return false;
    const next = forwardStatus(c.lastMessage.status, status);
    if (next === c.lastMessage.status) return false;
    this.byId.set(c.id, { ...c, lastMessage: { ...c.lastMessage, status: next } });
    this.dirty = true;
    return true;
  }

  /** Every read after a change sees the new objects (rows re-render on identity). */
  patch(id: string, change: Partial<Conversation>) {
    const c = this.byId.get(id);
    if (!c) return;
    this.byId.set(id, { ...c, ...change });
    this.dirty = true;
  }

  all(): Conversation[] {
    if (this.dirty || this.sorted.length !== this.byId.size) {
      this.sorted = [...this.byId.values()].sort(compareConversations);
      this.dirty = false;
    }
    return this.sorted;
  }

  filtered(f: ListFilter, me: string) {
    return this.all().filter((c) => matches(c, f, me));
  }

  /** The tab title's count: unread messages over every conversation. */
  unreadTotal() {
    let n = 0;
    for (const c of this.byId.values()) n += c.unreadCount || 0;
    return n;
  }
}

/** One conversation's messages, chronological, with optimistic sends reconciled by clientMessageId. */
export class Thread {
  messages: Msg[] = [];
  /** `before` for the older page; null when the oldest message is loaded. */
  nextCursor: string | null | undefined = undefined;
  loaded = false;
  private byId = new Map<string, Msg>();
  private byClientId = new Map<string, Msg>();
  /** Statuses that came before their message (a status update can overtake the answer). */
  private early = new Map<string, { status: MessageStatus; error?: unknown }>();
  /** Reactions whose target message is not loaded (yet). */
  private orphanReactions: Msg[] = [];

  get(id: string) { return this.byId.get(id); }

  /** Adds or merges a message; returns true if anything changed. */
  merge(m: Msg): boolean {
    if (m.type === 'reaction' && m.reaction) return this.react(m);
    const known = this.byId.get(m.id) ?? (m.clientMessageId ? this.byClientId.get(m.clientMessageId) : undefined);
    const early = this.early.get(m.id);
    if (early) this.early.delete(m.id);
    if (known) {
      const status = forwardStatus(forwardStatus(known.status, m.status), early?.status ?? m.status);
      const wasLocal = known.local;
      const next: Msg = { ...known, ...m, status, local: m.local ?? false, reactions: known.reactions,
        errorText: status === 'failed' ? known.errorText ?? errorText(m.error ?? early?.error) : undefined };
      if (wasLocal && !m.local) {
        this.byId.delete(known.id);
        // an own photo shown from the file until the gateway's message came with the gateway's URL
        const shown = known.media?.url;
        if (shown?.startsWith('blob:') && next.media?.url !== shown) URL.revokeObjectURL(shown);
      }
      this.replace(known, next);
      return true;
    }
    const status = early ? forwardStatus(m.status, early.status) : m.status;
    const entry: Msg = { ...m, status, errorText: status === 'failed' ? errorText(m.error ?? early?.error) : undefined };
    this.index(entry);
    this.insert(entry);
    this.adoptReactions(entry);
    return true;
  }

  /** Older messages from get_messages (chronological), placed before what is shown. */
  prepend(page: Msg[]) {
    for (const m of page) this.merge(m);
  }

  /** `message_sent`: the local message gets its server id. */
  accepted(clientMessageId: string, messageId: string) {
    const m = this.byClientId.get(clientMessageId);
    if (!m || m.id === messageId) return false;
    const early = this.early.get(messageId);
    this.early.delete(messageId);
    const status = early ? forwardStatus(m.status, early.status) : m.status;
    this.byId.delete(m.id);
    this.replace(m, { ...m, id: messageId, status, errorText: status === 'failed' ? errorText(early?.error) : m.errorText });
    return true;
  }

  status(messageId: string, status: MessageStatus, error?: unknown): boolean {
    const m = this.byId.get(messageId);
    if (!m) {
      const e = this.early.get(messageId);
      this.early.set(messageId, { status: e ? forwardStatus(e.status, status) : status, error: error ?? e?.error });
      return false;
    }
    const next = forwardStatus(m.status, status);
    if (next === m.status) return false;
    this.replace(m, { ...m, status: next, errorText: next === 'failed' ? errorText(error) : undefined });
    return true;
  }

  /** A send refused before (or after) it was stored. */
  fail(clientMessageId: string, error: unknown) {
    const m = this.byClientId.get(clientMessageId);
    if (!m) return false;
    this.replace(m, { ...m, status: 'failed', errorText: errorText(error) });
    return true;
  }

  remove(id: string) {
    const m = this.byId.get(id);
    if (!m) return;
    this.byId.delete(id);
    if (m.clientMessageId) this.byClientId.delete(m.clientMessageId);
    this.messages = this.messages.filter((x) => x !== m);
  }

  /** The newest message from the customer (what message_read marks). */
  newestInbound(): Msg | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i]!;
      if (m.direction === 'inbound') return m;
    }
    return undefined;
  }

  private index(m: Msg) {
    this.byId.set(m.id, m);
    if (m.clientMessageId) this.byClientId.set(m.clientMessageId, m);
  }

  private replace(old: Msg, next: Msg) {
    this.index(next);
    const i = this.messages.lastIndexOf(old);
    if (i < 0) return this.insert(next);
    if (old.timestamp === next.timestamp || next.local) {
      this.messages = this.messages.slice();
      this.messages[i] = next;
    } else { // the server's timestamp differs from the optimistic one: move it to its place
      this.messages = this.messages.filter((_, j) => j !== i);
      this.insert(next);
    }
  }

  /**
   * Chronological by timestamp; messages of the same timestamp (Meta's are whole seconds) in the
   * order they arrived, which is seq order; local (unsent) messages stay at the end.
   */
  private insert(m: Msg) {
    const list = this.messages.slice();
    let i = list.length;
    if (!m.local) {
      while (i > 0) {
        const prev = list[i - 1]!;
        if (prev.local || prev.timestamp > m.timestamp) i--;
        else break;
      }
    }
    list.splice(i, 0, m);
    this.messages = list;
  }

  private react(r: Msg) {
    const target = this.findTarget(r.reaction!.messageId);
    if (!target) {
      this.orphanReactions.push(r);
      return false;
    }
    const who = r.direction === 'inbound' ? 'customer' : r.sentBy ?? 'agent';
    const reactions = { ...target.reactions };
    if (r.reaction!.emoji) reactions[who] = r.reaction!.emoji;
    else delete reactions[who];
    this.replace(target, { ...target, reactions });
    return true;
  }

  private findTarget(id: string) {
    return this.byId.get(id) ?? this.messages.find((m) => m.waMessageId === id);
  }

  private adoptReactions(m: Msg) {
    if (!this.orphanReactions.length) return;
    const mine = this.orphanReactions.filter((r) => r.reaction!.messageId === m.id || r.reaction!.messageId === m.waMessageId);
    if (!mine.length) return;
    this.orphanReactions = this.orphanReactions.filter((r) => !mine.includes(r));
    for (const r of mine) this.react(r);
  }
}

/** A human line for Meta's or the gateway's error. */
export function errorText(error: unknown): string | undefined {
  if (!error) return undefined;
  if (typeof error === 'string') return error;
  const e = error as { message?: string; title?: string; code?: unknown; metaCode?: unknown; details?: unknown };
  const parts = [e.message ?? e.title, e.metaCode !== undefined ? `(Meta code ${e.metaCode})` : e.code !== undefined ? `(${e.code})` : ''];
  const details = typeof e.details === 'string' ? e.details : (e.details as any)?.error_data?.details;
  if (details) parts.push('- ' + details);
  return parts.filter(Boolean).join(' ') || 'failed';
}
