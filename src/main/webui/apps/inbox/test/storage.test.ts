import { describe, expect, it, vi } from 'vitest';
import { seqInBatches } from '../src/inbox.js';

describe('the page\'s storage', () => {
  it('writes lastSeq at most every 250 ms (the newest value), the send queue at once', async () => {
    vi.useFakeTimers();
    const writes: [string, unknown][] = [];
    const s = seqInBatches({ get: () => undefined, set: (k, v) => { writes.push([k, v]); } });
    for (let seq = 1; seq <= 100; seq++) s.set('x:lastSeq', seq);
    s.set('x:outbox', [{ clientMessageId: 'a' }]);
    expect(writes).toEqual([['x:outbox', [{ clientMessageId: 'a' }]]]);
    expect(s.get('x:lastSeq')).toBe(100); // reads see the pending value
    await vi.advanceTimersByTimeAsync(250);
    expect(writes).toEqual([['x:outbox', [{ clientMessageId: 'a' }]], ['x:lastSeq', 100]]);
    vi.useRealTimers();
  });
});
