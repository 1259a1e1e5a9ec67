import type {
  ClientEventMap, LocalEventMap, Media, UploadedMedia, RequestResultMap, Resumed, SendMessageData, ServerEventMap, State,
} from './protocol.js';
import { defaultStorage, type GatewayStorage } from './storage.js';
import { GatewayError } from './errors.js';
import { upload, type UploadOptions } from './media.js';

/** The part of the WebSocket interface the client uses: the browser's, or `ws` on Node. */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type SocketFactory = new (url: string, protocols: string[]) => SocketLike;

export interface GatewayClientOptions {
  url: string;
  /** Called at connect, before expiry and after 4001; may return a cached token if it is still valid. */
  getToken: () => string | Promise<string>;
  WebSocket?: SocketFactory;
  /** Where lastSeq and the offline queue live (browser default: IndexedDB, else memory). */
  storage?: GatewayStorage;
  /** Storage key prefix; default `wagateway:` + url. */
  storageKey?: string;
  /** The gateway's HTTP base for `POST /api/media` and media URLs; default: `url` with http(s) for ws(s), its path's folder. */
  httpUrl?: string;
  // Tuning, mostly for tests; the defaults are the contract's numbers.
  minDelayMs?: number; // first backoff ceiling: 500
  maxDelayMs?: number; // backoff cap: 30 000
  deadAfterMs?: number; // nothing received this long: the connection is dead (70 000)
  pingAfterMs?: number; // idle this long: send an app-level ping so that a pong comes back (25 000)
  refreshBeforeMs?: number; // authenticate this long before exp (60 000), minus up to 10 s of jitter
  requestTimeoutMs?: number; // default per request (10 000)
  ratePerSecond?: number; // frames a second at most (the server's 20)
  maxFrameBytes?: number; // 65 536
  random?: () => number;
}

export interface RequestOptions { timeoutMs?: number; /** resolve the whole answer data ({success, data, nextCursor?}) */ raw?: boolean }

export interface SendHandle {
  clientMessageId: string;
  /** `message_sent`: the server stored it (never resolves while offline). */
  accepted: Promise<ServerEventMap['message_sent']>;
  /** `message_sent_success` (or a later status update saying sent); rejects with `message_send_error`. */
  settled: Promise<ServerEventMap['message_sent_success']>;
}

export { GatewayError };

type AnyFrame = { event: string; requestId?: string; seq?: number; data?: any };
type Handler = (data: any, frame: any) => void;
type Data<E> = E extends keyof LocalEventMap ? LocalEventMap[E] : E extends keyof ServerEventMap ? ServerEventMap[E] : unknown;
type Result<E> = E extends keyof RequestResultMap ? RequestResultMap[E] : unknown;
type PagedEvent = 'get_contacts' | 'get_conversations' | 'get_messages' | 'get_messages_between' | 'get_agents' | 'get_numbers' | 'get_templates';
/** A list answer as it comes: the items, the next page's cursor when there is one, the tenant's newest seq. */
export interface Page<T> { success: true; data: T; nextCursor?: string; lastSeq?: number }

interface Pending {
  event: string; data: unknown; internal: boolean; raw?: boolean; id?: string; timer?: ReturnType<typeof setTimeout>;
  resolve(v: unknown): void; reject(e: unknown): void;
}
interface Deferred<T> { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void }
interface OutboxEntry {
  clientMessageId: string; data: SendMessageData; requestId?: string; messageId?: string;
  accepted?: Deferred<any>; settled?: Deferred<any>;
}
interface Room { event: keyof ClientEventMap; data: Record<string, string>; count: number; leave?: ReturnType<typeof setTimeout> }

// Requests the server never answers on success (it reports failures with `error`).
const NO_ANSWER = new Set(['typing_start', 'typing_stop', 'message_read', 'agent_status_update', 'assign_chat']);
const SETTLED_STATUSES = new Set(['sent', 'delivered', 'read', 'played']);
const OPEN = 1;

function deferred<T>(): Deferred<T> {
  const d = {} as Deferred<T>;
  d.promise = new Promise<T>((res, rej) => { d.resolve = res; d.reject = rej; });
  d.promise.catch(() => {}); // a caller who never awaits `settled` must not get an unhandled rejection
  return d;
}

/** `exp` of a JWT in ms; Infinity for a token that is not a JWT (then only the server can judge it). */
export function tokenExpiry(token: string): number {
  try {
    const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const exp = JSON.parse(atob(part)).exp;
    return typeof exp === 'number' ? exp * 1000 : Infinity;
  } catch {
    return Infinity;
  }
}

/** crypto.randomUUID exists only in secure contexts (https, localhost): a v4 UUID from getRandomValues otherwise. */
const uuid = (): string => crypto.randomUUID?.() ?? '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
  (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16));

const errorOf = (e: any, fallback = 'internal') =>
  new GatewayError(e?.code ?? fallback, e?.message ?? String(e), e?.metaCode, e?.details);

export class GatewayClient {
  state: State = 'closed';
  /** Highest `seq` delivered (or the start point a join answer gave); persisted. */
  lastSeq: number | null = null;

  private o: Required<Omit<GatewayClientOptions, 'WebSocket' | 'storage' | 'storageKey' | 'httpUrl'>>;
  private httpUrl?: string;
  private WS: SocketFactory;
  private storage: GatewayStorage;
  private key: string;
  private ready: Promise<void>;
  private listeners = new Map<string, Set<Handler>>();
  private ws: SocketLike | null = null;
  private gen = 0; // bumped per socket: events of an older socket are ignored
  private sessions = 0;
  private stopped = true;
  private token = '';
  private timers: Record<string, ReturnType<typeof setTimeout> | undefined> = {};
  private attempt = 0;
  private rooms = new Map<string, Room>();
  private pending = new Map<string, Pending>(); // sent, waiting for the answer
  private waiting: Pending[] = []; // made while not open: sent once the session is restored
  private queue: { text: string; p?: Pending }[] = []; // rate-limited frames
  private tokens: number;
  private refilled = Date.now();
  private nextId = 0;
  private holding = false; // true from the re-joins until `resumed`: durable events wait in `held`
  private held = new Map<number, AnyFrame>();
  private recent = new Set<number>(); // seqs delivered lately, for dedupe
  private initialResume: number | null = null; // a reloaded page resumes after its first joins
  private joinsInFlight = 0;
  private resuming = false;
  private outbox: OutboxEntry[] = [];
  private sending: OutboxEntry | null = null;
  private settling = new Map<string, OutboxEntry>(); // by messageId: accepted, not yet settled
  private wake = () => this.reconnectNow();
  private onVisible = () => (globalThis as any).document?.visibilityState === 'visible' && this.reconnectNow();

  constructor(options: GatewayClientOptions) {
    this.o = {
      minDelayMs: 500, maxDelayMs: 30_000, deadAfterMs: 70_000, pingAfterMs: 25_000, refreshBeforeMs: 60_000,
      requestTimeoutMs: 10_000, ratePerSecond: 20, maxFrameBytes: 65_536, random: Math.random, ...options,
    } as GatewayClient['o'];
    const WS = options.WebSocket ?? (globalThis as any).WebSocket;
    if (!WS) throw new Error('no WebSocket: pass one (e.g. the `ws` package) in the options');
    this.WS = WS;
    this.tokens = this.o.ratePerSecond;
    this.storage = options.storage ?? defaultStorage();
    this.key = options.storageKey ?? 'wagateway:' + options.url;
    this.httpUrl = options.httpUrl;
    this.ready = Promise.all([this.storage.get(this.key + ':lastSeq'), this.storage.get(this.key + ':outbox')])
      .then(([seq, box]) => {
        if (typeof seq === 'number') this.lastSeq = this.initialResume = seq;
        // queued before the reload first, then anything sendMessage queued while we were loading
        const loaded = (Array.isArray(box) ? box : []) as OutboxEntry[];
        const known = new Set(this.outbox.map((e) => e.clientMessageId));
        this.outbox = [...loaded.filter((e) => !known.has(e.clientMessageId)), ...this.outbox];
      }, () => {});
  }

  // ---- events ----

  /** `handler(data, frame)` for a server event (live or replayed) or a local one; returns `off`. */
  on<E extends keyof ServerEventMap | keyof LocalEventMap>(event: E, handler: (data: Data<E>, frame: any) => void): () => void;
  on(event: string, handler: Handler): () => void;
  on(event: string, handler: Handler) {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, set = new Set());
    set.add(handler);
    return () => void set!.delete(handler);
  }

  private emit(event: string, data?: unknown, frame?: unknown) {
    for (const h of [...this.listeners.get(event) ?? []]) {
      try {
        h(data, frame);
      } catch (e) {
        queueMicrotask(() => { throw e; }); // an app's bug must not break the protocol loop
      }
    }
  }

  private setState(s: State) {
    if (this.state !== s) this.emit('state', this.state = s);
  }

  // ---- connection ----

  connect() {
    if (!this.stopped) return;
    this.stopped = false;
    this.setState(this.sessions ? 'reconnecting' : 'connecting');
    const g = globalThis as any;
    g.addEventListener?.('online', this.wake);
    g.document?.addEventListener?.('visibilitychange', this.onVisible);
    this.ready.then(() => { if (!this.stopped) this.open(); });
  }

  close() {
    this.stopped = true;
    this.gen++;
    this.clearTimers();
    const g = globalThis as any;
    g.removeEventListener?.('online', this.wake);
    g.document?.removeEventListener?.('visibilitychange', this.onVisible);
    const ws = this.ws;
    this.ws = null;
    try { ws?.close(1000, 'client closed'); } catch { /* already closed */ }
    this.dropSocketWork(true);
    this.setState('closed');
  }

  private async open() {
    const gen = ++this.gen;
    let token: string;
    try {
      token = await this.o.getToken();
    } catch {
      return this.retry(this.backoff());
    }
    if (gen !== this.gen || this.stopped) return;
    // Never connect with an expired token: a refused upgrade looks like 1006 and would loop forever.
    if (!(tokenExpiry(token) > Date.now())) return this.retry(this.backoff());
    this.token = token;
    let opened = false;
    let ws: SocketLike;
    try {
      ws = new this.WS(this.o.url, ['bearer-token-carrier',
        encodeURIComponent('quarkus-http-upgrade#Authorization#Bearer ' + token)]);
    } catch {
      return this.retry(this.backoff());
    }
    this.ws = ws;
    ws.onopen = () => { if (gen === this.gen) { opened = true; this.alive(); this.restore(gen); } };
    ws.onmessage = (e) => { if (gen === this.gen) this.onText(String(e.data)); };
    ws.onclose = (e) => { if (gen === this.gen) this.onClose(e.code, e.reason, opened); };
    ws.onerror = () => {}; // a close event follows
  }

  /**
   * Exponential backoff with full jitter: uniform between 0.5 s and a ceiling that doubles per
   * attempt up to 30 s, so that clients dropped together do not come back together.
   */
  private backoff() {
    const { minDelayMs: min, maxDelayMs: max } = this.o;
    const ceiling = Math.min(max, min * 2 ** ++this.attempt);
    return min + this.o.random() * (ceiling - min);
  }

  private retry(delay: number) {
    if (this.stopped) return;
    this.setState(this.sessions ? 'reconnecting' : 'connecting');
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = setTimeout(() => { this.timers.reconnect = undefined; this.open(); }, delay);
  }

  /** The browser came online or the tab became visible: don't sit out the backoff. */
  private reconnectNow() {
    if (this.timers.reconnect && !this.stopped) {
      clearTimeout(this.timers.reconnect);
      this.timers.reconnect = undefined;
      this.open();
    }
  }

  private onClose(code: number, reason: string, opened: boolean) {
    this.ws = null;
    this.clearTimers();
    this.dropSocketWork(false);
    if (this.stopped) return this.setState('closed');
    if (code === 4403) { // user or tenant disabled: reconnecting cannot help
      this.stopped = true;
      this.dropSocketWork(true);
      this.setState('closed');
      return this.emit('closed', { code, reason });
    }
    if (opened) this.sessions = Math.max(this.sessions, 1);
    // 1001: the server is going away; spread the herd over 0-2 s and go to another replica.
    // Anything else (1006, 1008, 4001, 4008, ...): backoff; open() fetches a token and checks its exp.
    this.retry(code === 1001 ? this.o.random() * 2000 : this.backoff());
  }

  /** Replace a connection we no longer trust (dead, or its token could not be refreshed). */
  private replace(reason: string) {
    const ws = this.ws;
    this.gen++; // ignore whatever the old socket still reports
    try { ws?.close(4000, reason); } catch { /* gone */ }
    this.onClose(4000, reason, true);
    this.reconnectNow(); // at once, with a new token
  }

  /** Fail or re-queue what belonged to the socket that went away. */
  private dropSocketWork(final: boolean) {
    this.queue = [];
    this.holding = false;
    this.held.clear();
    this.sending = null;
    const requeue = [...this.pending.values()];
    this.pending.clear();
    for (const p of requeue) {
      if (p.internal || final) this.fail(p, new GatewayError(final ? 'closed' : 'disconnected', 'connection lost'));
      else this.waiting.push(p); // requests are idempotent (sends go through the outbox): ask again
    }
    if (final) for (const p of this.waiting.splice(0)) this.fail(p, new GatewayError('closed', 'client closed'));
  }

  private clearTimers() {
    for (const t of Object.values(this.timers)) clearTimeout(t);
    this.timers = {};
  }

  /** Something arrived: the connection lives. Silence means an app-level ping, then death. */
  private alive() {
    clearTimeout(this.timers.dead);
    clearTimeout(this.timers.ping);
    const gen = this.gen;
    this.timers.dead = setTimeout(() => gen === this.gen && this.replace('no frame for too long'), this.o.deadAfterMs);
    this.timers.ping = setTimeout(() => this.call('ping', {}).catch(() => {}), this.o.pingAfterMs);
  }

  /** After the upgrade: re-join every room, then resume, then let the app's traffic through. */
  private async restore(gen: number) {
    this.scheduleRefresh(gen);
    const reconnect = this.sessions > 0;
    const from = reconnect ? this.initialResume ?? this.lastSeq : null;
    const rooms = [...this.rooms.values()];
    this.holding = from !== null || (this.initialResume !== null && rooms.length > 0);
    const joins = rooms.map((r) => this.call(r.event, r.data).catch((e) => {
      if (this.ws?.readyState === OPEN) this.emit('error', e); // e.g. the conversation is gone
    }));
    await Promise.all(joins);
    if (gen !== this.gen) return;
    const start = from ?? (rooms.length ? this.initialResume : null);
    if (start !== null) {
      if (!(await this.resume(start, gen))) return;
    } else if (reconnect) {
      this.emit('reload'); // nothing to resume from: the app must refetch what it shows
    }
    this.sessions++;
    this.attempt = 0;
    this.setState('open');
    for (const p of this.waiting.splice(0)) this.transmit(p);
    this.pumpOutbox();
  }

  private async resume(from: number, gen: number) {
    this.holding = true;
    this.resuming = true;
    let r: Resumed;
    try {
      r = await this.call('resume', { lastSeq: from }, 30_000) as Resumed;
    } catch {
      this.resuming = false;
      // a timeout on a live socket: replace it (a socket that closed is already being replaced)
      if (gen === this.gen && this.ws?.readyState === OPEN) this.replace('resume failed');
      return false;
    }
    this.resuming = false;
    if (gen !== this.gen) return false;
    this.initialResume = null;
    this.holding = false;
    if (!r.recovered) this.setSeq(r.lastSeq, true); // the app reloads everything up to here
    const held = [...this.held.values()].sort((a, b) => a.seq! - b.seq!);
    this.held.clear();
    for (const f of held) if (r.recovered || f.seq! > r.lastSeq) this.deliver(f);
    this.emit('resumed', r);
    if (!r.recovered) this.emit('reload');
    return true;
  }

  private scheduleRefresh(gen: number) {
    const exp = tokenExpiry(this.token);
    if (exp === Infinity) return;
    const left = exp - Date.now();
    // about a minute before exp, spread by up to 10 s so that a fleet does not refresh at once
    const at = Math.max(left - this.o.refreshBeforeMs - this.o.random() * 10_000, left / 2, 0);
    this.timers.refresh = setTimeout(async () => {
      try {
        const token = await this.o.getToken();
        if (!(tokenExpiry(token) > Date.now())) throw new Error('expired token');
        await this.call('authenticate', { token });
        if (gen !== this.gen) return;
        this.token = token;
        this.scheduleRefresh(gen);
      } catch {
        // not waiting for 4001: a new connection with a new token is the sure way
        if (gen === this.gen && this.ws?.readyState === OPEN) this.replace('token refresh failed');
      }
    }, at);
  }

  // ---- frames in ----

  private onText(text: string) {
    this.alive();
    let f: AnyFrame;
    try {
      f = JSON.parse(text);
    } catch {
      return;
    }
    if (!f || typeof f.event !== 'string') return;
    const id = f.requestId;
    if (id !== undefined) {
      const entry = this.sending?.requestId === id ? this.sending
        : [...this.settling.values()].find((e) => e.requestId === id);
      if (entry) this.onSendAnswer(entry, f);
      else this.answer(f);
    }
    if (f.event === 'resumed') return; // emitted as the local `resumed`, after the held events
    if (typeof f.seq === 'number') {
      if (this.holding) this.held.set(f.seq, f);
      else this.deliver(f);
      return;
    }
    this.emit(f.event, f.data, f);
  }

  private deliver(f: AnyFrame) {
    const seq = f.seq!;
    if (this.recent.has(seq)) return; // replayed and live both: once
    this.recent.add(seq);
    if (this.recent.size > 5000) this.recent.delete(this.recent.values().next().value!);
    if (this.lastSeq === null || seq > this.lastSeq) this.setSeq(seq);
    if (f.event === 'message_status_update') this.settleByStatus(f.data);
    this.emit(f.event, f.data, f);
  }

  private setSeq(seq: number, force = false) {
    if (force || this.lastSeq === null || seq > this.lastSeq) {
      this.lastSeq = seq;
      Promise.resolve(this.storage.set(this.key + ':lastSeq', seq)).catch(() => {});
    }
  }

  private answer(f: AnyFrame) {
    const p = this.pending.get(f.requestId!);
    if (!p) return;
    this.pending.delete(f.requestId!);
    const d = f.data;
    if (f.event === 'error') this.fail(p, errorOf(d));
    else if (d?.success === false) this.fail(p, errorOf(d.error ?? { code: 'unauthorized', message: d.message }));
    else this.ok(p, p.raw ? d : d?.success === true ? d.data : d);
  }

  private ok(p: Pending, v: unknown) { clearTimeout(p.timer); p.resolve(v); }
  private fail(p: Pending, e: unknown) { clearTimeout(p.timer); p.reject(e); }

  // ---- requests ----

  /** Resolves the answer's inner `data`; rejects GatewayError. Waits for the connection up to its timeout. */
  request<E extends keyof ClientEventMap>(event: E, data?: ClientEventMap[E], options?: RequestOptions): Promise<Result<E>>;
  request(event: string, data?: unknown, options?: RequestOptions): Promise<unknown>;
  request(event: string, data: unknown = {}, options: RequestOptions = {}) {
    return this.make(event, data, false, options.timeoutMs ?? this.o.requestTimeoutMs, options.raw);
  }

  /** A `get_*` answer with its paging: `{data, nextCursor?, lastSeq?}` (`nextCursor` absent on the last page). */
  page<E extends PagedEvent>(event: E, data: ClientEventMap[E], options: Omit<RequestOptions, 'raw'> = {}) {
    return this.request(event, data, { ...options, raw: true }) as unknown as Promise<Page<Result<E>>>;
  }

  /** The tenant's numbers (PROTOCOL.md 6.1). */
  getNumbers(options?: RequestOptions) { return this.request('get_numbers', {}, options); }

  /** The approved templates of a number, the default one without `phoneNumberId` (PROTOCOL.md 6.3). */
  getTemplates(data: ClientEventMap['get_templates'] = {}, options?: RequestOptions) {
    return this.request('get_templates', data, options);
  }

  /** Closes or reopens a conversation (PROTOCOL.md 6.2); resolves the conversation as it now is. */
  updateConversation(conversationId: string, status: 'open' | 'closed', options?: RequestOptions) {
    return this.request('update_conversation', { conversationId, status }, options).then((r) => r.conversation);
  }

  /** The client's own frames (joins of a restore, resume, authenticate, ping): they skip the open gate. */
  private call(event: string, data: unknown, timeoutMs = this.o.requestTimeoutMs) {
    return this.make(event, data, true, timeoutMs);
  }

  private make(event: string, data: unknown, internal: boolean, timeoutMs: number, raw?: boolean) {
    return new Promise<unknown>((resolve, reject) => {
      const p: Pending = { event, data, internal, raw, resolve, reject };
      if (this.stopped && !internal && this.state === 'closed' && this.sessions) {
        return reject(new GatewayError('closed', 'client closed'));
      }
      // The timeout also takes the request out of every queue: a timed-out request is never sent later.
      p.timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== p);
        this.queue = this.queue.filter((q) => q.p !== p);
        if (p.id) this.pending.delete(p.id);
        reject(new GatewayError('timeout', `${event}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      if (internal ? this.ws?.readyState === OPEN : this.state === 'open') this.transmit(p);
      else if (internal) this.fail(p, new GatewayError('disconnected', 'not connected'));
      else this.waiting.push(p);
    });
  }

  private transmit(p: Pending) {
    p.id = 'c' + (++this.nextId).toString(36);
    const text = JSON.stringify({ event: p.event, requestId: p.id, data: p.data });
    if (!this.fits(text)) return this.fail(p, new GatewayError('payload_too_large', `${p.event}: frame over the limit`));
    this.pending.set(p.id, p);
    this.enqueue(text, p);
  }

  /** The server closes the connection (1009) for a frame over 64 KiB: refuse it here instead. */
  private fits(text: string) {
    return new TextEncoder().encode(text).length <= this.o.maxFrameBytes;
  }

  /** A token bucket of the server's rate (20/s): frames wait here rather than being refused. */
  private enqueue(text: string, p?: Pending) {
    this.queue.push({ text, p });
    this.pump();
  }

  private pump() {
    const now = Date.now();
    const rate = this.o.ratePerSecond;
    this.tokens = Math.min(rate, this.tokens + (now - this.refilled) * rate / 1000);
    this.refilled = now;
    while (this.queue.length && this.tokens >= 1 && this.ws?.readyState === OPEN) {
      const { text, p } = this.queue.shift()!;
      this.tokens--;
      this.ws.send(text);
      if (p && NO_ANSWER.has(p.event)) { this.pending.delete(p.id!); this.ok(p, undefined); }
    }
    if (this.queue.length && !this.timers.pump) {
      this.timers.pump = setTimeout(() => { this.timers.pump = undefined; this.pump(); },
        Math.ceil((1 - this.tokens) * 1000 / rate));
    }
  }

  // ---- rooms (counted: a StrictMode double mount neither leaves nor joins twice) ----

  joinGeneral() { return this.join('general', 'join_general', {}); }
  joinConversation(conversationId: string) { return this.join('c:' + conversationId, 'join_conversation', { conversationId }); }
  leaveConversation(conversationId: string) { return this.leave('c:' + conversationId, 'leave_conversation'); }
  joinCustomer(customerId: string) { return this.join('u:' + customerId, 'join_customer', { customerId }); }
  leaveCustomer(customerId: string) { return this.leave('u:' + customerId, 'leave_customer'); }

  private join(key: string, event: keyof ClientEventMap, data: Record<string, string>): Promise<any> {
    const room = this.rooms.get(key);
    if (room) {
      room.count++;
      if (room.leave) { clearTimeout(room.leave); room.leave = undefined; } // re-mounted before the leave went out
      return Promise.resolve({ room: key });
    }
    this.rooms.set(key, { event, data, count: 1 });
    if (this.initialResume !== null) this.holding = true; // a reloaded page: resume once its joins are in
    this.joinsInFlight++;
    const done = () => {
      if (--this.joinsInFlight === 0 && this.initialResume !== null && this.state === 'open' && !this.resuming) {
        this.resume(this.initialResume, this.gen);
      }
    };
    return this.request(event, data as any).then((r: any) => {
      // a fresh page starts from the lastSeq of its first join answer (PROTOCOL.md 6.2)
      if (this.lastSeq === null && typeof r?.lastSeq === 'number') this.setSeq(r.lastSeq);
      done();
      return r;
    }, (e) => {
      done();
      throw e;
    });
  }

  private leave(key: string, event: keyof ClientEventMap): Promise<void> {
    const room = this.rooms.get(key);
    if (!room || --room.count > 0) return Promise.resolve();
    // Deferred a tick: an unmount followed at once by a mount (StrictMode) cancels it.
    return new Promise((resolve, reject) => {
      room.leave = setTimeout(() => {
        this.rooms.delete(key);
        this.request(event, room.data as any).then(() => resolve(), reject);
      }, 0);
    });
  }

  // ---- media (PROTOCOL.md 6.4) ----

  /**
   * Checks Meta's limits for the file's type (rejects MediaError `payload_too_large` or
   * `unsupported_media_type` before sending anything), then uploads it with `POST /api/media` and the
   * current token; resolves `{mediaId, mimeType, size, filename, type}` for `sendMessage({type, media:
   * {id: mediaId, caption?, filename?}})`. The gateway's 413, 415 and 502 reject MediaError with its
   * code, `status`, `metaCode` and `details`; `signal` aborts (`aborted`).
   */
  uploadMedia(file: Blob, options?: UploadOptions): Promise<UploadedMedia> {
    return upload(this.http() + 'api/', this.o.getToken, file, options);
  }

  /** A media's `url` made absolute (for a page on another origin or for Node); the sig is part of it. */
  mediaUrl(media: Pick<Media, 'url'>): string {
    return new URL(media.url.replace(/^\//, ''), this.http()).href;
  }

  /** ws://host/ws -> http://host/ (wss -> https); a gateway under /prefix/ws -> http://host/prefix/; a relative url on the page's. */
  private http() {
    const u = this.httpUrl ? this.httpUrl.replace(/\/?$/, '/') : this.o.url.replace(/^ws/, 'http');
    return new URL('.', new URL(u, (globalThis as any).location?.href)).href;
  }

  // ---- sends ----

  /**
   * Queues a send (persisted, so a reload does not lose it) and sends it when connected, after
   * the resume, in order. Its clientMessageId makes a repeat after a reconnect harmless.
   */
  sendMessage(message: SendMessageData): SendHandle {
    const clientMessageId = message.clientMessageId ?? uuid();
    const entry: OutboxEntry = {
      clientMessageId, data: { ...message, clientMessageId }, accepted: deferred(), settled: deferred(),
    };
    this.outbox.push(entry);
    this.saveOutbox();
    this.pumpOutbox();
    return { clientMessageId, accepted: entry.accepted!.promise, settled: entry.settled!.promise };
  }

  private saveOutbox() {
    // after the load: a write before it would replace the queue of the page before the reload
    this.ready.then(() => this.storage.set(this.key + ':outbox',
      this.outbox.map(({ clientMessageId, data }) => ({ clientMessageId, data })))).catch(() => {});
  }

  /** One send in flight at a time, so that the server stores them in the order they were made. */
  private pumpOutbox() {
    if (this.state !== 'open' || this.sending || !this.outbox.length) return;
    const e = this.sending = this.outbox[0]!;
    e.requestId = 's' + (++this.nextId).toString(36);
    const text = JSON.stringify({ event: 'send_message', requestId: e.requestId, data: e.data });
    if (!this.fits(text)) {
      return this.finishSend(e, new GatewayError('payload_too_large', 'send_message: frame over the limit'));
    }
    this.enqueue(text);
  }

  private finishSend(e: OutboxEntry, error?: GatewayError) {
    this.outbox = this.outbox.filter((x) => x !== e);
    this.saveOutbox();
    if (this.sending === e) this.sending = null;
    if (error) { e.accepted?.reject(error); e.settled?.reject(error); }
    this.pumpOutbox();
  }

  private onSendAnswer(e: OutboxEntry, f: AnyFrame) {
    const d = f.data ?? {};
    if (f.event === 'message_sent' && d.success !== false) {
      e.messageId = d.data?.messageId;
      if (e.messageId) this.settling.set(e.messageId, e);
      e.accepted?.resolve(d.data);
      this.finishSend(e); // stored by the server: it is no longer ours to lose
    } else if (f.event === 'message_sent_success') {
      this.settling.delete(e.messageId!);
      e.settled?.resolve(d.data);
    } else if (f.event === 'error' && d.code === 'rate_limited' && this.sending === e) {
      this.sending = null; // refused before running: try again in a second
      this.timers.outbox = setTimeout(() => this.pumpOutbox(), 1000);
    } else if (f.event === 'message_send_error' || f.event === 'error') {
      const err = errorOf(f.event === 'error' ? d : d.error);
      if (this.sending === e) this.finishSend(e, err);
      else { this.settling.delete(e.messageId!); e.settled?.reject(err); }
    }
  }

  /** After a reconnect the answer's requestId is gone; a durable status update settles the send too. */
  private settleByStatus(d: any) {
    const e = this.settling.get(d?.messageId);
    if (!e) return;
    if (SETTLED_STATUSES.has(d.status)) {
      this.settling.delete(d.messageId);
      e.settled?.resolve({ messageId: d.messageId, waMessageId: d.waMessageId, timestamp: d.timestamp });
    } else if (d.status === 'failed') {
      this.settling.delete(d.messageId);
      e.settled?.reject(errorOf({ code: 'whatsapp_error', message: 'send failed', ...d.error }));
    }
  }
}
