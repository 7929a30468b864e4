import { changelogCredits, ideas, notifications, outbox, roadmapItems, statusChanges, votes } from '@cocreate/db';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleDigest, writeDigests } from './jobs.js';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../testing/harness.js';

type Fixture = Awaited<ReturnType<typeof communityFixture>>;

describe.each(testDbKinds())('roadmap pipeline on %s', (kind) => {
  let t: TestApp;
  let f: Fixture;
  let team: TestUser;
  let member: TestUser;
  beforeAll(async () => {
    t = await startTestApp(kind);
    f = await communityFixture(t);
    team = await f.member('team');
    member = await f.member();
  });
  afterAll(() => t.close());

  const move = (ideaId: string, as: TestUser, body: Record<string, unknown>) => t.api('POST', `/api/ideas/${ideaId}/status`, { as, body });
  const drain = () => t.app.pipeline.worker.drain();
  const statusOf = async (ideaId: string) => (await t.app.db.select({ s: ideas.status }).from(ideas).where(eq(ideas.id, ideaId)))[0]?.s;
  const notificationsOf = (user: TestUser) => t.app.db.select().from(notifications).where(eq(notifications.userId, user.id));

  it('takes an idea from open to shipped: history, roadmap lanes, notifications, changelog with credits', async () => {
    const author = await f.member();
    const voters = [await f.member(), await f.member(), await f.member()];
    const commenter = await f.member();
    const follower = await f.member();
    const idea = await f.idea(author, 'Dark mode for the dashboard', { body: 'Less glare at night.' });
    for (const v of voters) expect((await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: v, body: { value: 1 } })).statusCode).toBe(200);
    expect((await t.api('POST', `/api/ideas/${idea.id}/comments`, { as: commenter, body: { body: 'Yes please' } })).statusCode).toBe(201);
    expect((await t.api('PUT', `/api/ideas/${idea.id}/follow`, { as: follower, body: {} })).statusCode).toBe(200);

    for (const to of ['under_review', 'accepted']) {
      const res = await move(idea.id, team, { status: to });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ idea: { id: idea.id, status: to }, change: { to, actor: { id: team.id } } });
    }
    await drain();
    const roadmap = await t.api('GET', `/api/communities/${f.slug}/roadmap`);
    expect(roadmap.statusCode).toBe(200);
    const planned = roadmap.json().lanes.planned as { ideaId: string; snapshot: { up: number; title: string; contributors: { id: string }[] }; contributors: { id: string }[] }[];
    const item = planned.find((i) => i.ideaId === idea.id);
    expect(item).toMatchObject({ snapshot: { up: 3, title: 'Dark mode for the dashboard' } });
    expect(item!.snapshot.contributors.map((c) => c.id)).toEqual([author.id]);

    for (const to of ['planned', 'in_progress']) expect((await move(idea.id, team, { status: to })).statusCode).toBe(200);
    await drain();
    const lanes = (await t.api('GET', `/api/communities/${f.slug}/roadmap`)).json().lanes;
    expect(lanes.planned.map((i: { ideaId: string }) => i.ideaId)).not.toContain(idea.id);
    expect(lanes.in_progress.map((i: { ideaId: string }) => i.ideaId)).toContain(idea.id);

    expect((await move(idea.id, team, { status: 'shipped' })).statusCode).toBe(200);
    await drain();
    const shipped = (await t.api('GET', `/api/communities/${f.slug}/roadmap`)).json().lanes.shipped as { ideaId: string }[];
    expect(shipped.map((i) => i.ideaId)).toContain(idea.id);

    // Every stakeholder but the actor heard of each of the five moves, exactly once each.
    for (const who of [author, ...voters, commenter, follower]) {
      const mine = (await notificationsOf(who)).filter((n) => n.kind === 'idea.status_changed' && n.payload.ideaId === idea.id);
      expect(mine.map((n) => n.payload.to).sort(), who.handle).toEqual(['accepted', 'in_progress', 'planned', 'shipped', 'under_review']);
    }
    expect((await notificationsOf(team)).filter((n) => n.payload.ideaId === idea.id)).toEqual([]);
    expect((await notificationsOf(member)).filter((n) => n.payload.ideaId === idea.id)).toEqual([]);

    const history = (await t.api('GET', `/api/ideas/${idea.id}/history`)).json().items as { from: string; to: string }[];
    expect(history.map((h) => `${h.from}>${h.to}`)).toEqual(['open>under_review', 'under_review>accepted', 'accepted>planned', 'planned>in_progress', 'in_progress>shipped']);

    // The draft changelog entry: invisible to the public, visible to the team, credits the author and the backers.
    expect((await t.api('GET', `/api/communities/${f.slug}/changelog`)).json().items.map((e: { ideaId: string }) => e.ideaId)).not.toContain(idea.id);
    expect((await t.api('GET', `/api/communities/${f.slug}/changelog?drafts=true`, { as: member })).statusCode).toBe(403);
    const drafts = (await t.api('GET', `/api/communities/${f.slug}/changelog?drafts=true`, { as: team })).json().items as {
      id: string;
      ideaId: string;
      status: string;
      credits: { id: string; kind: string }[];
    }[];
    const draft = drafts.find((e) => e.ideaId === idea.id)!;
    expect(draft.status).toBe('draft');
    expect(draft.credits.filter((c) => c.kind === 'author').map((c) => c.id)).toEqual([author.id]);
    expect(draft.credits.filter((c) => c.kind === 'backer').map((c) => c.id).sort()).toEqual(voters.map((v) => v.id).sort());
    expect((await t.api('GET', `/api/changelog/${draft.id}`, { as: member })).statusCode).toBe(404);
    expect((await t.api('PATCH', `/api/changelog/${draft.id}`, { as: member, body: { title: 'Mine now' } })).statusCode).toBe(404);

    const edited = await t.api('PATCH', `/api/changelog/${draft.id}`, { as: team, body: { title: 'Dark mode is here', body: 'Thanks to everyone who asked.' } });
    expect(edited.statusCode, edited.body).toBe(200);
    const published = await t.api('POST', `/api/changelog/${draft.id}/publish`, { as: team, body: {} });
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toMatchObject({ status: 'published', title: 'Dark mode is here' });
    expect((await t.api('POST', `/api/changelog/${draft.id}/publish`, { as: team, body: {} })).statusCode).toBe(409);
    await drain();
    const publicLog = (await t.api('GET', `/api/communities/${f.slug}/changelog`)).json().items as { id: string }[];
    expect(publicLog.map((e) => e.id)).toContain(draft.id);
    const credits = (await t.api('GET', '/api/me/credits', { as: author })).json().items as { entryId: string; kind: string }[];
    expect(credits).toEqual([expect.objectContaining({ entryId: draft.id, kind: 'author' })]);
    const credited = (await notificationsOf(voters[0]!)).filter((n) => n.kind === 'changelog.credited');
    expect(credited).toHaveLength(1);
    expect(credited[0]!.payload).toMatchObject({ entryId: draft.id, communitySlug: f.slug });
    const unread = (await t.api('GET', '/api/notifications/unread-count', { as: voters[0]! })).json().count as number;
    expect(unread).toBe((await notificationsOf(voters[0]!)).filter((n) => n.readAt === null).length);
    expect(unread).toBeGreaterThan(5);
    expect((await t.api('POST', '/api/notifications/read', { as: voters[0]!, body: {} })).statusCode).toBe(200);
    expect((await t.api('GET', '/api/notifications/unread-count', { as: voters[0]! })).json()).toEqual({ count: 0 });

    // Running the jobs again (a worker that crashed after its commit) changes nothing.
    await t.app.db.update(outbox).set({ status: 'pending', runAt: sql`now()` }).where(sql`${outbox.payload} ->> 'ideaId' = ${idea.id}`);
    await drain();
    expect((await notificationsOf(author)).filter((n) => n.payload.ideaId === idea.id && n.kind === 'idea.status_changed')).toHaveLength(5);
    expect(await t.app.db.select().from(roadmapItems).where(eq(roadmapItems.ideaId, idea.id))).toHaveLength(1);
    expect(await t.app.db.select().from(changelogCredits).where(eq(changelogCredits.entryId, draft.id))).toHaveLength(4);
  });

  it('writes each backer one digest of what shipped in the period, once', async () => {
    const backer = await f.member();
    const shipped = await f.idea(member, 'Shipped in this digest');
    const stillOpen = await f.idea(member, 'Not shipped yet');
    for (const i of [shipped, stillOpen]) await t.api('PUT', `/api/ideas/${i.id}/vote`, { as: backer, body: { value: 1 } });
    for (const to of ['accepted', 'planned', 'in_progress', 'shipped']) expect((await move(shipped.id, team, { status: to })).statusCode).toBe(200);
    const period = 1_000_000 + Math.floor(Math.random() * 1_000_000);
    const window = { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 60_000) };
    const first = await writeDigests(t.app.db, period, window.start, window.end);
    const mine = first.filter((n) => n.userId === backer.id);
    expect(mine).toHaveLength(1);
    expect((mine[0]!.payload.ideas as { ideaId: string }[]).map((i) => i.ideaId)).toEqual([shipped.id]);
    expect((await writeDigests(t.app.db, period, window.start, window.end)).filter((n) => n.userId === backer.id)).toEqual([]);
    // The worker schedules a period's digest once, however many nodes ask.
    const interval = 7 * 86_400_000;
    const now = Date.now() + Math.floor(Math.random() * 1e12);
    expect(await scheduleDigest(t.app.db, interval, now)).toBe(true);
    expect(await scheduleDigest(t.app.db, interval, now)).toBe(false);
  });

  it('refuses illegal moves and wrong roles with clear codes, and changes nothing', async () => {
    const idea = await f.idea(member, 'Refusals');
    const cases: [TestUser, Record<string, unknown>, number, string][] = [
      [member, { status: 'under_review' }, 403, 'FORBIDDEN'],
      [await f.member('moderator'), { status: 'under_review' }, 403, 'FORBIDDEN'],
      [team, { status: 'shipped' }, 409, 'CONFLICT'],
      [team, { status: 'open' }, 409, 'CONFLICT'],
      [team, { status: 'merged' }, 400, 'VALIDATION_FAILED'],
      [team, { status: 'declined' }, 400, 'VALIDATION_FAILED'],
      [team, { status: 'declined', reason: '   ' }, 400, 'VALIDATION_FAILED'],
      [team, { status: 'accepted', from: 'under_review' }, 409, 'CONFLICT'],
      [team, { status: 'wishful' }, 400, 'VALIDATION_FAILED'],
      [team, { status: 'accepted', extra: 1 }, 400, 'VALIDATION_FAILED'],
      [team, {}, 400, 'VALIDATION_FAILED'],
      [team, { to: 'accepted' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [as, body, status, code] of cases) {
      const res = await move(idea.id, as, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().code).toBe(code);
    }
    expect((await t.api('POST', `/api/ideas/${idea.id}/status`, { body: { status: 'accepted' } })).statusCode).toBe(401);
    expect(await statusOf(idea.id)).toBe('open');
    expect(await t.app.db.select().from(statusChanges).where(eq(statusChanges.ideaId, idea.id))).toEqual([]);
    const jobs = await t.app.db.select().from(outbox).where(and(eq(outbox.topic, 'idea.status_changed'), sql`${outbox.payload} ->> 'ideaId' = ${idea.id}`));
    expect(jobs).toEqual([]);

    // Declining needs a reason and notifies with it; shipped → in_progress is for admins only.
    const declined = await move(idea.id, team, { status: 'declined', reason: 'Out of scope for this year' });
    expect(declined.statusCode).toBe(200);
    expect(declined.json().change.reason).toBe('Out of scope for this year');
    const other = await f.idea(member, 'Shipped then reopened');
    for (const to of ['accepted', 'planned', 'in_progress', 'shipped']) expect((await move(other.id, team, { status: to })).statusCode).toBe(200);
    expect((await move(other.id, team, { status: 'in_progress', reason: 'regression' })).statusCode).toBe(403);
    expect((await move(other.id, f.owner, { status: 'in_progress', reason: 'regression' })).statusCode).toBe(200);
  });

  it('moves several ideas at once, each on its own', async () => {
    const a = await f.idea(member, 'Bulk A');
    const b = await f.idea(member, 'Bulk B');
    await move(b.id, team, { status: 'accepted' });
    const res = await t.api('POST', '/api/ideas/status', { as: team, body: { ideaIds: [a.id, b.id, '00000000-0000-4000-8000-000000000000'], status: 'under_review' } });
    expect(res.statusCode, res.body).toBe(200);
    const results = res.json().results as { ideaId: string; ok: boolean; code?: string }[];
    expect(results.map((r) => [r.ok, r.code ?? null])).toEqual([
      [true, null],
      [true, null],
      [false, 'NOT_FOUND'],
    ]);
    expect(await statusOf(a.id)).toBe('under_review');
    expect(await statusOf(b.id)).toBe('under_review');
  });

  it('merges a duplicate: votes once per user, comments, followers and credit move; counts stay exact', async () => {
    const authorA = await f.member();
    const authorB = await f.member();
    const source = await f.idea(authorA, 'Export to CSV');
    const target = await f.idea(authorB, 'CSV export of the list');
    const both = await f.member();
    const onlySource = [await f.member(), await f.member()];
    const onlyTarget = await f.member();
    const vote = (ideaId: string, u: TestUser) => t.api('PUT', `/api/ideas/${ideaId}/vote`, { as: u, body: { value: 1 } });
    for (const u of [both, ...onlySource]) expect((await vote(source.id, u)).statusCode).toBe(200);
    for (const u of [both, onlyTarget]) expect((await vote(target.id, u)).statusCode).toBe(200);
    await t.api('POST', `/api/ideas/${source.id}/comments`, { as: both, body: { body: 'Also for the roadmap please' } });

    const preview = await t.api('GET', `/api/ideas/${source.id}/merge-preview?targetId=${target.id}`, { as: team });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({ votesMoving: 2, votesDropped: 1, commentsMoving: 1 });

    expect((await t.api('POST', `/api/ideas/${source.id}/merge`, { as: member, body: { targetId: target.id } })).statusCode).toBe(403);
    expect((await t.api('POST', `/api/ideas/${source.id}/merge`, { as: team, body: { targetId: source.id } })).json().code).toBe('VALIDATION_FAILED');
    const merged = await t.api('POST', `/api/ideas/${source.id}/merge`, { as: team, body: { targetId: target.id } });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json()).toMatchObject({
      source: { id: source.id, status: 'merged', mergedInto: target.id },
      target: { id: target.id, up: 4, voteCount: 4, commentCount: 1 },
      moved: { votes: 2, dropped: 1, comments: 1 },
    });

    const [t1] = await t.app.db.select().from(ideas).where(eq(ideas.id, target.id));
    const counted = await t.app.db.select({ n: sql<number>`count(*)::int` }).from(votes).where(and(eq(votes.ideaId, target.id), eq(votes.value, 1)));
    expect(t1!.up).toBe(counted[0]!.n);
    expect(t1!.up).toBe(4);
    expect(await t.app.db.select().from(votes).where(eq(votes.ideaId, source.id))).toEqual([]);
    const [s1] = await t.app.db.select().from(ideas).where(eq(ideas.id, source.id));
    expect(s1).toMatchObject({ status: 'merged', mergedInto: target.id, up: 0, voteCount: 0, commentCount: 0 });
    const comments = (await t.api('GET', `/api/ideas/${target.id}/comments`)).json().items as { body: string }[];
    expect(comments.map((c) => c.body)).toContain('Also for the roadmap please');
    const view = (await t.api('GET', `/api/ideas/${source.id}`)).json();
    expect(view.mergedInto).toBe(target.id);

    // Both authors credited; the duplicate takes no votes, no second merge; merging into it is refused.
    const contributors = await t.app.db.execute(sql`select user_id, role from idea_contributors where idea_id = ${target.id} order by role`);
    const list = (Array.isArray(contributors) ? contributors : (contributors as { rows: unknown[] }).rows) as { user_id: string; role: string }[];
    expect(list.map((c) => [c.user_id, c.role]).sort()).toEqual([
      [authorA.id, 'co_author'],
      [authorB.id, 'author'],
    ].sort());
    expect((await vote(source.id, onlyTarget)).statusCode).toBe(403);
    expect((await t.api('POST', `/api/ideas/${source.id}/merge`, { as: team, body: { targetId: target.id } })).statusCode).toBe(403);
    const third = await f.idea(member, 'Third copy');
    const into = await t.api('POST', `/api/ideas/${third.id}/merge`, { as: team, body: { targetId: source.id } });
    expect(into.statusCode).toBe(409);
    await drain();
    // The duplicate's audience heard where it went; the target's own voters were not bothered.
    const told = (await notificationsOf(onlySource[0]!)).filter((n) => n.kind === 'idea.merged');
    expect(told).toHaveLength(1);
    expect(told[0]!.payload).toMatchObject({ sourceId: source.id, targetId: target.id });
    expect((await notificationsOf(onlyTarget)).filter((n) => n.kind === 'idea.merged')).toEqual([]);
    expect((await notificationsOf(authorA)).filter((n) => n.kind === 'idea.merged')).toHaveLength(1);
  });

  it('keeps counters exact when votes race a merge', async () => {
    const source = await f.idea(member, 'Race source');
    const target = await f.idea(member, 'Race target');
    const voters = await Promise.all(Array.from({ length: 12 }, () => f.member()));
    const votesIn = voters.map((u, i) => t.api('PUT', `/api/ideas/${i % 2 ? source.id : target.id}/vote`, { as: u, body: { value: 1 } }));
    const merge = t.api('POST', `/api/ideas/${source.id}/merge`, { as: team, body: { targetId: target.id } });
    const results = await Promise.all([...votesIn, merge]);
    expect(results.at(-1)!.statusCode, results.at(-1)!.body).toBe(200);
    for (const r of results.slice(0, -1)) expect([200, 403, 409], r.body).toContain(r.statusCode);
    const [row] = await t.app.db.select().from(ideas).where(eq(ideas.id, target.id));
    const [count] = await t.app.db.select({ up: sql<number>`count(*)::int` }).from(votes).where(and(eq(votes.ideaId, target.id), eq(votes.value, 1)));
    expect(row!.up).toBe(count!.up);
    expect(await t.app.db.select().from(votes).where(eq(votes.ideaId, source.id))).toEqual([]);
  });

  it('exports the roadmap and the ranked ideas as JSON and CSV, formulas escaped', async () => {
    const idea = await f.idea(member, '=HYPERLINK("http://evil.example")');
    await move(idea.id, team, { status: 'accepted' });
    await drain();
    const json = await t.api('GET', `/api/communities/${f.slug}/roadmap/export`);
    expect(json.statusCode).toBe(200);
    expect(json.json().items.some((i: { ideaId: string }) => i.ideaId === idea.id)).toBe(true);
    const csv = await t.api('GET', `/api/communities/${f.slug}/roadmap/export?format=csv`);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\n')[0]).toBe('lane,position,ideaId,title,status,releaseLabel,up,down,contributors');
    expect(csv.body).toContain(`'=HYPERLINK(""http://evil.example"")`);
    const ranked = await t.api('GET', `/api/boards/${f.boardId}/ideas/export?format=csv&sort=top`);
    expect(ranked.statusCode).toBe(200);
    const lines = ranked.body.trim().split('\n');
    expect(lines[0]).toMatch(/^rank,id,title,status,up,down/);
    expect(lines.length).toBeGreaterThan(3);
    expect((await t.api('GET', `/api/boards/${f.boardId}/ideas/export?format=xml`)).statusCode).toBe(400);
  });

  it('orders the roadmap within a lane and labels releases (team only)', async () => {
    const a = await f.idea(member, 'Lane A');
    const b = await f.idea(member, 'Lane B');
    for (const i of [a, b]) await move(i.id, team, { status: 'accepted' });
    await drain();
    const lane = async () => ((await t.api('GET', `/api/communities/${f.slug}/roadmap`)).json().lanes.planned as { id: string; ideaId: string; releaseLabel: string | null }[]);
    const items = await lane();
    const itemA = items.find((i) => i.ideaId === a.id)!;
    const itemB = items.find((i) => i.ideaId === b.id)!;
    expect((await t.api('PATCH', `/api/roadmap/${itemB.id}`, { as: member, body: { before: itemA.id } })).statusCode).toBe(403);
    const res = await t.api('PATCH', `/api/roadmap/${itemB.id}`, { as: team, body: { before: itemA.id, releaseLabel: 'v2.4' } });
    expect(res.statusCode, res.body).toBe(200);
    const after = await lane();
    expect(after.findIndex((i) => i.ideaId === b.id)).toBeLessThan(after.findIndex((i) => i.ideaId === a.id));
    expect(after.find((i) => i.ideaId === b.id)!.releaseLabel).toBe('v2.4');
    expect((await t.api('PATCH', `/api/roadmap/${itemB.id}`, { as: team, body: { before: itemB.id } })).statusCode).toBe(400);
    expect((await t.api('PATCH', `/api/roadmap/${itemB.id}`, { as: team, body: {} })).statusCode).toBe(400);
  });
});
