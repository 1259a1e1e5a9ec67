// The page's pure media logic: sizes and labels as a person reads them, the file a drop or a paste
// carries, the sentence for a refused attachment, and what is attached in the composer. No DOM
// rendering here: unit-tested in test/media.test.ts.
import { MEDIA_LIMITS, MediaError, checkMedia, mediaTypeOf, type Media, type MediaType } from '@wagateway/client';

const KB = 1024;
const MB = 1024 * KB;

/** 512 B, 12 KB, 3.4 MB (binary units, as Meta's limits are meant). */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < KB) return `${bytes} B`;
  if (bytes < MB) return `${Math.round(bytes / KB)} KB`;
  const mb = bytes / MB;
  return `${mb < 10 ? Math.round(mb * 10) / 10 : Math.round(mb)} MB`;
}

const NOUNS: Record<string, string> = { image: 'Photo', video: 'Video', audio: 'Audio', document: 'Document', sticker: 'Sticker' };
/** "Photo", "Video", ...: what the bubble and its placeholder call a media type. */
export const mediaNoun = (type: string) => NOUNS[type] ?? 'File';

/** What to show for a message's media: the media itself, a placeholder while it is fetched, or that it is gone. */
export type MediaView = 'show' | 'pending' | 'unavailable' | 'sending';
export function mediaView(media: Media | undefined, local?: boolean): MediaView {
  if (!media) return 'pending';
  if (media.status === 'unavailable') return 'unavailable';
  if (media.status === 'pending') return 'pending';
  return media.url ? 'show' : local ? 'sending' : 'pending';
}

/** The file a drop or a paste carries (the first; one attachment at a time), or null. */
export function fileOf(data: DataTransfer | null | undefined): File | null {
  if (!data) return null;
  if (data.files && data.files.length) return data.files[0]!;
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind === 'file') {
      const f = item.getAsFile();
      if (f) return f;
    }
  }
  return null;
}

/** A drag that carries files (not text or a link dragged inside the page). */
export const dragHasFiles = (data: DataTransfer | null | undefined) => !!data && Array.from(data.types ?? []).includes('Files');

/** The type an attachment is sent as: what its MIME type makes it, or a document when the agent says so. */
export const attachmentType = (file: Blob, asDocument: boolean): MediaType => (asDocument ? 'document' : mediaTypeOf(file.type));

/** Meta allows a caption on images, videos and documents only. */
export const takesCaption = (type: MediaType) => type === 'image' || type === 'video' || type === 'document';

const A: Record<MediaType, string> = { image: 'an image', video: 'a video', audio: 'audio', document: 'a document', sticker: 'a sticker' };

/** A person's sentence for a refused attachment: local limits and the gateway's 413/415/502 alike. */
export function refusalText(name: string, e: unknown): string {
  if (e instanceof MediaError) {
    const type = e.mediaType;
    if (e.code === 'payload_too_large' && type) {
      const limit = e.limit ?? MEDIA_LIMITS[type].maxBytes;
      const hint = type !== 'document' ? ' Send it as a document (up to 100 MB), or make it smaller.' : '';
      return `${name} is too large: WhatsApp takes ${A[type]} up to ${formatSize(limit)}.${hint}`;
    }
    if (e.code === 'unsupported_media_type' && type) {
      const list = MEDIA_LIMITS[type].mimeTypes?.map((t) => t.split('/')[1]!.toUpperCase()).join(', ');
      return `WhatsApp does not take ${name} as ${A[type]}${list ? ` (only ${list})` : ''}. Send it as a document instead.`;
    }
    if (e.code === 'aborted') return 'Upload cancelled.';
    if (e.code === 'whatsapp_error') return `WhatsApp refused ${name}: ${e.message}${e.details ? ` (${String(e.details)})` : ''}`;
    if (e.code === 'unauthorized') return `${name} was not uploaded: the sign-in has expired. Reload the page.`;
  }
  const message = (e as { message?: string })?.message ?? String(e);
  return `${name} was not uploaded: ${message}`;
}

/** The attachment in the composer: its file, the type it goes as, the check's verdict, the upload's progress. */
export interface Attachment {
  file: File;
  type: MediaType;
  asDocument: boolean;
  /** The refusal, as a sentence (set by the check or by the upload). */
  error?: string;
  /** The upload failed for a reason other than the file (network, WhatsApp): "Send file" tries again. */
  retryable?: boolean;
  /** 0..1 while uploading; undefined before. */
  progress?: number;
}

/** Checks a file as it would be sent; the attachment says what went wrong instead of throwing. */
export async function attach(file: File, asDocument = false): Promise<Attachment> {
  const type = attachmentType(file, asDocument);
  try {
    await checkMedia(file, type);
    return { file, type, asDocument };
  } catch (e) {
    return { file, type, asDocument, error: refusalText(file.name || 'The file', e) };
  }
}

/** "JPEG · 1.2 MB": a document chip's second line. */
export function fileMeta(filename: string | undefined, mimeType: string | undefined, size: number | undefined): string {
  const ext = /\.([a-z0-9]{1,8})$/i.exec(filename ?? '')?.[1] ?? mimeType?.split('/')[1]?.split(/[.+;-]/).pop() ?? '';
  return [ext.toUpperCase(), formatSize(size)].filter(Boolean).join(' · ');
}
