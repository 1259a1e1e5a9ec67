// Where the page's JWT comes from. Kept in memory only (never localStorage, never the URL):
// - a `#token=` fragment handed over by a host application (taken and removed from the address bar at once);
// - cloud mode: `app.inbox.token-url`, fetched with credentials, answering `{token}`;
// - sandbox mode: the sign-in form, `GET /api/sandbox/token`.
export interface InboxConfig { sandbox: boolean; tokenUrl?: string | null }
export interface Identity { userId: string; name: string; tenant: string; roles: string[]; exp: number }
export type Role = 'agent' | 'supervisor' | 'admin';

/** Reads and removes `#token=...` before anything else runs (so that it is not left in history). */
export function takeFragmentToken(loc: Location = location, hist: History = history): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(loc.hash);
  if (!m) return null;
  const rest = loc.hash.replace(/^#/, '').split('&').filter((p) => !p.startsWith('token=')).join('&');
  hist.replaceState(hist.state, '', loc.pathname + loc.search + (rest ? '#' + rest : ''));
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}

export async function loadConfig(): Promise<InboxConfig> {
  try {
    const r = await fetch('/api/inbox/config', { headers: { Accept: 'application/json' } });
    if (r.ok) return await r.json();
  } catch { /* an older gateway: assume cloud mode without a token URL */ }
  return { sandbox: false };
}

export function identityOf(token: string): Identity {
  const part = token.split('.')[1] ?? '';
  const json = JSON.parse(decodeURIComponent(escape(atob(part.replace(/-/g, '+').replace(/_/g, '/')))));
  const roles: string[] = Array.isArray(json.groups) ? json.groups : [];
  return { userId: String(json.sub ?? ''), name: String(json.name ?? json.sub ?? ''), tenant: String(json.tenant ?? ''),
    roles, exp: typeof json.exp === 'number' ? json.exp * 1000 : Infinity };
}

/** The id a sandbox name becomes: "Ana María" -> "ana-maria". */
export function userIdOf(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '').slice(0, 48) || 'agent';
}

export function rolesFor(role: Role): string[] {
  return role === 'admin' ? ['agent', 'supervisor', 'admin'] : role === 'supervisor' ? ['agent', 'supervisor'] : ['agent'];
}

export async function sandboxToken(name: string, role: Role): Promise<string> {
  const q = new URLSearchParams({ user: userIdOf(name), name: name.trim(), roles: rolesFor(role).join(',') });
  const r = await fetch('/api/sandbox/token?' + q, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`sign-in failed (${r.status})`);
  return (await r.json()).token;
}

export async function hostToken(url: string): Promise<string> {
  const r = await fetch(url, { credentials: 'include', headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`the token URL answered ${r.status}`);
  const body = await r.json();
  if (typeof body?.token !== 'string') throw new Error('the token URL did not answer {token}');
  return body.token;
}

/**
 * A `getToken` for the client: the current token while it has more than a minute left, else a
 * fresh one from `refresh` (none for a fragment token: the host hands over a new page instead).
 */
export function tokenSource(first: string, refresh?: () => Promise<string>) {
  let token = first;
  return async () => {
    if (refresh && identityOf(token).exp - Date.now() < 90_000) token = await refresh();
    return token;
  };
}
