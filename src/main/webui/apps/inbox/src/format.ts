// Times and days as a person reads them, in the browser's locale and time zone.
// Formatters made once: toLocale*String with options builds a new Intl formatter on every call.
const TIME = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
const WEEKDAY = new Intl.DateTimeFormat([], { weekday: 'long' });
const DATE = new Intl.DateTimeFormat([], { year: 'numeric', month: 'long', day: 'numeric' });

export function timeOf(iso: string): string {
  const d = new Date(iso);
  return isNaN(d.getTime()) ? '' : TIME.format(d);
}

export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const start = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((start(now) - start(d)) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days > 1 && days < 7) return WEEKDAY.format(d);
  return DATE.format(d);
}

/** In the list: the time today, else the day. */
export function listTime(iso: string | undefined, now = new Date()): string {
  if (!iso) return '';
  const label = dayLabel(iso, now);
  return label === 'Today' ? timeOf(iso) : label;
}

export function initials(name: string): string {
  const parts = name.replace(/^\+/, '').trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return '?';
  if (/^\d/.test(parts[0]!)) return '#';
  return (parts[0]![0]! + (parts[1]?.[0] ?? '')).toUpperCase();
}

/** A stable hue per name, for avatars. */
export function hueOf(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 360;
  return h;
}
