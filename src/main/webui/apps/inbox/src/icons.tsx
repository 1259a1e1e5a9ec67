// Inline SVG icons (no icon font, nothing fetched). Status icons carry their accessible label.
import type { MessageStatus } from '@wagateway/client';

const LABELS: Partial<Record<MessageStatus, string>> = {
  pending: 'Pending', sent: 'Sent', delivered: 'Delivered', read: 'Read', played: 'Read', failed: 'Failed',
};

export function StatusIcon({ status, title }: { status: MessageStatus; title?: string }) {
  const label = LABELS[status];
  if (!label) return null;
  const cls = 'tick tick-' + (status === 'played' ? 'read' : status);
  return (
    <svg class={cls} role="img" aria-label={label} viewBox="0 0 18 12" width="18" height="12">
      <title>{title ? `${label}: ${title}` : label}</title>
      {status === 'pending' && <g fill="none" stroke="currentColor" stroke-width="1.4"><circle cx="9" cy="6" r="4.6" /><path d="M9 3.3V6l1.8 1.3" /></g>}
      {status === 'sent' && <path d="M3 6.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="1.6" />}
      {(status === 'delivered' || status === 'read' || status === 'played') &&
        <path d="M1 6.5l3 3 7-7M7 9.5l1 0.2 7-7.2" fill="none" stroke="currentColor" stroke-width="1.6" />}
      {status === 'failed' && <g><circle cx="9" cy="6" r="5.5" fill="currentColor" /><path d="M9 3v3.6M9 8.2v.9" stroke="#fff" stroke-width="1.6" /></g>}
    </svg>
  );
}

type P = { size?: number };
const svg = (d: string) => ({ size = 20 }: P) => (
  <svg viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false"><path d={d} fill="currentColor" /></svg>
);
export const IconSend = svg('M2 21l21-9L2 3v7l15 2-15 2z');
export const IconBack = svg('M20 11H7.8l5.6-5.6L12 4l-8 8 8 8 1.4-1.4L7.8 13H20z');
export const IconMoon = svg('M12 3a9 9 0 109 9c0-.5 0-1-.1-1.4A5.5 5.5 0 0113.4 3.1 9 9 0 0012 3z');
export const IconSun = svg('M12 7a5 5 0 100 10 5 5 0 000-10zM11 1h2v3h-2zm0 19h2v3h-2zM1 11h3v2H1zm19 0h3v2h-3zM4.2 5.6l1.4-1.4 2.1 2.1-1.4 1.4zm12.1 12.1l1.4-1.4 2.1 2.1-1.4 1.4zM4.2 18.4l2.1-2.1 1.4 1.4-2.1 2.1zM16.3 6.3l2.1-2.1 1.4 1.4-2.1 2.1z');
export const IconBell = svg('M12 22a2 2 0 002-2h-4a2 2 0 002 2zm6-6V11c0-3.1-1.6-5.6-4.5-6.3V4a1.5 1.5 0 00-3 0v.7C7.6 5.4 6 7.9 6 11v5l-2 2v1h16v-1z');
export const IconBellOff = svg('M20 18.7L4.3 3 3 4.3l3.3 3.3C6.1 8.6 6 9.8 6 11v5l-2 2v1h13.7l2 2 1.3-1.3zM12 22a2 2 0 002-2h-4a2 2 0 002 2zm6-6.8V11c0-3.1-1.6-5.6-4.5-6.3V4a1.5 1.5 0 00-3 0v.7c-.6.1-1.1.4-1.6.7z');
export const IconQr = svg('M3 3h8v8H3zm2 2v4h4V5zm8-2h8v8h-8zm2 2v4h4V5zM3 13h8v8H3zm2 2v4h4v-4zm8-2h3v3h-3zm3 3h3v3h-3zm-3 3h3v2h-3zm5-6h3v3h-3zm0 6h3v2h-3z');
export const IconKeys = svg('M20 5H4a2 2 0 00-2 2v10a2 2 0 002 2h16a2 2 0 002-2V7a2 2 0 00-2-2zm-9 3h2v2h-2zm0 3h2v2h-2zM8 8h2v2H8zm0 3h2v2H8zm-1 2H5v-2h2zm0-3H5V8h2zm9 7H8v-2h8zm0-4h-2v-2h2zm0-3h-2V8h2zm3 3h-2v-2h2zm0-3h-2V8h2z');
export const IconReply = svg('M10 9V5l-7 7 7 7v-4.1c5 0 8.5 1.6 11 5.1-1-5-4-10-11-11z');
export const IconSmile = svg('M12 2a10 10 0 100 20 10 10 0 000-20zm-3.5 6a1.5 1.5 0 110 3 1.5 1.5 0 010-3zm7 0a1.5 1.5 0 110 3 1.5 1.5 0 010-3zM12 17.5c-2.3 0-4.3-1.5-5-3.5h10c-.7 2-2.7 3.5-5 3.5z');
export const IconClose = svg('M19 6.4L17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z');
export const IconLogout = svg('M16 17v-3H9v-4h7V7l5 5-5 5zM14 2a2 2 0 012 2v2h-2V4H5v16h9v-2h2v2a2 2 0 01-2 2H5a2 2 0 01-2-2V4a2 2 0 012-2z');
export const IconPeople = svg('M16 11a3 3 0 100-6 3 3 0 000 6zm-8 0a3 3 0 100-6 3 3 0 000 6zm0 2c-2.3 0-7 1.2-7 3.5V19h14v-2.5C15 14.2 10.3 13 8 13zm8 0c-.3 0-.6 0-1 .1 1.2.8 2 2 2 3.4V19h6v-2.5c0-2.3-4.7-3.5-7-3.5z');
export const IconChat = svg('M12 2C6.5 2 2 6 2 10.9c0 2.6 1.3 5 3.4 6.6L4.5 22l4.7-2.5c.9.2 1.8.3 2.8.3 5.5 0 10-4 10-8.9S17.5 2 12 2z');
export const IconClip = svg('M16.5 6v11.5a4 4 0 01-8 0V5a2.5 2.5 0 015 0v10.5a1 1 0 01-2 0V6H10v9.5a2.5 2.5 0 005 0V5a4 4 0 00-8 0v12.5a5.5 5.5 0 0011 0V6z');
