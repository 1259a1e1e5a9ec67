// The typed events against the contract: every event PROTOCOL.md names must be in the client's
// lists (and so in its type maps, which events.ts ties to the lists). PROTOCOL.md is in the shared
// folder beside the repository (CI clones the repository with ../shared beside it), found from the
// repository root, not from the working directory; WAGATEWAY_PROTOCOL overrides the path.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CLIENT_EVENTS, DURABLE_EVENTS, SERVER_EVENTS } from '../src/events.js';

function protocolPath() {
  if (process.env.WAGATEWAY_PROTOCOL) return process.env.WAGATEWAY_PROTOCOL;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'mvnw'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root (with mvnw) not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return resolve(dir, '..', 'shared', 'PROTOCOL.md');
}

const text = readFileSync(protocolPath(), 'utf8');
const lines = text.split('\n');
const ident = /^[a-z]+(?:_[a-z]+)*$/;
const ticks = (s: string) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

// Error codes and other snake_case words of the contract that are not events.
const codesAt = lines.findIndex((l) => l.includes('Error codes:'));
const codesEnd = lines.findIndex((l, i) => i > codesAt && !/^\s{2,}\S/.test(l)); // the bullet's wrapped lines
const errorCodes = new Set(ticks(lines.slice(codesAt, codesEnd).join(' ')));
const NOT_EVENTS = new Set(['message_qrdls', 'unsupported_media_type', 'biz_opaque_callback_data']);

function section(start: string, end: RegExp) {
  const from = lines.findIndex((l) => l.startsWith(start));
  expect(from, start).toBeGreaterThanOrEqual(0);
  const to = lines.findIndex((l, i) => i > from && end.test(l));
  return lines.slice(from + 1, to < 0 ? undefined : to);
}
const cells = (row: string) => row.split(/(?<!\\)\|/).slice(1, -1);

function contractEvents() {
  const client = new Set<string>();
  const server = new Set<string>();
  for (const row of section('### Client -> server events', /^### /).filter((l) => l.startsWith('| `'))) {
    const [names, , answer] = cells(row);
    ticks(names!).forEach((n) => client.add(n));
    // answers: event-like words; a single word counts only when its payload follows (`pong` `{...}`)
    for (const m of answer!.matchAll(/`([a-z_]+)`(\s*`\{)?/g)) {
      if ((m[1]!.includes('_') || m[2]) && !errorCodes.has(m[1]!) && !NOT_EVENTS.has(m[1]!)) server.add(m[1]!);
    }
  }
  const durable = new Set<string>();
  for (const row of section('### Server -> client events', /^### /).filter((l) => l.startsWith('| `'))) {
    const [names, , isDurable] = cells(row);
    ticks(names!).forEach((n) => { server.add(n); if (isDurable!.trim() === 'yes') durable.add(n); });
  }
  // section 6: `request {...}` -> `answer`, pushed events, and new events in prose
  for (const l of section('## 6. Version 2 additions', /^## 7/)) {
    for (const m of l.matchAll(/`([a-z_]+) \{[^`]*\}`\s*->\s*`([a-z_]+)`/g)) { client.add(m[1]!); server.add(m[2]!); }
    for (const m of l.matchAll(/(?:pushed again as|one) `([a-z_]+)( \{[^`]*\})?`/g)) server.add(m[1]!);
    if (/\(a message; durable/.test(l)) durable.add('message_updated');
  }
  return { client, server, durable };
}

it('finds the contract', () => {
  const { client, server } = contractEvents();
  expect(client.size).toBeGreaterThan(20);
  expect(server.size).toBeGreaterThan(30);
});

it('types every client event of PROTOCOL.md', () => {
  const missing = [...contractEvents().client].filter((e) => !(CLIENT_EVENTS as readonly string[]).includes(e));
  expect(missing).toEqual([]);
});

it('types every server event of PROTOCOL.md', () => {
  const missing = [...contractEvents().server].filter((e) => !(SERVER_EVENTS as readonly string[]).includes(e));
  expect(missing).toEqual([]);
});

it('knows which events are durable', () => {
  expect([...contractEvents().durable].sort()).toEqual([...DURABLE_EVENTS].sort());
});

it('types nothing the contract does not name', () => {
  const { client, server } = contractEvents();
  expect(CLIENT_EVENTS.filter((e) => !client.has(e))).toEqual([]);
  expect(SERVER_EVENTS.filter((e) => !server.has(e))).toEqual([]);
});
