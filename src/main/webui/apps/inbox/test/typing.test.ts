import { describe, expect, it } from 'vitest';
import { TypingSender, coalesce, type TypingTimers } from '../src/typing.js';

function fakeTimers() {
  let now = 0;
  let tasks: { at: number; fn: () => void; id: number }[] = [];
  let next = 0;
  const timers: TypingTimers = {
    now: () => now,
    setTimeout: (fn, ms) => { const id = ++next; tasks.push({ at: now + ms, fn, id }); return id; },
    clearTimeout: (id) => { tasks = tasks.filter((t) => t.id !== id); },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = tasks.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      tasks = tasks.filter((t) => t !== due);
      now = due.at;
      due.fn();
    }
    now = end;
  };
  return { timers, advance };
}

describe('typing indicators', () => {
  it('send one start per burst of keystrokes and one stop when they pause', () => {
    const { timers, advance } = fakeTimers();
    const sent: string[] = [];
    const t = new TypingSender((e, id) => sent.push(`${e}:${id}`), 2500, 6000, timers);
    for (let i = 0; i < 10; i++) { t.input('c1'); advance(200); }
    expect(sent).toEqual(['typing_start:c1']);
    advance(2500);
    expect(sent).toEqual(['typing_start:c1', 'typing_stop:c1']);
  });

  it('repeat the start while typing goes on (the server forgets a typist after 10 s)', () => {
    const { timers, advance } = fakeTimers();
    const sent: string[] = [];
    const t = new TypingSender((e) => sent.push(e), 2500, 6000, timers);
    for (let i = 0; i < 40; i++) { t.input('c1'); advance(300); }
    expect(sent.filter((e) => e === 'typing_start').length).toBe(2);
    expect(sent.filter((e) => e === 'typing_stop').length).toBe(0);
  });

  it('stop on send and when the conversation changes, and only once', () => {
    const { timers, advance } = fakeTimers();
    const sent: string[] = [];
    const t = new TypingSender((e, id) => sent.push(`${e}:${id}`), 2500, 6000, timers);
    t.input('c1');
    t.input('c2');
    t.stop();
    t.stop();
    advance(10_000);
    expect(sent).toEqual(['typing_start:c1', 'typing_stop:c1', 'typing_start:c2', 'typing_stop:c2']);
  });
});

describe('coalesce', () => {
  it('leaves at least minGapMs between two runs', async () => {
    let t = 0;
    const runs: number[] = [];
    const f = coalesce(() => runs.push(t), (cb) => cb(), 100, () => t);
    f();
    expect(runs).toEqual([0]);
    t = 30;
    f();
    f();
    expect(runs).toEqual([0]); // waits for the rest of the gap (70 ms)
    t = 100;
    await new Promise((r) => setTimeout(r, 40));
    expect(runs).toEqual([0]);
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toEqual([0, 100]);
  });

  it('runs once per scheduled frame however often it is called', () => {
    const frames: (() => void)[] = [];
    let runs = 0;
    const f = coalesce(() => runs++, (cb) => frames.push(cb));
    f(); f(); f();
    expect(frames.length).toBe(1);
    frames.shift()!();
    expect(runs).toBe(1);
    f();
    expect(frames.length).toBe(1);
  });
});
