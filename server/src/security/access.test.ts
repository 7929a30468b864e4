import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusalOf } from '../collab/testing.js';
import { communityFixture, startTestApp, type TestApp, type TestUser } from '../testing/harness.js';
import { ask, closeAll, connected, listen, sio } from './sockets.js';

/**
 * Case 11: rooms and documents of a private community, joined without membership, and actions
 * above one's role: refused (NOT_FOUND where existence itself is private, FORBIDDEN otherwise),
 * and nothing of the private community in any error, ack or snapshot.
 */

const SECRET_TITLE = 'Codename Nightjar';
const SECRET_BODY = 'launch date is the ides of march';

describe('private communities and roles', () => {
  let t: TestApp;
  let url: { http: string; ws: string };
  let priv: Awaited<ReturnType<typeof communityFixture>>;
  let pub: Awaited<ReturnType<typeof communityFixture>>;
  let secretIdea: string;
  let hiddenIdea: string;
  let outsider: TestUser;
  let member: TestUser;
  const seen: string[] = [];
  /** Everything an outsider was told, to search for leaks at the end. */
  const told = (v: unknown) => {
    seen.push(JSON.stringify(v));
    return v;
  };

  beforeAll(async () => {
    t = await startTestApp('pglite');
    url = await listen(t.app);
    priv = await communityFixture(t, { visibility: 'private', joinPolicy: 'invite' });
    pub = await communityFixture(t);
    secretIdea = (await priv.idea(priv.owner, SECRET_TITLE, { body: SECRET_BODY })).id;
    hiddenIdea = (await pub.idea(pub.owner, `${SECRET_TITLE} (hidden)`)).id;
    expect((await t.api('POST', `/api/ideas/${hiddenIdea}/hide`, { as: pub.owner, body: { hidden: true } })).statusCode).toBe(200);
    outsider = await t.user();
    member = await pub.member();
  }, 60_000);
  afterAll(async () => {
    closeAll();
    await t.close();
  });

  it('answers an outsider and a guest NOT_FOUND for every room of a private community, on the socket', async () => {
    for (const token of [outsider.token, undefined]) {
      const s = sio(url.http, token ? { token } : {});
      await connected(s);
      const acks = [
        await ask(s, 'board:join', { boardId: priv.boardId }),
        await ask(s, 'idea:join', { ideaId: secretIdea }),
        await ask(s, 'vote:cast', { ideaId: secretIdea, value: 1 }),
        await ask(s, 'vote:withdraw', { ideaId: secretIdea }),
      ].map(told);
      for (const ack of acks.slice(0, 2)) expect(ack).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      expect(acks[2]).toMatchObject({ ok: false, code: token ? 'NOT_FOUND' : 'UNAUTHENTICATED' });
      // Rooms it never joined: no snapshot, no presence.
      for (const room of [`board:${priv.boardId}`, `idea:${secretIdea}`]) {
        expect(told(await ask(s, 'room:resync', { room }))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
        expect(told(await ask(s, 'presence:set', { room, status: 'viewing' }))).toMatchObject({ ok: false });
      }
      // The same NOT_FOUND as for an id that does not exist: existence is not revealed.
      const none = told(await ask(s, 'idea:join', { ideaId: '00000000-0000-4000-8000-000000000000' }));
      expect({ ...(acks[1] as object) }).toEqual(none);
      s.disconnect();
    }
  });

  it('answers 4404 on /collab and 404 on REST, exactly as for what does not exist', async () => {
    for (const q of [`?token=${outsider.token}`, '']) {
      const secret = await refusalOf(`${url.ws}/collab`, `idea:${secretIdea}${q}`);
      const none = await refusalOf(`${url.ws}/collab`, `idea:00000000-0000-4000-8000-000000000000${q}`);
      told([secret, none]);
      expect(secret).toEqual(none);
      expect(secret.code).toBe(4404);
    }
    for (const path of [`/api/ideas/${secretIdea}`, `/api/boards/${priv.boardId}/ideas`, `/api/communities/${priv.slug}`, `/api/ideas/${secretIdea}/comments`]) {
      const res = await t.api('GET', path, { as: outsider });
      expect(res.statusCode).toBe(404);
      told(res.json());
    }
    const join = await t.api('POST', `/api/communities/${priv.slug}/join`, { as: outsider, body: {} });
    expect(join.statusCode).toBe(404);
    told(join.json());
    const forgedInvite = await t.api('POST', `/api/communities/${priv.slug}/join`, { as: outsider, body: { inviteCode: 'x'.repeat(20) } });
    expect(forgedInvite.statusCode).toBeGreaterThanOrEqual(400);
    told(forgedInvite.json());
  });

  it('keeps hidden ideas and e-mail addresses out of public snapshots', async () => {
    const s = sio(url.http, { token: member.token });
    await connected(s);
    const board = told(await ask(s, 'board:join', { boardId: pub.boardId, limit: 200 })) as { ok: boolean; snapshot: { ideas: { id: string }[] } };
    expect(board.ok).toBe(true);
    expect(board.snapshot.ideas.map((i) => i.id)).not.toContain(hiddenIdea);
    expect(told(await ask(s, 'idea:join', { ideaId: hiddenIdea }))).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    const text = JSON.stringify(board);
    expect(text).not.toMatch(/@test\.example|email/i);
    s.disconnect();
  });

  it('refuses acting above one’s role with FORBIDDEN, and the roles stay as they were', async () => {
    const mod = await pub.member('moderator');
    const admin = await pub.member('admin');
    const attempts: [TestUser, string, string, unknown][] = [
      [member, 'PATCH', `/api/communities/${pub.slug}/members/${member.id}`, { role: 'admin' }],
      [member, 'PATCH', `/api/communities/${pub.slug}/members/${member.id}`, { role: 'owner' }],
      [mod, 'PATCH', `/api/communities/${pub.slug}/members/${mod.id}`, { role: 'admin' }],
      [admin, 'PATCH', `/api/communities/${pub.slug}/members/${admin.id}`, { role: 'owner' }],
      [admin, 'PATCH', `/api/communities/${pub.slug}/members/${pub.owner.id}`, { role: 'member' }],
      [mod, 'POST', `/api/communities/${pub.slug}/members/${admin.id}/ban`, {}],
      [member, 'POST', `/api/communities/${pub.slug}/invites`, { role: 'team' }],
      [member, 'PATCH', `/api/communities/${pub.slug}`, { visibility: 'private' }],
      [member, 'POST', `/api/communities/${pub.slug}/boards`, { name: 'Mine now' }],
      [member, 'POST', `/api/ideas/${hiddenIdea}/hide`, { hidden: false }],
      [mod, 'POST', `/api/ideas/${hiddenIdea}/status`, { status: 'under_review' }],
      // Staff of one community have no power in another.
      [admin, 'PATCH', `/api/communities/${priv.slug}`, { name: 'Taken over' }],
    ];
    for (const [who, method, path, body] of attempts) {
      const res = await t.api(method as 'POST', path, { as: who, body });
      expect([403, 404], `${method} ${path} ${JSON.stringify(body)}`).toContain(res.statusCode);
      told(res.json());
    }
    const members = (await t.api('GET', `/api/communities/${pub.slug}/members?limit=100`, { as: pub.owner })).json() as {
      items: { user?: { id: string }; userId?: string; role: string }[];
    };
    const roleOf = (id: string) => members.items.find((m) => (m.user?.id ?? m.userId) === id)?.role;
    expect([roleOf(member.id), roleOf(mod.id), roleOf(admin.id), roleOf(pub.owner.id)]).toEqual(['member', 'moderator', 'admin', 'owner']);
    expect((await t.api('GET', `/api/communities/${priv.slug}`, { as: priv.owner })).json()).toMatchObject({ name: 'Test community' });
  });

  it('leaked nothing of the private community in anything it answered', () => {
    const all = seen.join('\n');
    expect(all.length).toBeGreaterThan(100);
    for (const secret of [SECRET_TITLE, SECRET_BODY, priv.slug, priv.owner.handle, priv.owner.email]) expect(all).not.toContain(secret);
  });
});
