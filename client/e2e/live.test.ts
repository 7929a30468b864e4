/**
 * The live layer in a real browser against the real server: two members watch the same board and
 * idea in two browser contexts and see each other's votes, new ideas, comments, typing and presence
 * without reloading; a moderator's lock turns the idea read-only live; a browser that goes offline
 * says so and catches up when it is back. No console errors, page errors or failed requests.
 *
 * Timeouts only catch hangs (15 s per step); nothing here measures speed.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { DemoLogin } from '../../server/src/seed.js';
import { screenshot, type UserSession, browserSuite } from './harness.js';

const STEP = 15_000;

const suite = browserSuite();

const user = (): Promise<UserSession> => suite.user();

function demo(handle: string): DemoLogin {
  const login = suite.server.logins.find((l) => l.email.startsWith(`${handle}@`));
  if (!login) throw new Error(`the demo has no ${handle}`);
  return login;
}

async function signIn(page: Page, login: DemoLogin, next: string): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent({ timeout: STEP })) ?? '').replace(/\s+/g, ' ').trim();
}
function eventually<T>(fn: () => Promise<T>) {
  return expect.poll(fn, { timeout: STEP, interval: 50 });
}
function score(page: Page, title: string): Locator {
  return page.getByRole('group', { name: `Votes on “${title}”` }).getByRole('status');
}
async function ideaTitles(page: Page): Promise<string[]> {
  const titles = page.getByRole('list', { name: 'Ideas' }).getByRole('heading', { level: 2 });
  return (await titles.allTextContents()).map((t) => t.trim());
}
/** The avatars of the other people on a board or idea. */
function presence(page: Page, where: 'board' | 'idea'): Locator {
  return page.getByRole('region', { name: `People on this ${where}` });
}
function avatarOf(page: Page, where: 'board' | 'idea', name: string): Locator {
  return presence(page, where).getByRole('listitem').filter({ hasText: name });
}

/** Marks the page's window; a reload or full navigation would lose the mark. */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { liveMark?: boolean }).liveMark = true;
  });
}
function stillMarked(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { liveMark?: boolean }).liveMark === true);
}

describe('live updates in a real browser', { timeout: 180_000 }, () => {
  const HEATED = 'Heated steering wheel as an option on the base trim';
  const BUTTONS = 'Physical buttons for climate control';
  const NEW_IDEA = 'Seat memory linked to the phone key';
  const COMMENT = 'Would love this for a shared family car.';

  it('two members see votes, new ideas, comments, typing, presence and a lock without reloading', async () => {
    // --- A (Sam) opens the demo board ---
    const a = await user();
    const pa = a.page;
    await signIn(pa, demo('sam'), '/');
    await pa.getByRole('link', { name: 'Demo Motors community' }).click();
    await pa.getByRole('link', { name: 'Product ideas' }).click();
    await pa.getByRole('heading', { level: 1, name: 'Product ideas' }).waitFor();
    const boardPath = new URL(pa.url()).pathname;
    await mark(pa);

    // --- B (Lena) opens the same board ---
    const b = await user();
    const pb = b.page;
    await signIn(pb, demo('lena'), boardPath);
    await pb.getByRole('heading', { level: 1, name: 'Product ideas' }).waitFor();
    await mark(pb);

    // --- presence: each sees the other on the board ---
    await avatarOf(pa, 'board', 'Lena').waitFor();
    await avatarOf(pb, 'board', 'Sam').waitFor();

    // --- B votes: A's counts and order change without a reload ---
    await pa.getByRole('list', { name: 'Ideas' }).getByRole('heading', { name: BUTTONS }).waitFor();
    expect((await ideaTitles(pa))[0]).toBe(HEATED);
    expect(await textOf(score(pa, HEATED))).toBe('5 points');
    expect(await textOf(score(pa, BUTTONS))).toBe('4 points');
    // Lena upvotes the buttons and takes back her vote on the steering wheel: the buttons lead.
    await pb.getByRole('button', { name: `Upvote “${BUTTONS}”` }).click();
    await eventually(() => textOf(score(pa, BUTTONS))).toBe('5 points');
    expect(await pb.getByRole('button', { name: `Upvote “${HEATED}”` }).getAttribute('aria-pressed')).toBe('true');
    await pb.getByRole('button', { name: `Upvote “${HEATED}”` }).click();
    await eventually(() => textOf(score(pa, HEATED))).toBe('4 points');
    await eventually(() => ideaTitles(pa).then((t) => t[0])).toBe(BUTTONS);
    // B's own view agrees once its votes settle.
    await eventually(() => textOf(score(pb, BUTTONS))).toBe('5 points');
    await eventually(() => ideaTitles(pb).then((t) => t[0])).toBe(BUTTONS);

    // --- A writes a new idea: B sees A typing, then a notice instead of a jumping list ---
    await pa.getByRole('button', { name: 'New idea' }).click();
    const composer = pa.getByRole('form', { name: 'Suggest an idea' });
    await composer.getByLabel('Title').fill(NEW_IDEA);
    await presence(pb, 'board').getByText('Sam is typing…').waitFor();
    await composer.getByRole('button', { name: 'Post idea' }).click();
    await pa.getByRole('heading', { level: 1, name: NEW_IDEA }).waitFor();
    const ideaPath = new URL(pa.url()).pathname;
    const notice = pb.getByRole('status').filter({ hasText: '1 new idea' });
    await notice.waitFor();
    expect(await ideaTitles(pb)).not.toContain(NEW_IDEA);
    await screenshot(pb, 'live-board-new-idea-notice');
    await notice.getByRole('button', { name: 'Show' }).click();
    await pb.getByRole('list', { name: 'Ideas' }).getByRole('heading', { name: NEW_IDEA }).waitFor();
    await notice.waitFor({ state: 'detached' });

    // --- B opens the idea; each sees the other there ---
    await pb.getByRole('link', { name: NEW_IDEA }).click();
    await pb.getByRole('heading', { level: 1, name: NEW_IDEA }).waitFor();
    expect(new URL(pb.url()).pathname).toBe(ideaPath);
    await avatarOf(pa, 'idea', 'Lena').waitFor();
    await avatarOf(pb, 'idea', 'Sam').waitFor();

    // --- A comments: B sees A typing, then the comment and the count ---
    await pa.getByRole('textbox', { name: 'Add a comment' }).fill(COMMENT);
    await presence(pb, 'idea').getByText('Sam is typing…').waitFor();
    await pa.getByRole('button', { name: 'Comment', exact: true }).click();
    const commentsB = pb.getByRole('region', { name: /comment/ });
    await commentsB.getByText(COMMENT).waitFor();
    await commentsB.getByRole('heading', { name: '1 comment' }).waitFor();
    await presence(pb, 'idea').getByText('1 other person on this idea').waitFor();
    await screenshot(pb, 'live-idea-comment');

    // --- A votes on the idea: B's count follows (state for the idea B has open) ---
    const upA = pa.getByRole('button', { name: `Upvote “${NEW_IDEA}”` });
    await upA.click();
    await eventually(() => textOf(score(pa, NEW_IDEA))).toBe('1 point');
    await eventually(() => textOf(score(pb, NEW_IDEA))).toBe('1 point');

    // --- B goes offline: the banner says so; A's change shows once B is back ---
    await b.context.setOffline(true);
    const offline = pb.getByRole('status').getByText('Offline — changes will show when you’re back.');
    await offline.waitFor();
    await screenshot(pb, 'live-offline-banner');
    await upA.click();
    await eventually(() => textOf(score(pa, NEW_IDEA))).toBe('0 points');
    expect(await textOf(score(pb, NEW_IDEA))).toBe('1 point');
    await b.context.setOffline(false);
    await eventually(() => textOf(score(pb, NEW_IDEA))).toBe('0 points');
    await offline.waitFor({ state: 'detached' });

    // --- a moderator locks the idea: B's page turns read-only at once ---
    const moderator = await suite.browser.newContext({ baseURL: suite.server.origin });
    try {
      const headers = { origin: suite.server.origin };
      const maya = demo('maya');
      const login = await moderator.request.post('/api/auth/login', { data: { email: maya.email, password: maya.password }, headers });
      expect(login.status()).toBe(200);
      const lock = await moderator.request.post(`/api/ideas/${ideaPath.slice('/i/'.length)}/lock`, { data: { locked: true }, headers });
      expect(lock.status()).toBe(200);
    } finally {
      await moderator.close();
    }
    await pb.getByText('This idea is locked').waitFor();
    await eventually(() => pb.getByRole('textbox', { name: 'Add a comment' }).count()).toBe(0);
    await pa.getByText('This idea is locked').waitFor();

    // Nobody reloaded.
    expect(await stillMarked(pa)).toBe(true);
    expect(await stillMarked(pb)).toBe(true);
  });
});
