/**
 * The roadmap pipeline in a real browser against the real server with its outbox worker on: a
 * team member triages, a member watches. The member sees the status change on the idea page and a
 * notification in the bell without reloading; the roadmap moves the idea across its lanes live;
 * the shipped idea's changelog draft appears for the team, is published, and the member finds the
 * credit on their profile; a merge from triage sends the duplicate's open page to the target.
 * No console errors, page errors, failed requests or error answers.
 *
 * Timeouts only catch hangs (15 s per step); nothing here measures speed.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  demoLogin,
  horizontalOverflow,
  markWindow as mark,
  screenshot,
  signIn,
  windowMarked as stillMarked,
  textOf,
  type UserSession,
  browserSuite,
} from './harness.js';

const STEP = 15_000;

const suite = browserSuite({ pipeline: { worker: true, pollMs: 50 } });

const user = (): Promise<UserSession> => suite.user();
function eventually<T>(fn: () => Promise<T>) {
  return expect.poll(fn, { timeout: STEP, interval: 50 });
}
const statusHeading = (page: Page) => page.locator('#status-title');
const lane = (page: Page, name: 'Planned' | 'In progress' | 'Shipped') => page.getByRole('list', { name, exact: true });
async function laneOf(page: Page, title: string): Promise<string | null> {
  for (const name of ['Planned', 'In progress', 'Shipped'] as const) {
    if ((await lane(page, name).getByRole('link', { name: title, exact: true }).count()) > 0) return name;
  }
  return null;
}
/** The team's status menu on an idea page. */
async function moveTo(page: Page, status: string, label: string): Promise<void> {
  await page.getByLabel('Move to').selectOption(status);
  await page.getByRole('button', { name: 'Change status' }).click();
  await eventually(() => textOf(statusHeading(page))).toContain(label);
}

describe('roadmap pipeline in a real browser', { timeout: 240_000 }, () => {
  const FRUNK = 'A frunk drain that does not clog with leaves';
  const HEATED = 'Heated steering wheel as an option on the base trim';
  const DUPLICATE = 'Heated steering wheel on every trim';
  const BUTTONS = 'Physical buttons for climate control';
  const SHIPPED = 'Frunk drains that stay clear of leaves';

  it('triage → live status and notification → roadmap lanes → changelog credit → merge redirect', async () => {
    // --- the member (Sam) opens their idea; the team member (Tomás) opens triage ---
    const member = await user();
    const pm = member.page;
    await signIn(pm, demoLogin(suite.server, 'sam'), '/');
    await pm.getByRole('link', { name: 'Demo Motors community' }).click();
    await pm.getByRole('link', { name: 'Product ideas' }).click();
    await pm.getByRole('list', { name: 'Ideas' }).getByRole('link', { name: FRUNK }).click();
    await pm.getByRole('heading', { level: 1, name: FRUNK }).waitFor();
    const ideaPath = new URL(pm.url()).pathname;
    await eventually(() => textOf(statusHeading(pm))).toBe('Status Open');
    await expect(pm.getByRole('link', { name: 'Notifications', exact: true }).count()).resolves.toBe(1);
    // A member gets no status menu.
    expect(await pm.getByRole('form', { name: 'Change status' }).count()).toBe(0);
    await mark(pm);

    const team = await user();
    const pt = team.page;
    await signIn(pt, demoLogin(suite.server, 'tomas'), '/c/demo');
    await pt.getByRole('link', { name: 'Product ideas' }).click();
    await pt.getByRole('link', { name: 'Triage', exact: true }).click();
    await pt.getByRole('heading', { level: 1, name: 'Triage: Product ideas' }).waitFor();
    const triagePath = new URL(pt.url()).pathname;

    // Another team member (Olivia) watches the same queue.
    const owner = await user();
    const po = owner.page;
    await signIn(po, demoLogin(suite.server, 'olivia'), triagePath);
    await po.getByRole('heading', { level: 1, name: 'Triage: Product ideas' }).waitFor();
    await mark(po);
    const ownerRow = (title: string) => po.getByRole('table', { name: 'Triage queue' }).getByRole('row').filter({ hasText: title });

    // --- accept two ideas from triage with the bulk bar; one result per idea ---
    await pt.getByRole('checkbox', { name: `Select “${FRUNK}”` }).check();
    await pt.getByRole('checkbox', { name: `Select “${BUTTONS}”` }).check();
    await pt.getByLabel('Move to').selectOption('accepted');
    await pt.getByRole('button', { name: 'Apply' }).click();
    await pt.getByText('2 moved to Accepted.').waitFor();
    const results = pt.getByRole('list', { name: 'Results per idea' });
    await results.getByText(`“${FRUNK}”: now Accepted`).waitFor();
    await results.getByText(`“${BUTTONS}”: now Accepted`).waitFor();
    await screenshot(pt, 'pipeline-triage');
    // The other team member's queue follows.
    await eventually(() => textOf(ownerRow(FRUNK).getByRole('cell').nth(2))).toBe('Accepted');
    await eventually(() => textOf(ownerRow(BUTTONS).getByRole('cell').nth(2))).toBe('Accepted');

    // --- the member sees it live: status, timeline, and notifications in the bell ---
    // Sam wrote the frunk idea and voted for the buttons: two notifications.
    await eventually(() => textOf(statusHeading(pm))).toBe('Status Accepted');
    await pm.getByRole('list', { name: 'Status history' }).getByText('from Open').waitFor();
    await pm.getByRole('link', { name: 'Notifications, 2 unread' }).waitFor();
    expect(await stillMarked(pm)).toBe(true);
    await screenshot(pm, 'pipeline-idea-accepted');

    // --- an official reply from triage reaches the member too ---
    await pt.getByRole('row').filter({ hasText: BUTTONS }).getByRole('button', { name: 'Reply…' }).click();
    await pt.getByRole('textbox', { name: `Official reply to “${BUTTONS}”` }).fill('Knobs are coming back next year.');
    await pt.getByRole('button', { name: 'Post official reply' }).click();
    await pt.getByRole('row').filter({ hasText: BUTTONS }).getByText('official reply posted').waitFor();
    await pm.getByRole('link', { name: 'Notifications, 3 unread' }).waitFor();

    await pm.getByRole('link', { name: 'Notifications, 3 unread' }).click();
    const notes = pm.getByRole('list', { name: 'Notifications' });
    await notes.getByRole('link', { name: `“${FRUNK}” moved from open to accepted.` }).waitFor();
    await notes.getByRole('link', { name: `“${BUTTONS}” moved from under review to accepted.` }).waitFor();
    await notes.getByRole('link', { name: `The team replied on “${BUTTONS}”: “Knobs are coming back next year.”` }).waitFor();
    await screenshot(pm, 'pipeline-notifications');
    await pm.getByRole('button', { name: 'Mark all read' }).click();
    await pm.getByRole('link', { name: 'Notifications', exact: true }).waitFor();
    await pm.getByText('All read').waitFor();

    // --- the roadmap shows both planned; the team orders and labels them, live ---
    await pm.goto('/c/demo/roadmap');
    await pm.getByRole('heading', { level: 1, name: 'Roadmap' }).waitFor();
    await eventually(() => laneOf(pm, FRUNK)).toBe('Planned');
    await eventually(() => laneOf(pm, BUTTONS)).toBe('Planned');
    await mark(pm);
    const order = (page: Page) => lane(page, 'Planned').getByRole('heading', { level: 3 }).allTextContents();
    const before = await order(pm);
    expect(before).toHaveLength(2);

    await pt.goto('/c/demo/roadmap');
    await pt.getByRole('heading', { level: 1, name: 'Roadmap' }).waitFor();
    await pt.getByRole('button', { name: `Move “${before[0]}” down` }).click();
    await eventually(() => order(pm)).toEqual([before[1], before[0]]);
    const frunkCard = (page: Page) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: FRUNK }) });
    await frunkCard(pt).getByRole('button', { name: 'Set release' }).click();
    await frunkCard(pt).getByRole('textbox', { name: 'Release label', exact: true }).fill('v2.4');
    await frunkCard(pt).getByRole('button', { name: 'Save' }).click();
    await frunkCard(pm).getByText('v2.4', { exact: true }).waitFor();

    // --- and moves the idea across the lanes as the team moves it ---
    await pt.goto(ideaPath);
    await pt.getByRole('heading', { level: 1, name: FRUNK }).waitFor();
    await moveTo(pt, 'planned', 'Planned');
    await moveTo(pt, 'in_progress', 'In progress');
    await eventually(() => laneOf(pm, FRUNK)).toBe('In progress');
    await moveTo(pt, 'shipped', 'Shipped');
    await eventually(() => laneOf(pm, FRUNK)).toBe('Shipped');
    expect(await stillMarked(pm)).toBe(true);
    await screenshot(pm, 'pipeline-roadmap');

    // --- the changelog draft appears for the team, who edit and publish it; the member sees it live ---
    await pm.goto('/c/demo/changelog');
    await pm.getByText('Nothing published yet.').waitFor();
    await mark(pm);
    await pt.goto('/c/demo/changelog');
    await pt.getByRole('heading', { level: 1, name: 'Changelog' }).waitFor();
    const draft = pt.getByRole('list', { name: 'Drafts' }).getByRole('article').filter({ hasText: FRUNK });
    await draft.waitFor();
    await draft.getByRole('term').filter({ hasText: 'Proposed by' }).waitFor();
    expect(await textOf(draft.getByRole('definition').first())).toBe('Sam (@sam)');
    await screenshot(pt, 'pipeline-changelog-draft');
    await draft.getByRole('button', { name: 'Edit' }).click();
    const editing = pt.getByRole('form', { name: `Edit “${FRUNK}”` });
    await editing.getByLabel('Title').fill(SHIPPED);
    await editing.getByRole('button', { name: 'Save' }).click();
    const edited = pt.getByRole('list', { name: 'Drafts' }).getByRole('article').filter({ hasText: SHIPPED });
    await edited.getByRole('button', { name: 'Publish' }).click();
    await pt.getByRole('list', { name: 'Published entries' }).getByRole('heading', { name: SHIPPED }).waitFor();
    const entry = pm.getByRole('list', { name: 'Published entries' }).getByRole('article').filter({ hasText: SHIPPED });
    await entry.waitFor();
    expect(await textOf(entry.getByRole('definition').first())).toBe('Sam (@sam)');
    expect(await stillMarked(pm)).toBe(true);
    await screenshot(pm, 'pipeline-changelog');

    // --- the member sees the credit on their profile ---
    await pm.goto('/me');
    const credits = pm.getByRole('list', { name: 'Credits' });
    await credits.getByRole('listitem').filter({ hasText: SHIPPED }).waitFor();
    expect(await textOf(credits.getByRole('listitem').filter({ hasText: SHIPPED }))).toContain('Author');
    await pm.getByRole('list', { name: 'Your votes' }).getByRole('link', { name: BUTTONS }).waitFor();
    await pm.getByRole('list', { name: 'Your ideas' }).getByRole('link', { name: FRUNK }).waitFor();
    await screenshot(pm, 'pipeline-profile');

    // --- a duplicate is merged from triage: its open page goes to the target ---
    const duplicateId = await pm.evaluate(async (title) => {
      const boards = (await (await fetch('/api/communities/demo/boards')).json()) as { items: { id: string; slug: string }[] };
      const board = boards.items.find((b) => b.slug === 'product');
      const headers = { 'content-type': 'application/json', accept: 'application/json' };
      const res = await fetch(`/api/boards/${board?.id}/ideas`, { method: 'POST', headers, body: JSON.stringify({ title }) });
      const id = ((await res.json()) as { id: string }).id;
      // Sam backs the duplicate: a vote that moves (Sam has not voted on the original).
      const vote = await fetch(`/api/ideas/${id}/vote`, { method: 'PUT', headers, body: JSON.stringify({ value: 1 }) });
      if (!vote.ok) throw new Error(`vote answered ${vote.status}`);
      return id;
    }, DUPLICATE);
    await pm.goto(`/i/${duplicateId}`);
    await pm.getByRole('heading', { level: 1, name: DUPLICATE }).waitFor();
    await mark(pm);

    await pt.goto(triagePath);
    // Olivia's queue announces the new idea instead of jumping; she shows it.
    await po.getByText('1 new idea', { exact: true }).or(ownerRow(DUPLICATE)).waitFor();
    if ((await ownerRow(DUPLICATE).count()) === 0) await po.getByRole('button', { name: 'Show', exact: true }).click();
    const row = pt.getByRole('row').filter({ hasText: DUPLICATE });
    await row.getByRole('button', { name: 'Merge…' }).click();
    const merge = pt.getByRole('region', { name: `Merge “${DUPLICATE}” into another idea` });
    await merge.getByRole('searchbox').fill('steering');
    await merge.getByRole('button', { name: 'Search' }).click();
    await merge.getByRole('list', { name: 'Merge targets' }).getByRole('button', { name: HEATED }).click();
    const preview = merge.getByRole('status');
    await preview.getByText('1 vote move', { exact: true }).waitFor();
    expect(await textOf(preview)).toContain('0 votes dropped');
    await screenshot(pt, 'pipeline-merge-preview');
    await ownerRow(DUPLICATE).waitFor();
    await merge.getByRole('button', { name: 'Confirm merge' }).click();
    await eventually(() => row.count()).toBe(0);
    // Olivia's queue drops the duplicate and counts the moved vote on the original, live.
    await eventually(() => ownerRow(DUPLICATE).count()).toBe(0);
    await eventually(() => textOf(ownerRow(HEATED).getByRole('cell').nth(3))).toMatch(/^6 /);
    expect(await stillMarked(po)).toBe(true);

    await pm.getByRole('heading', { level: 1, name: HEATED }).waitFor();
    await pm.getByText(`“${DUPLICATE}” was merged into this idea`).waitFor();
    expect(new URL(pm.url()).searchParams.get('merged')).toBe(duplicateId);
    expect(await stillMarked(pm)).toBe(true);

    // --- a visitor reads the public roadmap and changelog, without the team's controls ---
    const visitor = await user();
    const pv = visitor.page;
    await pv.goto('/c/demo/roadmap');
    await eventually(() => laneOf(pv, FRUNK)).toBe('Shipped');
    await frunkCard(pv).getByText('v2.4', { exact: true }).waitFor();
    expect(await pv.getByRole('button', { name: /^Move “/ }).count()).toBe(0);
    await pv.goto('/c/demo/changelog');
    await pv.getByRole('list', { name: 'Published entries' }).getByRole('heading', { name: SHIPPED }).waitFor();
    expect(await pv.getByRole('list', { name: 'Drafts' }).count()).toBe(0);
    await pv.goto('/notifications');
    await pv.getByRole('link', { name: 'Log in' }).first().waitFor();

    // --- the screens fit a phone ---
    await pt.setViewportSize({ width: 390, height: 800 });
    const screens = {
      triage: triagePath,
      roadmap: '/c/demo/roadmap',
      changelog: '/c/demo/changelog',
      notifications: '/notifications',
      profile: '/me',
    };
    for (const [name, path] of Object.entries(screens)) {
      await pt.goto(path);
      await pt.getByRole('heading', { level: 1 }).waitFor();
      await pt
        .locator('[aria-busy="true"]')
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
      expect(await horizontalOverflow(pt), path).toBeNull();
      await screenshot(pt, `pipeline-${name}-phone`);
    }
  });
});
