import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';
import { E, outcome, raw, snapshot } from './test-support.js';

/**
 * Every route of communities and moderation, fed bodies that must be refused before any work:
 * missing, wrong-typed, oversize, unknown fields, prototype-pollution keys, malformed JSON, the
 * wrong content type. Each refusal has an exact status and code, and changes nothing.
 */

interface Route {
  name: string;
  method: 'POST' | 'PATCH' | 'DELETE';
  url: string;
  /** A body this caller could send successfully (so only the shape is at fault). */
  valid: Record<string, unknown>;
  /** Whether an empty body is itself valid (all fields optional). */
  emptyOk: boolean;
  wrongType: unknown;
  oversize: Record<string, unknown>;
  /** Who sends it; the owner unless said (the last owner cannot leave). */
  as?: TestUser;
}

const long = (n: number) => 'x'.repeat(n);

describe.each(testDbKinds())('hostile input to community and moderation routes on %s', (kind) => {
  let t: TestApp;
  let owner: TestUser;
  let routes: Route[];
  let other: TestUser;

  beforeAll(async () => {
    t = await startTestApp(kind);
    const f = await communityFixture(t, { joinPolicy: 'request' });
    owner = f.owner;
    other = await f.member();
    const idea = await f.idea(other);
    const comment = (await t.api('POST', `/api/ideas/${idea.id}/comments`, { as: other, body: { body: 'a comment' } })).json() as {
      id: string;
    };
    const leaver = await f.member();
    const asker = await t.user();
    await t.api('POST', `/api/communities/${f.slug}/join`, { as: asker, body: {} });
    const [req] = (await t.api('GET', `/api/communities/${f.slug}/join-requests`, { as: owner })).json().items as { id: string }[];
    const c = `/api/communities/${f.slug}`;
    routes = [
      {
        name: 'create community',
        method: 'POST',
        url: '/api/communities',
        valid: { slug: 'hostile-ok', name: 'Fine' },
        emptyOk: false,
        wrongType: { slug: 42, name: ['x'] },
        oversize: { slug: 'hostile-ok', name: long(81) },
      },
      {
        name: 'update community',
        method: 'PATCH',
        url: c,
        valid: { name: 'Fine' },
        emptyOk: true,
        wrongType: { visibility: 'secret' },
        oversize: { description: long(2001) },
      },
      {
        name: 'join',
        method: 'POST',
        url: `${c}/join`,
        valid: {},
        emptyOk: true,
        wrongType: { inviteCode: 12345678 },
        oversize: { message: long(501) },
      },
      {
        name: 'leave',
        method: 'POST',
        url: `${c}/leave`,
        valid: {},
        emptyOk: true,
        wrongType: [],
        oversize: { reason: long(10) },
        as: leaver,
      },
      {
        name: 'set role',
        method: 'PATCH',
        url: `${c}/members/${other.id}`,
        valid: { role: 'team' },
        emptyOk: false,
        wrongType: { role: 'superuser' },
        oversize: { role: long(300) },
      },
      {
        name: 'ban',
        method: 'POST',
        url: `${c}/members/${other.id}/ban`,
        valid: { reason: 'ok' },
        emptyOk: true,
        wrongType: { reason: 5 },
        oversize: { reason: long(501) },
      },
      {
        name: 'decide join request',
        method: 'POST',
        url: `${c}/join-requests/${req?.id}/approve`,
        valid: {},
        emptyOk: true,
        wrongType: 'approve',
        oversize: { note: long(10) },
      },
      {
        name: 'create invite',
        method: 'POST',
        url: `${c}/invites`,
        valid: {},
        emptyOk: true,
        wrongType: { maxUses: '3' },
        oversize: { maxUses: 10_001 },
      },
      {
        name: 'hide idea',
        method: 'POST',
        url: `/api/ideas/${idea.id}/hide`,
        valid: { hidden: true },
        emptyOk: false,
        wrongType: { hidden: 'yes' },
        oversize: { hidden: true, reason: long(501) },
      },
      {
        name: 'lock idea',
        method: 'POST',
        url: `/api/ideas/${idea.id}/lock`,
        valid: { locked: true },
        emptyOk: false,
        wrongType: { locked: 1 },
        oversize: { locked: true, reason: long(501) },
      },
      {
        name: 'hide comment',
        method: 'POST',
        url: `/api/comments/${comment.id}/hide`,
        valid: { hidden: true },
        emptyOk: false,
        wrongType: { hidden: null },
        oversize: { hidden: true, reason: long(501) },
      },
    ];
  });
  afterAll(() => t.close());

  type Attempt = [
    label: string,
    opts: (r: Route) => { body?: unknown; headers?: Record<string, string> } | null,
    expected: { status: number; code: string },
  ];
  const ATTEMPTS: Attempt[] = [
    ['no body at all', (r) => (r.emptyOk ? null : {}), E.VALIDATION_FAILED],
    ['an empty object', (r) => (r.emptyOk ? null : { body: {} }), E.VALIDATION_FAILED],
    ['a wrong-typed field', (r) => ({ body: r.wrongType }), E.VALIDATION_FAILED],
    ['a JSON array', () => ({ body: [] }), E.VALIDATION_FAILED],
    ['JSON null', () => raw('null'), E.VALIDATION_FAILED],
    ['a JSON number', () => raw('42'), E.VALIDATION_FAILED],
    ['an oversize field', (r) => ({ body: r.oversize }), E.VALIDATION_FAILED],
    ['an unknown field', (r) => ({ body: { ...r.valid, isAdmin: true } }), E.VALIDATION_FAILED],
    [
      '__proto__',
      (r) =>
        raw(
          `{${Object.entries(r.valid)
            .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`)
            .join('')}"__proto__":{"isAdmin":true,"role":"owner"}}`,
        ),
      E.VALIDATION_FAILED,
    ],
    ['nested __proto__', () => raw('{"reason":"x","a":{"__proto__":{"polluted":"yes"}}}'), E.VALIDATION_FAILED],
    ['constructor.prototype', () => raw('{"constructor":{"prototype":{"polluted":"yes"}}}'), E.VALIDATION_FAILED],
    ['malformed JSON', () => raw('{"name": "unterminated'), E.VALIDATION_FAILED],
    ['a text/plain body', (r) => ({ body: JSON.stringify(r.valid), headers: { 'content-type': 'text/plain' } }), E.VALIDATION_FAILED],
    ['a body over the size limit', (r) => ({ body: { ...r.valid, padding: long(300 * 1024) } }), E.PAYLOAD_TOO_LARGE],
  ];

  it('refuses each malformed body on each route with the exact code, changing nothing', async () => {
    const before = await snapshot(t);
    let checked = 0;
    for (const route of routes) {
      for (const [label, make, expected] of ATTEMPTS) {
        const opts = make(route);
        if (opts === null) continue;
        const res = await t.api(route.method, route.url, { as: route.as ?? owner, ...opts });
        expect(outcome(res), `${route.name}: ${label}`).toEqual(expected);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(routes.length * 11);
    expect(await snapshot(t)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('refuses hostile raw bodies on the body-less DELETE ban route too', async () => {
    const url = routes.find((r) => r.name === 'ban')?.url as string;
    const before = await snapshot(t);
    for (const body of ['{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '{bad json']) {
      expect(outcome(await t.api('DELETE', url, { as: owner, ...raw(body) })), body).toEqual(E.VALIDATION_FAILED);
    }
    expect(outcome(await t.api('DELETE', url, { as: owner, body: { padding: long(300 * 1024) } }))).toEqual(E.PAYLOAD_TOO_LARGE);
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses malformed path parameters and query strings with VALIDATION_FAILED', async () => {
    const slug = routes[1]?.url.split('/')[3] as string;
    const before = await snapshot(t);
    const cases: [string, string][] = [
      ['GET', `/api/communities/${long(65)}`],
      ['PATCH', `/api/communities/${slug}/members/not-a-uuid`],
      ['POST', `/api/communities/${slug}/members/123/ban`],
      ['DELETE', `/api/communities/${slug}/members/x/ban`],
      ['POST', `/api/communities/${slug}/join-requests/00000000-0000-4000-8000-000000000000/maybe`],
      ['POST', `/api/communities/${slug}/join-requests/nope/approve`],
      ['POST', '/api/ideas/not-an-id/hide'],
      ['POST', '/api/ideas/not-an-id/lock'],
      ['POST', '/api/comments/not-an-id/hide'],
      ['GET', `/api/communities/${slug}/members?limit=1000`],
      ['GET', `/api/communities/${slug}/members?cursor=${long(600)}`],
      ['GET', `/api/communities/${slug}/members?role=admin`],
      ['GET', `/api/communities/${slug}/join-requests?cursor=e30`],
      ['GET', `/api/communities/${slug}/audit?limit=-1`],
    ];
    for (const [method, url] of cases) {
      const body = method === 'GET' || method === 'DELETE' ? {} : { body: { hidden: true, role: 'team', locked: true } };
      expect(outcome(await t.api(method as 'GET', url, { as: owner, ...body })), `${method} ${url}`).toEqual(E.VALIDATION_FAILED);
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it('still accepts the valid bodies (the table above is not refusing everything)', async () => {
    for (const route of routes) {
      const res = await t.api(route.method, route.url, { as: route.as ?? owner, body: route.valid });
      expect(res.statusCode, `${route.name}: ${res.body}`).toBeLessThan(300);
    }
  });
});
