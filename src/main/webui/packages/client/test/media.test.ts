// Media (PROTOCOL.md 6.4): Meta's limits before the upload, POST /api/media against a real HTTP
// server on Node (fetch), upload progress and abort through XMLHttpRequest as browsers have it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayClient, MEDIA_LIMITS, MediaError, checkMedia, memoryStorage, mediaTypeOf } from '../src/index.js';
import { FakeSocket, jwt, inMinutes } from './fake.js';

const MB = 1024 * 1024;
/** A Blob-like of any size without allocating it (checkMedia reads size, type and, for stickers, slice). */
const sized = (size: number, type: string, head = new Uint8Array(0)) =>
  ({ size, type, slice: (a: number, b: number) => new Blob([head.slice(a, b)]) }) as unknown as Blob;
const webp = (animated: boolean) => {
  const h = new Uint8Array(30);
  h.set(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8X'), 0);
  h[20] = animated ? 0x02 : 0x00;
  return h;
};

async function refusal(p: Promise<unknown>): Promise<MediaError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(MediaError);
    return e as MediaError;
  }
  throw new Error('expected a refusal');
}

describe("Meta's limits, checked before anything is sent", () => {
  it('takes an image up to 5 MB and refuses one byte more, saying the limit', async () => {
    expect(await checkMedia(sized(5 * MB, 'image/png'))).toBe('image');
    const e = await refusal(checkMedia(sized(5 * MB + 1, 'image/jpeg')));
    expect(e.code).toBe('payload_too_large');
    expect(e.limit).toBe(5 * MB);
    expect(e.mediaType).toBe('image');
    expect(e.message).toMatch(/5 MB/);
  });

  it('audio and video up to 16 MB, documents up to 100 MB', async () => {
    expect(await checkMedia(sized(16 * MB, 'audio/ogg'))).toBe('audio');
    expect((await refusal(checkMedia(sized(16 * MB + 1, 'audio/mpeg')))).limit).toBe(16 * MB);
    expect(await checkMedia(sized(16 * MB, 'video/mp4'))).toBe('video');
    expect((await refusal(checkMedia(sized(16 * MB + 1, 'video/3gpp')))).code).toBe('payload_too_large');
    expect(await checkMedia(sized(100 * MB, 'application/pdf'))).toBe('document');
    expect((await refusal(checkMedia(sized(100 * MB + 1, 'application/pdf')))).limit).toBe(100 * MB);
  });

  it('a sticker: 100 KB static, 500 KB animated (the VP8X animation flag)', async () => {
    expect(await checkMedia(sized(100 * 1024, 'image/webp', webp(false)))).toBe('sticker');
    expect((await refusal(checkMedia(sized(100 * 1024 + 1, 'image/webp', webp(false))))).limit).toBe(100 * 1024);
    expect(await checkMedia(sized(500 * 1024, 'image/webp', webp(true)))).toBe('sticker');
    expect((await refusal(checkMedia(sized(500 * 1024 + 1, 'image/webp', webp(true))))).limit).toBe(500 * 1024);
  });

  it('refuses a MIME type Meta does not take for the type asked for (415 locally)', async () => {
    const e = await refusal(checkMedia(sized(10, 'image/gif'), 'image'));
    expect(e.code).toBe('unsupported_media_type');
    expect(e.mediaType).toBe('image');
    expect((await refusal(checkMedia(sized(10, 'video/webm'), 'video'))).code).toBe('unsupported_media_type');
    expect((await refusal(checkMedia(sized(10, 'image/png'), 'sticker'))).code).toBe('unsupported_media_type');
    // anything goes as a document
    expect(await checkMedia(sized(10, 'image/gif'), 'document')).toBe('document');
  });

  it('without a type: what the MIME type makes it, a document when Meta takes it as nothing else', () => {
    expect(mediaTypeOf('image/jpeg')).toBe('image');
    expect(mediaTypeOf('image/jpg')).toBe('image');
    expect(mediaTypeOf('image/webp')).toBe('sticker');
    expect(mediaTypeOf('audio/x-m4a')).toBe('audio');
    expect(mediaTypeOf('video/mp4')).toBe('video');
    expect(mediaTypeOf('image/gif')).toBe('document');
    expect(mediaTypeOf('video/webm')).toBe('document');
    expect(mediaTypeOf('')).toBe('document');
    expect(MEDIA_LIMITS.document.mimeTypes).toBeUndefined();
  });

  it('leaves a blob without a MIME type to the gateway (it sniffs the bytes), within the size of its type', async () => {
    expect(await checkMedia(sized(10, ''), 'image')).toBe('image');
    expect((await refusal(checkMedia(sized(5 * MB + 1, ''), 'image'))).code).toBe('payload_too_large');
  });
});

// ---- against a real HTTP server (Node: fetch) ----

interface Seen { method?: string; url?: string; auth?: string; contentType?: string; body: string }
let server: Server;
let base: string;
let seen: Seen[];
let answer: (req: IncomingMessage, res: ServerResponse, body: string) => void;

beforeEach(async () => {
  FakeSocket.all = [];
  seen = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, contentType: req.headers['content-type'], body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  vi.unstubAllGlobals();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function client(token = jwt(inMinutes(60)), extra = {}) {
  const getToken = vi.fn(async () => token);
  return { getToken, client: new GatewayClient({ url: `ws://${base}/ws`, getToken, WebSocket: FakeSocket as any, storage: memoryStorage(), ...extra }) };
}
const json = (res: ServerResponse, status: number, body: object, type = 'application/json') => {
  res.writeHead(status, { 'Content-Type': type });
  res.end(JSON.stringify(body));
};
const png = () => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4])], 'cat.png', { type: 'image/png' });

describe('uploadMedia (Node: fetch)', () => {
  it('POSTs multipart to /api/media with the current token, type and number; resolves the answer and the type', async () => {
    answer = (_req, res) => json(res, 201, { mediaId: 'med-1', mimeType: 'image/png', size: 8, filename: 'cat.png' });
    const token = jwt(inMinutes(30));
    const { client: c, getToken } = client(token);
    const progress: [number, number][] = [];
    const up = await c.uploadMedia(png(), { phoneNumberId: 'pn-2', onProgress: (l, t) => progress.push([l, t]) });
    expect(up).toEqual({ mediaId: 'med-1', mimeType: 'image/png', size: 8, filename: 'cat.png', type: 'image' });
    expect(getToken).toHaveBeenCalledTimes(1);
    const s = seen[0]!;
    expect([s.method, s.url, s.auth]).toEqual(['POST', '/api/media', 'Bearer ' + token]);
    expect(s.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(s.body).toMatch(/name="type"\r\n\r\nimage\r\n/);
    expect(s.body).toMatch(/name="phoneNumberId"\r\n\r\npn-2\r\n/);
    expect(s.body).toMatch(/name="file"; filename="cat.png"\r\nContent-Type: image\/png/);
    // Node's fetch reports no upload progress: the start and the end
    expect(progress).toEqual([[0, 8], [8, 8]]);
  });

  it('sends nothing when the file is over the limit', async () => {
    answer = (_req, res) => json(res, 201, {});
    const { client: c, getToken } = client();
    const big = new File([new Uint8Array(100 * 1024 + 1)], 's.webp', { type: 'image/webp' });
    expect((await refusal(c.uploadMedia(big))).code).toBe('payload_too_large');
    expect(seen).toEqual([]);
    expect(getToken).not.toHaveBeenCalled();
  });

  it.each([
    [413, { code: 'payload_too_large', detail: 'the file is larger than 5 MB' }, 'payload_too_large'],
    [415, { code: 'unsupported_media_type', detail: 'image/gif cannot be sent as image' }, 'unsupported_media_type'],
    [502, { code: 'whatsapp_error', detail: 'Meta refused the upload', metaCode: 131053, details: 'Media upload error' }, 'whatsapp_error'],
  ])('maps the gateway\'s %i problem to a MediaError with its code', async (status, problem, code) => {
    answer = (_req, res) => json(res, status, { type: 'about:blank', title: 'x', status, ...problem }, 'application/problem+json');
    const { client: c } = client();
    const e = await refusal(c.uploadMedia(png()));
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
    expect(e.message).toBe(problem.detail);
    expect(e.mediaType).toBe('image');
    if (status === 502) {
      expect(e.metaCode).toBe(131053);
      expect(e.details).toBe('Media upload error');
    }
  });

  it('a proxy\'s page without a problem body still gets the code of its status', async () => {
    answer = (_req, res) => { res.writeHead(413, { 'Content-Type': 'text/html' }); res.end('<h1>Request Entity Too Large</h1>'); };
    const e = await refusal(client().client.uploadMedia(png()));
    expect([e.code, e.status]).toEqual(['payload_too_large', 413]);
  });

  it('aborts with the signal (aborted), before and during the upload', async () => {
    answer = () => { /* never answers */ };
    const { client: c } = client();
    const before = new AbortController();
    before.abort();
    expect((await refusal(c.uploadMedia(png(), { signal: before.signal }))).code).toBe('aborted');
    const during = new AbortController();
    const p = c.uploadMedia(png(), { signal: during.signal });
    await vi.waitFor(() => expect(seen.length).toBe(1));
    during.abort();
    expect((await refusal(p)).code).toBe('aborted');
  });

  it('finds the HTTP API beside the WebSocket (ws -> http, wss -> https, a path prefix kept) or at httpUrl', () => {
    const make = (url: string, httpUrl?: string) => new GatewayClient({ url, httpUrl, getToken: () => 't', WebSocket: FakeSocket as any, storage: memoryStorage() });
    expect(make('wss://gw.example/ws').mediaUrl({ url: '/api/media/m1?sig=a.b' })).toBe('https://gw.example/api/media/m1?sig=a.b');
    expect(make('ws://gw:8080/chat/ws').mediaUrl({ url: '/api/media/m1?sig=s' })).toBe('http://gw:8080/chat/api/media/m1?sig=s');
    expect(make('ws://gw/ws', 'https://api.example/gw').mediaUrl({ url: '/api/media/m2?sig=s' })).toBe('https://api.example/gw/api/media/m2?sig=s');
    vi.stubGlobal('location', { href: 'https://inbox.example/app/' });
    expect(make('/ws').mediaUrl({ url: '/api/media/m3?sig=s' })).toBe('https://inbox.example/api/media/m3?sig=s');
  });
});

// ---- XMLHttpRequest, as browsers have it ----

class FakeXhr {
  static last: FakeXhr;
  headers: Record<string, string> = {};
  method = ''; url = ''; body: unknown; aborted = false;
  status = 0; responseText = '';
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() { FakeXhr.last = this; }
  open(method: string, url: string) { this.method = method; this.url = url; }
  setRequestHeader(k: string, v: string) { this.headers[k] = v; }
  send(body: unknown) { this.body = body; }
  abort() { this.aborted = true; this.onabort?.(); }
  respond(status: number, body: object) { this.status = status; this.responseText = JSON.stringify(body); this.onload?.(); }
}

describe('uploadMedia (browsers: XMLHttpRequest)', () => {
  beforeEach(() => {
    FakeXhr.last = undefined as unknown as FakeXhr;
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
  });

  it('reports the upload progress as it goes and resolves on 201', async () => {
    const token = jwt(inMinutes(10));
    const { client: c } = client(token);
    const progress: [number, number][] = [];
    const p = c.uploadMedia(png(), { onProgress: (l, t) => progress.push([l, t]) });
    await vi.waitFor(() => expect(FakeXhr.last?.body).toBeInstanceOf(FormData));
    const x = FakeXhr.last;
    expect([x.method, x.url, x.headers.Authorization]).toEqual(['POST', `http://${base}/api/media`, 'Bearer ' + token]);
    expect((x.body as FormData).get('type')).toBe('image');
    expect(((x.body as FormData).get('file') as File).name).toBe('cat.png');
    x.upload.onprogress!({ loaded: 3, total: 8, lengthComputable: true });
    x.upload.onprogress!({ loaded: 8, total: 8, lengthComputable: true });
    x.respond(201, { mediaId: 'med-9', mimeType: 'image/png', size: 8, filename: 'cat.png' });
    expect((await p).mediaId).toBe('med-9');
    expect(progress).toEqual([[3, 8], [8, 8]]);
  });

  it('aborts the request with the signal', async () => {
    const { client: c } = client();
    const ctl = new AbortController();
    const p = c.uploadMedia(png(), { signal: ctl.signal });
    await vi.waitFor(() => expect(FakeXhr.last?.body).toBeInstanceOf(FormData));
    ctl.abort();
    expect(FakeXhr.last.aborted).toBe(true);
    expect((await refusal(p)).code).toBe('aborted');
  });

  it('maps a 415 problem the same way', async () => {
    const p = client().client.uploadMedia(png());
    await vi.waitFor(() => expect(FakeXhr.last?.body).toBeInstanceOf(FormData));
    FakeXhr.last.respond(415, { status: 415, code: 'unsupported_media_type', detail: 'not a PNG after all' });
    const e = await refusal(p);
    expect([e.code, e.status, e.message]).toEqual(['unsupported_media_type', 415, 'not a PNG after all']);
  });
});
