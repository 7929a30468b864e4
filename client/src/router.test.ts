import { describe, expect, it } from 'vitest';
import { isId, matchPath, paths, resolveRoute, safeNextPath, withNext } from './router';

describe('matchPath', () => {
  it('matches static and parameterised segments', () => {
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/login', '/login')).toEqual({});
    expect(matchPath('/c/:slug', '/c/acme')).toEqual({ slug: 'acme' });
  });

  it('ignores a trailing slash', () => {
    expect(matchPath('/c/:slug', '/c/acme/')).toEqual({ slug: 'acme' });
  });

  it('decodes parameters and refuses malformed encodings', () => {
    expect(matchPath('/c/:slug', '/c/a%20b')).toEqual({ slug: 'a b' });
    expect(matchPath('/c/:slug', '/c/%E0%A4%A')).toBeNull();
  });

  it('refuses different lengths and literals', () => {
    expect(matchPath('/c/:slug', '/c')).toBeNull();
    expect(matchPath('/c/:slug', '/c/a/b')).toBeNull();
    expect(matchPath('/c/:slug', '/b/acme')).toBeNull();
    expect(matchPath('/', '/login')).toBeNull();
  });
});

describe('resolveRoute', () => {
  it('resolves every screen', () => {
    expect(resolveRoute('/')).toEqual({ name: 'home' });
    expect(resolveRoute('/login')).toEqual({ name: 'login' });
    expect(resolveRoute('/signup/')).toEqual({ name: 'signup' });
    expect(resolveRoute('/c/acme')).toEqual({ name: 'community', slug: 'acme' });
    expect(resolveRoute('/c/acme/roadmap')).toEqual({ name: 'roadmap', slug: 'acme' });
    expect(resolveRoute('/c/acme/changelog')).toEqual({ name: 'changelog', slug: 'acme' });
    expect(resolveRoute('/b/123/triage')).toEqual({ name: 'triage', boardId: '123' });
    expect(resolveRoute('/notifications')).toEqual({ name: 'notifications' });
    expect(resolveRoute('/me')).toEqual({ name: 'profile' });
    expect(resolveRoute('/b/123')).toEqual({ name: 'board', boardId: '123' });
    expect(resolveRoute('/i/abc')).toEqual({ name: 'idea', ideaId: 'abc' });
  });

  it('falls back to not found', () => {
    expect(resolveRoute('/nope')).toEqual({ name: 'notFound' });
    expect(resolveRoute('/c/')).toEqual({ name: 'notFound' });
    expect(resolveRoute('/i/a/b')).toEqual({ name: 'notFound' });
  });

  it('round-trips generated paths', () => {
    expect(resolveRoute(paths.community('my team'))).toEqual({ name: 'community', slug: 'my team' });
    expect(resolveRoute(paths.idea('a/b'))).toEqual({ name: 'idea', ideaId: 'a/b' });
  });
});

describe('safeNextPath', () => {
  it('accepts same-origin paths', () => {
    expect(safeNextPath('/c/acme?x=1')).toBe('/c/acme?x=1');
  });

  it('refuses anything that could leave the site', () => {
    expect(safeNextPath('https://evil.example')).toBe('/');
    expect(safeNextPath('//evil.example')).toBe('/');
    expect(safeNextPath('/\\evil.example')).toBe('/');
    expect(safeNextPath('/a\nb')).toBe('/');
    expect(safeNextPath(null, '/home')).toBe('/home');
  });
});

describe('withNext', () => {
  it('adds a next parameter only when useful', () => {
    expect(withNext('/login', '/c/acme')).toBe('/login?next=%2Fc%2Facme');
    expect(withNext('/login', '/')).toBe('/login');
    expect(withNext('/signup', '/login?next=/x')).toBe('/signup');
  });
});

describe('isId', () => {
  it('accepts UUIDs only', () => {
    expect(isId('54ad038f-50a8-492e-841a-b26a15fc0d70')).toBe(true);
    expect(isId('54AD038F-50A8-492E-841A-B26A15FC0D70')).toBe(true);
    expect(isId('nope')).toBe(false);
    expect(isId('54ad038f-50a8-492e-841a-b26a15fc0d7')).toBe(false);
    expect(isId(' 54ad038f-50a8-492e-841a-b26a15fc0d70')).toBe(false);
  });
});
