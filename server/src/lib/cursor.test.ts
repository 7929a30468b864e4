import { boards, notifications } from '@cocreate/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../testing/harness.js';

/** Rows that share a timestamp (even a microsecond) are paged exactly once each. */
describe.each(testDbKinds())('keyset pages over equal timestamps on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  async function pageAll(url: string, as: TestUser) {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await t.api('GET', `${url}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { as });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((x) => x.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    return seen;
  }

  it('boards and notifications', async () => {
    const fx = await communityFixture(t);
    const same = new Date('2026-01-01T00:00:00.123456Z');
    const [first] = await t.app.db.select().from(boards).where(eq(boards.id, fx.boardId));
    const extra = await t.app.db
      .insert(boards)
      .values([1, 2, 3, 4, 5].map((i) => ({ communityId: first!.communityId, slug: `same-${i}`, name: `Same ${i}`, createdAt: same })))
      .returning({ id: boards.id });
    const boardIds = await pageAll(`/api/communities/${fx.slug}/boards`, fx.owner);
    expect(boardIds.sort()).toEqual([fx.boardId, ...extra.map((b) => b.id)].sort());

    const n = await t.app.db
      .insert(notifications)
      .values([1, 2, 3, 4, 5].map((i) => ({ userId: fx.owner.id, kind: 'test', payload: { i }, createdAt: same })))
      .returning({ id: notifications.id });
    const notificationIds = await pageAll('/api/notifications', fx.owner);
    expect(notificationIds.sort()).toEqual(n.map((x) => x.id).sort());
  });
});
