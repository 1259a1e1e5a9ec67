// Outgoing typing indicators, debounced: one typing_start when typing begins (repeated every
// `repeatMs` while it goes on, since the server forgets a typist after 10 s), one typing_stop after
// `idleMs` without a keystroke, on send, or when the conversation changes.
export interface TypingTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TypingTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class TypingSender {
  private conversationId: string | null = null;
  private startedAt = 0;
  private idle: unknown = null;

  constructor(
    private send: (event: 'typing_start' | 'typing_stop', conversationId: string) => void,
    private idleMs = 2500,
    private repeatMs = 6000,
    private timers: TypingTimers = realTimers,
  ) {}

  /** A keystroke in the composer of `conversationId`. */
  input(conversationId: string) {
    if (this.conversationId && this.conversationId !== conversationId) this.stop();
    const now = this.timers.now();
    if (this.conversationId !== conversationId || now - this.startedAt >= this.repeatMs) {
      this.conversationId = conversationId;
      this.startedAt = now;
      this.send('typing_start', conversationId);
    }
    if (this.idle !== null) this.timers.clearTimeout(this.idle);
    this.idle = this.timers.setTimeout(() => this.stop(), this.idleMs);
  }

  /** Sent, left, or idle: typing_stop once, if a start went out. */
  stop() {
    if (this.idle !== null) this.timers.clearTimeout(this.idle);
    this.idle = null;
    const id = this.conversationId;
    this.conversationId = null;
    if (id) this.send('typing_stop', id);
  }
}

/**
 * Coalesces calls into one per animation frame (or per 50 ms where there are no frames), and at
 * most one per `minGapMs`: a flood of server events costs a few renders a second, not sixty.
 */
export function coalesce(fn: () => void, schedule: (cb: () => void) => void = defaultSchedule, minGapMs = 0,
  now: () => number = () => Date.now()): () => void {
  let queued = false;
  let last = -Infinity;
  const run = () => schedule(() => { queued = false; last = now(); fn(); });
  return () => {
    if (queued) return;
    queued = true;
    const wait = last + minGapMs - now();
    if (wait > 0) setTimeout(run, wait);
    else run();
  };
}

function defaultSchedule(cb: () => void) {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState === 'visible') {
    requestAnimationFrame(cb);
  } else {
    setTimeout(cb, 50);
  }
}
