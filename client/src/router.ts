/** Pure routing: which screen a path shows. The React side lives in navigation.tsx. */

export type Route =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'signup' }
  | { name: 'community'; slug: string }
  | { name: 'board'; boardId: string }
  | { name: 'idea'; ideaId: string }
  | { name: 'triage'; boardId: string }
  | { name: 'roadmap'; slug: string }
  | { name: 'changelog'; slug: string }
  | { name: 'notifications' }
  | { name: 'profile' }
  | { name: 'notFound' };

/**
 * Matches a pattern such as `/c/:slug` against a pathname. Returns the decoded parameters, or
 * null when the path does not match. A trailing slash is ignored; parameters never span `/`.
 */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = split(pattern);
  const got = split(pathname);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) {
      const value = safeDecode(g);
      if (value === null || value === '') return null;
      params[w.slice(1)] = value;
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

const ROUTES: ReadonlyArray<[string, (p: Record<string, string>) => Route]> = [
  ['/', () => ({ name: 'home' })],
  ['/login', () => ({ name: 'login' })],
  ['/signup', () => ({ name: 'signup' })],
  ['/c/:slug', (p) => ({ name: 'community', slug: p.slug ?? '' })],
  ['/b/:boardId', (p) => ({ name: 'board', boardId: p.boardId ?? '' })],
  ['/i/:ideaId', (p) => ({ name: 'idea', ideaId: p.ideaId ?? '' })],
  ['/b/:boardId/triage', (p) => ({ name: 'triage', boardId: p.boardId ?? '' })],
  ['/c/:slug/roadmap', (p) => ({ name: 'roadmap', slug: p.slug ?? '' })],
  ['/c/:slug/changelog', (p) => ({ name: 'changelog', slug: p.slug ?? '' })],
  ['/notifications', () => ({ name: 'notifications' })],
  ['/me', () => ({ name: 'profile' })],
];

export function resolveRoute(pathname: string): Route {
  for (const [pattern, build] of ROUTES) {
    const params = matchPath(pattern, pathname);
    if (params) return build(params);
  }
  return { name: 'notFound' };
}

/**
 * A `?next=` target that is safe to follow after logging in: only a same-origin absolute path.
 * `//evil.example` and `/\evil.example` are protocol-relative in browsers, so they are refused.
 */
export function safeNextPath(next: string | null | undefined, fallback = '/'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  for (let i = 0; i < next.length; i++) {
    if (next.charCodeAt(i) < 0x20) return fallback;
  }
  return next;
}

/** `/login?next=/c/acme` style links. */
export function withNext(base: '/login' | '/signup', next: string): string {
  const safe = safeNextPath(next, '');
  if (!safe || safe === '/' || safe.startsWith('/login') || safe.startsWith('/signup')) return base;
  return `${base}?next=${encodeURIComponent(safe)}`;
}

/** Ids are UUIDs: a path with anything else cannot name a board or an idea, so no need to ask. */
export function isId(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

export const paths = {
  home: () => '/',
  community: (slug: string) => `/c/${encodeURIComponent(slug)}`,
  board: (boardId: string) => `/b/${encodeURIComponent(boardId)}`,
  idea: (ideaId: string) => `/i/${encodeURIComponent(ideaId)}`,
  triage: (boardId: string) => `/b/${encodeURIComponent(boardId)}/triage`,
  roadmap: (slug: string) => `/c/${encodeURIComponent(slug)}/roadmap`,
  changelog: (slug: string) => `/c/${encodeURIComponent(slug)}/changelog`,
  notifications: () => '/notifications',
  profile: () => '/me',
};
