import { describe, expect, it } from 'vitest';
import { identityOf, rolesFor, takeFragmentToken, tokenSource, userIdOf } from '../src/auth.js';

// UTF-8, as in a JWT
const b64 = (o: object) => btoa(unescape(encodeURIComponent(JSON.stringify(o))))
  .replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const jwt = (claims: object) => `${b64({ alg: 'RS256' })}.${b64(claims)}.sig`;

describe('signing in', () => {
  it('takes a #token= fragment and removes it from the address bar (other fragment parts stay)', () => {
    const replaced: string[] = [];
    const loc = { hash: '#view=x&token=abc.def.ghi', pathname: '/inbox', search: '?q=1' } as Location;
    const hist = { state: null, replaceState: (_s: unknown, _t: string, url: string) => replaced.push(url) } as unknown as History;
    expect(takeFragmentToken(loc, hist)).toBe('abc.def.ghi');
    expect(replaced).toEqual(['/inbox?q=1#view=x']);
    expect(takeFragmentToken({ hash: '', pathname: '/', search: '' } as Location, hist)).toBeNull();
  });

  it('reads who signed in from the token', () => {
    const me = identityOf(jwt({ sub: 'ana-maria', name: 'Ana María', tenant: 't1', groups: ['agent', 'supervisor'], exp: 2000000000 }));
    expect(me).toEqual({ userId: 'ana-maria', name: 'Ana María', tenant: 't1', roles: ['agent', 'supervisor'], exp: 2000000000000 });
  });

  it('makes sandbox user ids and roles from the form', () => {
    expect(userIdOf('Ana María')).toBe('ana-maria');
    expect(userIdOf('  ')).toBe('agent');
    expect(rolesFor('supervisor')).toEqual(['agent', 'supervisor']);
    expect(rolesFor('admin')).toEqual(['agent', 'supervisor', 'admin']);
  });

  it('asks for a fresh token only when the current one is about to expire', async () => {
    let asked = 0;
    const soon = jwt({ exp: Math.floor(Date.now() / 1000) + 30 });
    const later = jwt({ exp: Math.floor(Date.now() / 1000) + 3600 });
    const get = tokenSource(soon, async () => { asked++; return later; });
    expect(await get()).toBe(later);
    expect(await get()).toBe(later);
    expect(asked).toBe(1);
    expect(await tokenSource(soon)()).toBe(soon); // a fragment token: nothing to refresh with
  });
});
