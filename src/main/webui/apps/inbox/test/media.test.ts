import { describe, expect, it } from 'vitest';
import { MediaError, type Message } from '@wagateway/client';
import {
  attach, attachmentType, dragHasFiles, fileMeta, fileOf, formatSize, mediaNoun, mediaView, refusalText, takesCaption,
} from '../src/media.js';
import { Thread } from '../src/store.js';

const MB = 1024 * 1024;
/** A File of any size without allocating it. */
const file = (name: string, type: string, size: number) => {
  const f = new File([], name, { type });
  Object.defineProperty(f, 'size', { value: size });
  return f;
};

describe('sizes and labels', () => {
  it('formats sizes as a person reads them', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(12 * 1024 + 300)).toBe('12 KB');
    expect(formatSize(3.44 * MB)).toBe('3.4 MB');
    expect(formatSize(16 * MB)).toBe('16 MB');
    expect(formatSize(undefined)).toBe('');
    expect(formatSize(-1)).toBe('');
  });

  it('names the kinds and a document chip\'s second line', () => {
    expect(mediaNoun('image')).toBe('Photo');
    expect(mediaNoun('document')).toBe('Document');
    expect(mediaNoun('contacts')).toBe('File');
    expect(fileMeta('invoice.pdf', 'application/pdf', 48_000)).toBe('PDF · 47 KB');
    expect(fileMeta(undefined, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', undefined)).toBe('DOCUMENT');
    expect(fileMeta('notes', undefined, 10)).toBe('10 B');
  });

  it('captions only where Meta takes them', () => {
    expect(['image', 'video', 'document'].every((t) => takesCaption(t as any))).toBe(true);
    expect(takesCaption('audio')).toBe(false);
    expect(takesCaption('sticker')).toBe(false);
  });
});

describe('what a message\'s media shows', () => {
  const media = (status: 'pending' | 'available' | 'unavailable', url = '/api/media/m1?sig=s') =>
    ({ id: 'm1', mimeType: 'image/jpeg', status, url });
  it('the media when available, a placeholder while pending, a note when unavailable', () => {
    expect(mediaView(media('available'))).toBe('show');
    expect(mediaView(media('pending'))).toBe('pending');
    expect(mediaView(media('unavailable'))).toBe('unavailable');
    expect(mediaView(undefined)).toBe('pending');
    // an own send of a document has no URL until the gateway's message comes
    expect(mediaView(media('available', ''), true)).toBe('sending');
  });

  it('message_updated turns the pending placeholder into the media, in place (same id)', () => {
    const t = new Thread();
    const base: Message = { id: 'in1', conversationId: 'c', direction: 'inbound', isOutgoing: false, from: '1', to: '2',
      type: 'image', content: 'receipt', status: 'received', timestamp: '2026-01-01T10:00:00Z', media: media('pending', '/api/media/m1?sig=a') };
    t.merge(base);
    t.merge({ ...base, id: 'in2', type: 'text', content: 'after', timestamp: '2026-01-01T10:00:01Z', media: undefined });
    expect(mediaView(t.get('in1')!.media)).toBe('pending');
    t.merge({ ...base, media: media('available', '/api/media/m1?sig=b') });
    expect(t.messages.map((m) => m.id)).toEqual(['in1', 'in2']);
    expect(t.get('in1')!.media).toMatchObject({ status: 'available', url: '/api/media/m1?sig=b' });
    expect(mediaView(t.get('in1')!.media)).toBe('show');
  });
});

describe('an own photo', () => {
  it('shows from the file until the gateway\'s message replaces it; the blob: URL is then released', () => {
    const t = new Thread();
    const blob = URL.createObjectURL(new Blob(['x'], { type: 'image/png' }));
    const local = { id: 'local:k1', clientMessageId: 'k1', conversationId: 'c', direction: 'outbound' as const, isOutgoing: true,
      from: '2', to: '1', type: 'image', status: 'pending' as const, timestamp: '2026-01-01T10:00:00Z', local: true,
      media: { id: 'md', mimeType: 'image/png', status: 'available' as const, url: blob } };
    t.merge(local);
    const released: string[] = [];
    const revoke = URL.revokeObjectURL;
    URL.revokeObjectURL = (u: string) => { released.push(u); revoke(u); };
    try {
      t.merge({ ...local, id: 'srv1', local: undefined, media: { ...local.media, url: '/api/media/md?sig=s' } });
    } finally {
      URL.revokeObjectURL = revoke;
    }
    expect(t.messages.map((m) => [m.id, m.media?.url])).toEqual([['srv1', '/api/media/md?sig=s']]);
    expect(released).toEqual([blob]);
  });
});

describe('attaching', () => {
  it('checks the limits when the file is chosen and says what is wrong in a sentence', async () => {
    const ok = await attach(file('cat.png', 'image/png', 2 * MB));
    expect(ok).toMatchObject({ type: 'image', asDocument: false });
    expect(ok.error).toBeUndefined();
    const big = await attach(file('holiday.jpg', 'image/jpeg', 6 * MB));
    expect(big.error).toBe('holiday.jpg is too large: WhatsApp takes an image up to 5 MB. Send it as a document (up to 100 MB), or make it smaller.');
    // the same file as a document is fine
    expect((await attach(big.file, true)).error).toBeUndefined();
    const huge = await attach(file('backup.zip', 'application/zip', 101 * MB));
    expect(huge.error).toBe('backup.zip is too large: WhatsApp takes a document up to 100 MB.');
  });

  it('sends what Meta takes as nothing else as a document; the agent can choose document', () => {
    expect(attachmentType(file('a.gif', 'image/gif', 1), false)).toBe('document');
    expect(attachmentType(file('a.mp4', 'video/mp4', 1), false)).toBe('video');
    expect(attachmentType(file('a.mp4', 'video/mp4', 1), true)).toBe('document');
    expect(attachmentType(file('a.webp', 'image/webp', 1), false)).toBe('sticker');
  });

  it('words the gateway\'s refusals too', () => {
    expect(refusalText('a.png', new MediaError('unsupported_media_type', 'x', 415, undefined, 'image')))
      .toBe('WhatsApp does not take a.png as an image (only JPEG, PNG). Send it as a document instead.');
    expect(refusalText('a.png', new MediaError('whatsapp_error', 'Meta refused the upload', 502, undefined, 'image', 131053, 'bad file')))
      .toBe('WhatsApp refused a.png: Meta refused the upload (bad file)');
    expect(refusalText('a.png', new MediaError('aborted', 'upload cancelled'))).toBe('Upload cancelled.');
    expect(refusalText('a.png', new Error('boom'))).toBe('a.png was not uploaded: boom');
  });

  it('takes the first file of a drop or a paste, and only drags that carry files', () => {
    const f = file('x.pdf', 'application/pdf', 3);
    expect(fileOf({ files: [f] as unknown as FileList, items: [] } as unknown as DataTransfer)).toBe(f);
    const items = [{ kind: 'string', getAsFile: () => null }, { kind: 'file', getAsFile: () => f }];
    expect(fileOf({ files: [] as unknown as FileList, items } as unknown as DataTransfer)).toBe(f);
    expect(fileOf({ files: [] as unknown as FileList, items: [items[0]] } as unknown as DataTransfer)).toBeNull();
    expect(fileOf(null)).toBeNull();
    expect(dragHasFiles({ types: ['Files'] } as unknown as DataTransfer)).toBe(true);
    expect(dragHasFiles({ types: ['text/plain'] } as unknown as DataTransfer)).toBe(false);
  });
});
