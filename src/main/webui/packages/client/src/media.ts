// Media uploads (PROTOCOL.md 6.4): Meta's limits checked before a byte leaves the machine, then
// `POST /api/media` as multipart with the client's token, with upload progress where the platform
// has it (XMLHttpRequest in browsers; Node's fetch has none: 0 at the start, all at the end).
import { GatewayError } from './errors.js';
import type { MediaType, UploadedMedia } from './protocol.js';

const MB = 1024 * 1024;

/**
 * Meta's limits per media type: the MIME types it accepts (none listed: any) and the largest size.
 * A sticker is 100 KB static, 500 KB animated.
 */
export const MEDIA_LIMITS: Record<MediaType, { mimeTypes?: string[]; maxBytes: number }> = {
  image: { mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
  audio: { mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * MB },
  video: { mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
  document: { maxBytes: 100 * MB },
  sticker: { mimeTypes: ['image/webp'], maxBytes: 100 * 1024 },
};
const ANIMATED_STICKER_BYTES = 500 * 1024;

// What browsers call some of these (Chrome says audio/x-m4a for .m4a).
const ALIASES: Record<string, string> = { 'image/jpg': 'image/jpeg', 'audio/x-m4a': 'audio/mp4', 'audio/mp3': 'audio/mpeg' };

/** A refused upload: locally by Meta's limits, or by the gateway (413, 415, 502, ...). */
export class MediaError extends GatewayError {
  constructor(code: string, message: string, public status?: number, public limit?: number, public mediaType?: MediaType,
    metaCode?: number, details?: unknown) {
    super(code, message, metaCode, details);
    this.name = 'MediaError';
  }
}

export interface UploadOptions {
  /** Meta's media type; default: what the MIME type makes it (a type Meta takes as nothing else: document). */
  type?: MediaType;
  phoneNumberId?: string;
  /** The file name for a Blob (a File brings its own). */
  filename?: string;
  /** Bytes sent so far of `total`. Browsers: as the upload goes. Node: 0 at the start, `total` at the end. */
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
}

const mimeOf = (blob: Blob) => {
  const t = blob.type.split(';')[0]!.trim().toLowerCase();
  return ALIASES[t] ?? t;
};

/** The media type a MIME type is sent as when the caller names none. */
export function mediaTypeOf(mimeType: string): MediaType {
  const t = ALIASES[mimeType] ?? mimeType;
  return (['image', 'audio', 'video', 'sticker'] as const).find((type) => MEDIA_LIMITS[type].mimeTypes!.includes(t)) ?? 'document';
}

/** An animated WebP: a VP8X header with the animation flag (RIFF....WEBPVP8X, flags at byte 20). */
async function animatedWebp(blob: Blob) {
  const b = new Uint8Array(await blob.slice(0, 21).arrayBuffer());
  const tag = String.fromCharCode(...b.subarray(8, 16));
  return tag === 'WEBPVP8X' && (b[20]! & 2) !== 0;
}

const mb = (n: number) => (n >= MB ? `${Math.round(n / MB * 10) / 10} MB` : `${Math.round(n / 1024)} KB`);

/**
 * Checks `blob` against Meta's limits for its type; resolves the type it goes as, or rejects a
 * MediaError `payload_too_large` or `unsupported_media_type` (with `limit` and `mediaType`). A blob
 * without a MIME type is left to the gateway, which sniffs the bytes.
 */
export async function checkMedia(blob: Blob, type?: MediaType): Promise<MediaType> {
  const mime = mimeOf(blob);
  const t = type ?? mediaTypeOf(mime);
  const rule = MEDIA_LIMITS[t];
  if (!rule) throw new MediaError('bad_request', `unknown media type ${t}`);
  if (mime && rule.mimeTypes && !rule.mimeTypes.includes(mime)) {
    throw new MediaError('unsupported_media_type', `WhatsApp takes no ${mime} as ${t}`, undefined, undefined, t);
  }
  const max = t === 'sticker' && blob.size > rule.maxBytes && await animatedWebp(blob) ? ANIMATED_STICKER_BYTES : rule.maxBytes;
  if (blob.size > max) {
    throw new MediaError('payload_too_large', `${mb(blob.size)} is over WhatsApp's ${mb(max)} for ${t}`, undefined, max, t);
  }
  return t;
}

// when a proxy rather than the gateway answered (the gateway's problem+json has its own `code`)
const CODES: Record<number, string> = { 401: 'unauthorized', 413: 'payload_too_large', 415: 'unsupported_media_type', 502: 'whatsapp_error' };

/** A problem+json answer (or anything else a proxy says) as a MediaError. */
function refused(status: number, text: string, type: MediaType) {
  let p: any = {};
  try { p = JSON.parse(text); } catch { /* not JSON: a proxy's page */ }
  return new MediaError(p.code ?? CODES[status] ?? 'internal', p.detail ?? p.title ?? `upload refused (${status})`,
    status, undefined, type, p.metaCode, p.details);
}

type Sent = { status: number; text: string };
const cancelled = () => new MediaError('aborted', 'upload cancelled');

function viaXhr(url: string, token: string, form: FormData, total: number, o: UploadOptions): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    xhr.open('POST', url);
    xhr.setRequestHeader('Authorization', 'Bearer ' + token);
    xhr.upload.onprogress = (e) => o.onProgress?.(e.loaded, e.lengthComputable ? e.total : total);
    xhr.onload = () => { o.signal?.removeEventListener('abort', abort); resolve({ status: xhr.status, text: xhr.responseText }); };
    xhr.onerror = () => reject(new MediaError('disconnected', 'upload failed: network error'));
    xhr.onabort = () => reject(cancelled());
    o.signal?.addEventListener('abort', abort);
    xhr.send(form);
  });
}

async function viaFetch(url: string, token: string, form: FormData, total: number, o: UploadOptions): Promise<Sent> {
  o.onProgress?.(0, total);
  let r: Response;
  try {
    r = await fetch(url, { method: 'POST', body: form, signal: o.signal,
      headers: { Authorization: 'Bearer ' + token } });
  } catch (e) {
    throw o.signal?.aborted ? cancelled() : new MediaError('disconnected', 'upload failed: ' + e);
  }
  const text = await r.text();
  if (r.ok) o.onProgress?.(total, total);
  return { status: r.status, text };
}

/** `POST {apiBase}media`: checks, uploads, resolves `{mediaId, mimeType, size, filename, type}`. */
export async function upload(apiBase: string, getToken: () => string | Promise<string>, blob: Blob,
  o: UploadOptions = {}): Promise<UploadedMedia> {
  if (o.signal?.aborted) throw cancelled();
  const type = await checkMedia(blob, o.type);
  const token = await getToken();
  const form = new FormData();
  form.append('type', type);
  if (o.phoneNumberId) form.append('phoneNumberId', o.phoneNumberId);
  form.append('file', blob, o.filename ?? (blob as File).name ?? 'file');
  if (o.signal?.aborted) throw cancelled();
  const send = typeof XMLHttpRequest === 'function' ? viaXhr : viaFetch;
  const { status, text } = await send(apiBase + 'media', token, form, blob.size, o);
  if (status !== 201 && status !== 200) throw refused(status, text, type);
  return { ...JSON.parse(text), type };
}
