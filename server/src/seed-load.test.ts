import { createTestDatabase } from '@cocreate/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { type LoadData, loadHandle, seedLoad } from './seed-load.js';
import { testConfig } from './testing/harness.js';

const TTL = 30 * 24 * 60 * 60 * 1000;
const SIZES = { users: 40, hotIdeas: 12, tailIdeas: 30, sessionTtlMs: TTL };

describe('load seed on PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let first: LoadData;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    app = await buildApp(testConfig(), { database, redis: null });
    await app.ready();
    first = await seedLoad(database, SIZES);
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('creates the community, both boards, the ideas and a user with a token per account', async () => {
    expect(first.users).toHaveLength(40);
    expect(first.users[7]?.handle).toBe(loadHandle(7));
    expect(new Set(first.users.map((u) => u.token)).size).toBe(40);
    expect(first.ideaIds).toHaveLength(12);
    expect(first.tailIdeaIds).toHaveLength(30);
    const community = await app.inject({ method: 'GET', url: '/api/communities/load' });
    expect(community.statusCode).toBe(200);
    expect(community.json()).toMatchObject({ slug: 'load', visibility: 'public', joinPolicy: 'open', memberCount: 40 });
    const hot = await app.inject({ method: 'GET', url: `/api/boards/${first.hotBoardId}/ideas?sort=new&limit=100` });
    expect((hot.json() as { items: { id: string }[] }).items.map((i) => i.id).sort()).toEqual([...first.ideaIds].sort());
  });

  it('hands out tokens that authenticate and may vote on the hot board', async () => {
    const user = first.users[3] as LoadData['users'][number];
    const auth = { authorization: `Bearer ${user.token}` };
    const me = await app.inject({ method: 'GET', url: '/api/me', headers: auth });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { id: user.id, handle: user.handle } });
    const vote = await app.inject({ method: 'PUT', url: `/api/ideas/${first.ideaIds[0]}/vote`, headers: auth, payload: {} });
    expect(vote.statusCode).toBe(200);
    expect(vote.json()).toMatchObject({ up: 1, myVote: 1 });
    // The same token with its last character changed (to another one of the alphabet).
    const forged = `${user.token.slice(0, -1)}${user.token.endsWith('a') ? 'b' : 'a'}`;
    const bad = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${forged}` } });
    expect(bad.statusCode).toBe(401);
  });

  it('is idempotent: a second run adds nothing, keeps the ideas and reuses still-valid tokens it is given', async () => {
    const previous = new Map(first.users.slice(0, 10).map((u) => [u.id, u.token] as const));
    const again = await seedLoad(database, { ...SIZES, previousTokens: previous });
    expect(again.hotBoardId).toBe(first.hotBoardId);
    expect(again.ideaIds).toEqual(first.ideaIds);
    expect(again.tailIdeaIds).toEqual(first.tailIdeaIds);
    expect(again.users.map((u) => u.id)).toEqual(first.users.map((u) => u.id));
    expect(again.users.slice(0, 10).map((u) => u.token)).toEqual(first.users.slice(0, 10).map((u) => u.token));
    // Accounts whose token was not handed back get a new session.
    expect(again.users[20]?.token).not.toBe(first.users[20]?.token);
    const board = await app.inject({ method: 'GET', url: `/api/communities/load/boards` });
    const boards = (board.json() as { items: { id: string; ideaCount: number }[] }).items;
    expect(boards.find((b) => b.id === first.hotBoardId)?.ideaCount).toBe(12);
    expect(boards.find((b) => b.id === first.tailBoardId)?.ideaCount).toBe(30);
  });

  it('grows to larger sizes without touching what exists', async () => {
    const grown = await seedLoad(database, { ...SIZES, users: 45, tailIdeas: 35 });
    expect(grown.users).toHaveLength(45);
    expect(grown.users.slice(0, 40).map((u) => u.id)).toEqual(first.users.map((u) => u.id));
    expect(grown.tailIdeaIds.slice(0, 30)).toEqual(first.tailIdeaIds);
    expect(grown.tailIdeaIds).toHaveLength(35);
    const newcomer = grown.users[44] as LoadData['users'][number];
    const me = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${newcomer.token}` } });
    expect(me.statusCode).toBe(200);
  });
});
