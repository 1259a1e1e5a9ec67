// The inbox's controller: one GatewayClient, the state the page shows, and the actions it offers.
// Components read `inbox` and re-render on `subscribe` (coalesced to one render a frame); they
// never touch the socket. Every protocol rule (reconnect, resume, dedupe, offline sends) is the
// client library's.
import {
  GatewayClient, GatewayError, indexedDbStorage, memoryStorage,
  type Agent, type GatewayStorage, type ConnectionStatus, type Conversation, type MediaType, type Message, type NumberInfo,
  type OutgoingMedia, type SendHandle, type State, type Template,
} from '@wagateway/client';
import { ConversationStore, Thread, displayName, errorText, type ListFilter, type Msg } from './store.js';
import { TypingSender, coalesce } from './typing.js';
import type { Identity } from './auth.js';
import { Notifier } from './notify.js';

export interface Toast { id: number; text: string; conversationId?: string }
export interface AgentView extends Agent { statusTimestamp?: string }

const PAGE = 200;

export class Inbox {
  readonly client: GatewayClient;
  readonly conversations = new ConversationStore();
  readonly threads = new Map<string, Thread>();
  readonly agents = new Map<string, AgentView>();
  readonly typing = new Map<string, Map<string, number>>(); // conversationId -> userId -> until
  readonly drafts = new Map<string, string>();
  numbers: NumberInfo[] = [];
  numberStatus: ConnectionStatus | null = null;
  state: State = 'connecting';
  everConnected = false;
  listLoading = true;
  listComplete = false;
  selectedId: string | null = null;
  filter: ListFilter = { assign: 'all', status: 'open', search: '' };
  toasts: Toast[] = [];
  announcement = '';
  myStatus: 'available' | 'busy' | 'away' = 'available';
  /** Set when the list's first page is on screen (performance.now()), for the speed figures. */
  firstListRenderAt: number | null = null;

  private listeners = new Set<() => void>();
  private typingSender: TypingSender;
  private readSent = new Map<string, string>(); // conversationId -> newest inbound message id marked read
  private typingTimer: ReturnType<typeof setInterval> | null = null;
  private toastId = 0;
  private loadGen = 0;
  readonly notifier: Notifier;
  private notify = () => { for (const l of [...this.listeners]) l(); };
  /** Server events: at most ten renders a second, however many events come. */
  readonly changed = coalesce(this.notify, undefined, 100);
  /** The agent's own actions: the next frame. */
  readonly changedNow = coalesce(this.notify);

  constructor(readonly me: Identity, getToken: () => Promise<string>, readonly sandbox: boolean) {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const storage = typeof indexedDB !== 'undefined' ? seqInBatches(indexedDbStorage()) : memoryStorage();
    this.client = new GatewayClient({ url, getToken, storage, storageKey: `wagateway-inbox:${me.tenant}:${me.userId}` });
    this.typingSender = new TypingSender((event, conversationId) => {
      this.client.request(event, { conversationId }).catch(() => {});
    });
    this.notifier = new Notifier(me.userId);
    this.wire();
  }

  get isSupervisor() { return this.me.roles.includes('supervisor') || this.me.roles.includes('admin'); }

  subscribe(fn: () => void) {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  start() {
    this.client.connect();
    this.client.joinGeneral().catch((e) => this.toast('Could not join the inbox: ' + errorText(e)));
    this.loadAll();
    this.typingTimer = setInterval(() => this.expireTyping(), 1000);
    document.addEventListener('visibilitychange', this.onAttention);
    window.addEventListener('focus', this.onAttention);
  }

  stop() {
    this.typingSender.stop();
    this.client.close();
    if (this.typingTimer) clearInterval(this.typingTimer);
    document.removeEventListener('visibilitychange', this.onAttention);
    window.removeEventListener('focus', this.onAttention);
  }

  // ---- loading ----

  /** Conversations (every page, the first at once, the rest in the background), agents, numbers. */
  async loadAll() {
    const gen = ++this.loadGen;
    this.listLoading = true;
    this.listComplete = false;
    this.changed();
    this.loadSide();
    let cursor: string | undefined;
    try {
      do {
        const page = await this.client.page('get_conversations', { limit: PAGE, cursor }, { timeoutMs: 30_000 });
        if (gen !== this.loadGen) return;
        for (const c of page.data ?? []) this.conversations.upsert(c);
        cursor = page.nextCursor ?? undefined;
        this.listLoading = false;
        this.changed();
      } while (cursor);
      this.listComplete = true;
    } catch (e) {
      if (gen === this.loadGen) this.toast('Could not load the conversations: ' + errorText(e));
    }
    this.listLoading = false;
    this.changed();
    const selected = this.selectedId;
    if (selected) this.loadThread(selected, true);
  }

  private agentsTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshAgentsSoon() {
    if (this.agentsTimer) return;
    this.agentsTimer = setTimeout(() => { this.agentsTimer = null; this.loadAgents(); }, 300);
  }

  private loadAgents() {
    this.client.request('get_agents', {}).then((list) => {
      for (const a of list) this.agents.set(a.agentId, { ...this.agents.get(a.agentId), ...a });
      const mine = this.agents.get(this.me.userId);
      if (mine && (mine.status === 'available' || mine.status === 'busy' || mine.status === 'away')) this.myStatus = mine.status;
      this.changed();
    }).catch(() => {});
  }

  private loadSide() {
    this.loadAgents();
    this.client.getNumbers().then((list) => {
      this.numbers = list;
      this.changed();
    }).catch(() => { /* a gateway without get_numbers (PROTOCOL.md 6.1): one number */ });
    this.refreshNumberStatus();
  }

  refreshNumberStatus() {
    const phoneNumberId = this.filter.phoneNumberId;
    this.client.request('get_connection_status', phoneNumberId ? { phoneNumberId } : {}).then((s) => {
      this.numberStatus = s;
      this.changed();
    }).catch(() => {});
  }

  thread(id: string) {
    let t = this.threads.get(id);
    if (!t) this.threads.set(id, t = new Thread());
    return t;
  }

  async loadThread(id: string, refresh = false) {
    const t = this.thread(id);
    if (t.loaded && !refresh) return;
    try {
      const page = await this.client.page('get_messages', { conversationId: id, limit: 50 });
      for (const m of page.data ?? []) t.merge(m);
      if (!t.loaded) t.nextCursor = page.nextCursor ?? null;
      t.loaded = true;
      this.changed();
      this.markRead();
    } catch (e) {
      this.toast('Could not load the messages: ' + errorText(e));
    }
  }

  async loadOlder(id: string) {
    const t = this.thread(id);
    if (!t.nextCursor) return false;
    const before = t.nextCursor;
    t.nextCursor = undefined; // one page at a time
    try {
      const page = await this.client.page('get_messages', { conversationId: id, limit: 50, before });
      t.prepend(page.data ?? []);
      t.nextCursor = page.nextCursor ?? null;
    } catch {
      t.nextCursor = before;
    }
    this.changed();
    return true;
  }

  // ---- selection, reading ----

  select(id: string | null) {
    if (id === this.selectedId) return;
    const old = this.selectedId;
    this.typingSender.stop();
    if (old) this.client.leaveConversation(old).catch(() => {});
    this.selectedId = id;
    if (id) {
      this.client.joinConversation(id).catch(() => {});
      this.loadThread(id);
    }
    this.changedNow();
    this.markRead();
  }

  /** Visible and focused: the customer's newest message is marked read (message_read), once. */
  markRead() {
    const id = this.selectedId;
    if (!id || document.visibilityState !== 'visible' || !document.hasFocus()) return;
    const t = this.threads.get(id);
    const newest = t?.newestInbound();
    if (!newest || newest.local || this.readSent.get(id) === newest.id) return;
    this.readSent.set(id, newest.id);
    this.client.request('message_read', { conversationId: id, messageId: newest.id }).catch(() => this.readSent.delete(id));
    const c = this.conversations.get(id);
    if (c && c.unreadCount) this.conversations.patch(id, { unreadCount: 0 });
    this.changedNow();
  }

  private onAttention = () => {
    this.markRead();
    this.changed();
  };

  // ---- sending ----

  composerInput(conversationId: string, text: string) {
    this.drafts.set(conversationId, text);
    if (text) this.typingSender.input(conversationId);
    else this.typingSender.stop();
  }

  send(conversationId: string, text: string, extra: { replyTo?: string; template?: Template; type?: 'template' } = {}) {
    const c = this.conversations.get(conversationId);
    if (!c) return;
    this.typingSender.stop();
    const handle = this.client.sendMessage({ to: c.contact.waId, conversationId, message: text || undefined, ...extra });
    this.track(c, handle, { type: extra.type ?? 'text', content: extra.template ? templatePreview(extra.template) : text,
      template: extra.template, replyTo: extra.replyTo });
    this.drafts.delete(conversationId);
    this.changedNow();
  }

  /**
   * Uploads a file (`POST /api/media`, Meta's limits checked first) and sends it with its caption;
   * rejects MediaError (the refusal, or `aborted` by `signal`) without sending anything.
   */
  async sendMedia(conversationId: string, file: File, o: { type: MediaType; caption?: string; replyTo?: string;
    onProgress?: (loaded: number, total: number) => void; signal?: AbortSignal }) {
    const c = this.conversations.get(conversationId);
    if (!c) return;
    const up = await this.client.uploadMedia(file, { type: o.type, phoneNumberId: c.phoneNumberId, onProgress: o.onProgress, signal: o.signal });
    const caption = o.caption?.trim() || undefined;
    const filename = up.type === 'document' ? file.name || up.filename : undefined;
    const media: OutgoingMedia = { id: up.mediaId, caption, filename };
    const handle = this.client.sendMessage({ to: c.contact.waId, conversationId, type: up.type, media, replyTo: o.replyTo });
    // an image shows at once from the file itself (blob: is allowed for images by the page's CSP)
    const url = up.type === 'image' || up.type === 'sticker' ? URL.createObjectURL(file) : '';
    this.track(c, handle, { type: up.type, content: caption, replyTo: o.replyTo,
      media: { id: up.mediaId, mimeType: up.mimeType, filename: file.name || up.filename, size: up.size, caption, status: 'available', url } });
    this.changedNow();
  }

  /** Shows a send at once (Pending) and follows it: accepted gets the server id, a refusal marks it failed. */
  private track(c: Conversation, handle: SendHandle, shown: Pick<Msg, 'type' | 'content' | 'template' | 'replyTo' | 'media'>) {
    const conversationId = c.id;
    const t = this.thread(conversationId);
    const local: Msg = {
      id: 'local:' + handle.clientMessageId, clientMessageId: handle.clientMessageId, conversationId, direction: 'outbound',
      isOutgoing: true, from: c.businessNumber, to: c.contact.waId, ...shown,
      status: 'pending', sentBy: this.me.userId, timestamp: new Date().toISOString(), local: true,
    };
    t.merge(local);
    handle.accepted.then((sent) => {
      if (t.accepted(handle.clientMessageId, sent.messageId)) this.changedNow();
    }, (e: unknown) => {
      t.fail(handle.clientMessageId, e);
      if (e instanceof GatewayError && e.code === 'outside_window') {
        this.conversations.patch(conversationId, { windowOpen: false });
      }
      this.changedNow();
    });
    handle.settled.catch((e: unknown) => {
      if (t.fail(handle.clientMessageId, e)) this.changedNow();
    });
  }

  /** Sends a failed message's content again (a new send) and drops the failed one. */
  retry(conversationId: string, m: Msg) {
    this.thread(conversationId).remove(m.id);
    const c = this.conversations.get(conversationId);
    if (m.media && c) { // the upload is at the gateway already: send its id again
      const media: OutgoingMedia = { id: m.media.id, caption: m.media.caption, filename: m.type === 'document' ? m.media.filename : undefined };
      const handle = this.client.sendMessage({ to: c.contact.waId, conversationId, type: m.type as MediaType, media, replyTo: m.replyTo });
      this.track(c, handle, { type: m.type, content: m.content, replyTo: m.replyTo, media: m.media });
      return this.changedNow();
    }
    this.send(conversationId, m.template ? '' : m.content ?? '', m.template ? { type: 'template', template: m.template } : {
      replyTo: m.replyTo });
  }

  react(conversationId: string, m: Msg, emoji: string) {
    const c = this.conversations.get(conversationId);
    if (!c) return;
    this.client.sendMessage({ to: c.contact.waId, conversationId, type: 'reaction', reaction: { messageId: m.id, emoji } })
      .accepted.catch((e) => this.toast('Reaction not sent: ' + errorText(e)));
    this.thread(conversationId).merge({ ...m, reactions: { ...m.reactions, [this.me.userId]: emoji } });
    this.changedNow();
  }

  templates(phoneNumberId?: string) {
    return this.client.getTemplates(phoneNumberId ? { phoneNumberId } : {});
  }

  // ---- collaboration ----

  assign(conversationId: string, agentId: string) {
    this.client.request('assign_chat', { conversationId, agentId }).catch((e) => this.toast('Not assigned: ' + errorText(e)));
  }

  async setConversationStatus(conversationId: string, status: 'open' | 'closed') {
    try {
      const conversation = await this.client.updateConversation(conversationId, status);
      if (conversation) this.conversations.upsert(conversation);
      this.changed();
    } catch (e) {
      this.toast(`Could not ${status === 'closed' ? 'close' : 'reopen'} the conversation: ` + errorText(e));
    }
  }

  setMyStatus(status: 'available' | 'busy' | 'away') {
    this.myStatus = status;
    const a = this.agents.get(this.me.userId);
    if (a) this.agents.set(a.agentId, { ...a, status });
    this.client.request('agent_status_update', { status }).catch(() => {});
    this.changedNow();
  }

  qrCode(forceNew = false) {
    const phoneNumberId = this.filter.phoneNumberId;
    return this.client.request('get_qr_code', { forceNew, ...(phoneNumberId ? { phoneNumberId } : {}) });
  }

  setFilter(change: Partial<ListFilter>) {
    this.filter = { ...this.filter, ...change };
    if ('phoneNumberId' in change) this.refreshNumberStatus();
    this.changedNow();
  }

  agentName(id: string | undefined) {
    if (!id) return '';
    if (id === this.me.userId) return 'You';
    return this.agents.get(id)?.name || id;
  }

  toast(text: string, conversationId?: string) {
    const t = { id: ++this.toastId, text, conversationId };
    this.toasts = [...this.toasts, t];
    this.changedNow();
    setTimeout(() => this.dismiss(t.id), 8000);
  }

  dismiss(id: number) {
    this.toasts = this.toasts.filter((t) => t.id !== id);
    this.changedNow();
  }

  typists(conversationId: string): string[] {
    const m = this.typing.get(conversationId);
    return m ? [...m.keys()] : [];
  }

  // ---- events ----

  private wire() {
    const c = this.client;
    c.on('state', (s) => {
      this.state = s;
      if (s === 'open') this.everConnected = true;
      this.changed();
    });
    c.on('reload', () => { this.threads.clear(); this.readSent.clear(); this.loadAll(); });
    c.on('new_message', (m) => this.onMessage(m));
    c.on('message_updated', (m) => this.onMessage(m, true));
    c.on('message_status_update', (s) => {
      const t = this.threads.get(s.conversationId);
      const a = t?.status(s.messageId, s.status, s.error) ?? false;
      const b = this.conversations.status(s.conversationId, s.messageId, s.status);
      if (a || b) this.changed();
    });
    c.on('conversation_updated', (conv) => {
      if (this.conversations.upsert(conv)) this.changed();
    });
    c.on('chat_assigned', (a) => {
      const name = (a.customerInfo as { name?: string; waId?: string } | null)?.name
        || this.conversationName(a.conversationId);
      const by = a.assignedBy === 'auto' ? 'automatically' : `by ${this.agentName(a.assignedBy)}`;
      this.toast(`${name} was assigned to you ${by}`, a.conversationId);
      this.conversations.patch(a.conversationId, { assignee: this.me.userId });
    });
    c.on('user_typing', (t) => {
      let m = this.typing.get(t.conversationId);
      if (!m) this.typing.set(t.conversationId, m = new Map());
      m.set(t.userId, Date.now() + 11_000);
      this.changed();
    });
    c.on('user_stop_typing', (t) => {
      if (this.typing.get(t.conversationId)?.delete(t.userId)) this.changed();
    });
    const presence = (userId: string, online: boolean) => {
      const a = this.agents.get(userId);
      this.agents.set(userId, { agentId: userId, name: a?.name ?? userId, status: a?.status ?? 'available', ...a, online });
    };
    c.on('user_online', (p) => {
      const known = this.agents.has(p.userId);
      presence(p.userId, true);
      if (!known) this.refreshAgentsSoon(); // a new agent: get their name
      this.changed();
    });
    c.on('user_offline', (p) => { presence(p.userId, false); this.changed(); });
    c.on('presence_changed', (p) => {
      if (p.online.some((u) => !this.agents.has(u))) this.refreshAgentsSoon();
      for (const u of p.online) presence(u, true);
      for (const u of p.offline) presence(u, false);
      this.changed();
    });
    c.on('agent_status_changed', (s) => {
      const a = this.agents.get(s.agentId);
      this.agents.set(s.agentId, { agentId: s.agentId, name: a?.name ?? s.agentId, online: a?.online ?? true, ...a, status: s.status });
      this.changed();
    });
    c.on('whatsapp_status_update', (s) => {
      if (!s.phoneNumberId || !this.filter.phoneNumberId || s.phoneNumberId === this.filter.phoneNumberId) this.numberStatus = s;
      this.numbers = this.numbers.map((n) => n.phoneNumberId === s.phoneNumberId
        ? { ...n, connected: s.connected, connectionState: s.connectionState, qualityRating: s.qualityRating, canSendMessage: s.canSendMessage } : n);
      this.changed();
    });
    c.on('error', (e) => {
      if (e?.code === 'forbidden' || e?.code === 'not_found') this.toast(e.message || e.code);
    });
  }

  private conversationName(id: string) {
    const c = this.conversations.get(id);
    return c ? displayName(c) : 'A conversation';
  }

  private onMessage(m: Message, update = false) {
    const t = this.threads.get(m.conversationId);
    if (t) t.merge(m);
    const known = this.conversations.touch(m);
    if (!known && !update) this.fetchConversationSoon();
    if (m.direction === 'inbound' && !update && m.type !== 'reaction') {
      this.typing.get(m.conversationId)?.clear();
      const name = this.conversationName(m.conversationId);
      this.announcement = `New message from ${name}: ${preview(m)}`;
      const open = this.selectedId === m.conversationId && document.visibilityState === 'visible' && document.hasFocus();
      if (open) this.markRead();
      else this.notifier.notify(name, preview(m), m.id);
    }
    this.changed();
  }

  private fetching: ReturnType<typeof setTimeout> | null = null;
  /** A message of a conversation not in the list yet: its conversation_updated normally follows; fetch if not. */
  private fetchConversationSoon() {
    if (this.fetching) return;
    this.fetching = setTimeout(async () => {
      this.fetching = null;
      try {
        const list = await this.client.request('get_conversations', { limit: 50 });
        let any = false;
        for (const c of list) if (!this.conversations.get(c.id)) { this.conversations.upsert(c); any = true; }
        if (any) this.changed();
      } catch { /* the next event tries again */ }
    }, 1500);
  }

  private expireTyping() {
    const now = Date.now();
    let any = false;
    for (const m of this.typing.values()) {
      for (const [u, until] of m) if (until < now) { m.delete(u); any = true; }
    }
    if (any) this.changed();
  }
}

/**
 * `lastSeq` changes with every durable event (a hundred a second under load): written at most every
 * 250 ms and when the page is hidden. A crash loses at most that much of it; the reloaded page then
 * resumes a little earlier, and the page's state takes replayed events idempotently (by id, statuses
 * forward only). The send queue is written through at once.
 */
export function seqInBatches(inner: GatewayStorage, delayMs = 250): GatewayStorage {
  const pending = new Map<string, unknown>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    for (const [k, v] of pending) Promise.resolve(inner.set(k, v)).catch(() => {});
    pending.clear();
  };
  if (typeof addEventListener === 'function') addEventListener('pagehide', flush);
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flush(); });
  return {
    get: (k) => (pending.has(k) ? pending.get(k) : inner.get(k)),
    set: (k, v) => {
      if (!k.endsWith(':lastSeq')) return inner.set(k, v);
      pending.set(k, v);
      timer ??= setTimeout(flush, delayMs);
    },
  };
}

export function preview(m: Message | undefined): string {
  if (!m) return '';
  switch (m.type) {
    case 'text': return m.content ?? '';
    case 'image': return '📷 ' + (m.content || 'Photo');
    case 'video': return '🎥 ' + (m.content || 'Video');
    case 'audio': return '🎤 Audio';
    case 'document': return '📄 ' + (m.media?.filename || m.content || 'Document');
    case 'sticker': return 'Sticker';
    case 'location': return '📍 ' + (m.location?.name || 'Location');
    case 'contacts': return '👤 Contact';
    case 'reaction': return 'Reacted ' + (m.reaction?.emoji ?? '');
    case 'template': return m.content || 'Template: ' + (m.template?.name ?? '');
    default: return m.content || m.type;
  }
}

export function templatePreview(t: Template): string {
  const params = (t.components as { type?: string; parameters?: { text?: string }[] }[] | undefined)
    ?.find((c) => c.type === 'body')?.parameters?.map((p) => p.text).filter(Boolean) ?? [];
  return `Template ${t.name}${params.length ? ': ' + params.join(', ') : ''}`;
}
