/**
 * The web client in a real browser against the real server: two people sign up or log in, join the
 * demo community, post an idea, vote, comment and reply, and see each other's work. Every page must
 * run without console errors, page errors, failed requests or error answers, except the one 401 the
 * wrong-password step asks for.
 *
 * Timeouts only catch hangs (15 s per step); nothing here measures speed.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { horizontalOverflow, screenshot, type UserSession, browserSuite } from './harness.js';

const STEP = 15_000;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };

const suite = browserSuite();

const user = (viewport = DESKTOP): Promise<UserSession> => suite.user(viewport);

/** The locator's text with whitespace collapsed, once it is on the page (waiting up to STEP). */
async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent({ timeout: STEP })) ?? '').replace(/\s+/g, ' ').trim();
}
/** Polls until the value passes the assertion that follows, for up to STEP. */
function eventually<T>(fn: () => Promise<T>) {
  return expect.poll(fn, { timeout: STEP, interval: 50 });
}

/** The score shown between an idea's vote arrows, e.g. "2 points". */
function score(page: Page, title: string): Locator {
  return page.getByRole('group', { name: `Votes on “${title}”` }).getByRole('status');
}

async function ideaTitles(page: Page): Promise<string[]> {
  const titles = page.getByRole('list', { name: 'Ideas' }).getByRole('heading', { level: 2 });
  return (await titles.allTextContents()).map((t) => t.trim());
}

/** Screenshots at desktop and phone width, and no sideways scrolling at either. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    // Let layout settle after the resize before measuring.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await horizontalOverflow(page), `${name} at ${label} width`).toBeNull();
    await screenshot(page, `${name}-${label}`);
  }
  await page.setViewportSize(DESKTOP);
}

// A test only fails on time when something hangs; each step already waits at most STEP.
describe('web client in a real browser', { timeout: 60_000 }, () => {
  const idea = {
    title: 'Bike rack that mounts on the tow bar',
    body: 'Folds away when not in use.\nFits two e-bikes.',
    tags: 'outdoor, bikes',
  };
  const commentA = 'I would use this every weekend.';
  const replyB = 'Same here, and please make it lockable.';
  let ideaPath = '';

  it('two people: sign up, join, post, vote, comment, reply, and see each other', async () => {
    const member = suite.server.logins.find((l) => l.role === 'member');
    if (!member) throw new Error('the demo has no member login');

    // --- A signs up through the form ---
    const a = await user();
    const pa = a.page;
    await pa.goto('/');
    await pa.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign up' }).click();
    await pa.getByRole('heading', { name: 'Create your account' }).waitFor();
    await pa.getByLabel('Email').fill('alice.e2e@example.com');
    await pa.getByLabel('Handle').fill('alice_e2e');
    await pa.getByLabel('Display name').fill('Alice');
    await pa.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await pa.getByRole('button', { name: 'Sign up' }).click();
    await pa.getByRole('button', { name: 'Log out' }).waitFor();
    expect(await textOf(pa.getByRole('navigation', { name: 'Account' }))).toContain('Alice @alice_e2e');

    // --- A opens the demo community and joins it ---
    await pa.getByRole('link', { name: 'Demo Motors community' }).click();
    await pa.getByRole('heading', { level: 1, name: 'Demo Motors community' }).waitFor();
    await pa.getByRole('button', { name: 'Join community' }).click();
    await pa.getByText('You are a member of this community.').waitFor();
    await pa.getByRole('complementary', { name: 'Membership' }).getByText('@alice_e2e').waitFor();

    // --- A opens a board and posts an idea with the composer ---
    await pa.getByRole('link', { name: 'Product ideas' }).click();
    await pa.getByRole('heading', { level: 1, name: 'Product ideas' }).waitFor();
    await pa.getByRole('button', { name: 'New idea' }).click();
    const composer = pa.getByRole('form', { name: 'Suggest an idea' });
    await composer.getByLabel('Title').fill(idea.title);
    await composer.getByLabel('Details').fill(idea.body);
    await composer.getByLabel('Tags').fill(idea.tags);
    await composer.getByRole('button', { name: 'Post idea' }).click();
    await pa.getByRole('heading', { level: 1, name: idea.title }).waitFor();
    ideaPath = new URL(pa.url()).pathname;
    expect(ideaPath).toMatch(/^\/i\/[0-9a-f-]{36}$/);
    expect(await pa.getByRole('list', { name: 'Tags' }).getByRole('listitem').allTextContents()).toEqual(['#bikes', '#outdoor']);

    // --- A votes: the count changes, and the arrow shows it is A's vote ---
    expect(await textOf(score(pa, idea.title))).toBe('0 points');
    const upA = pa.getByRole('button', { name: `Upvote “${idea.title}”` });
    expect(await upA.getAttribute('aria-pressed')).toBe('false');
    await upA.click();
    await eventually(() => textOf(score(pa, idea.title))).toBe('1 point');
    await eventually(() => upA.getAttribute('aria-pressed')).toBe('true');

    // --- A comments ---
    await pa.getByRole('textbox', { name: 'Add a comment' }).fill(commentA);
    await pa.getByRole('button', { name: 'Comment', exact: true }).click();
    const commentsA = pa.getByRole('region', { name: /comment/ });
    await commentsA.locator('.comment-body').getByText(commentA).waitFor();
    await commentsA.getByRole('heading', { name: '1 comment' }).waitFor();
    expect(await pa.getByRole('textbox', { name: 'Add a comment' }).inputValue()).toBe('');

    // --- B opens the idea, logs in with a demo login, and comes back to it ---
    const b = await user();
    const pb = b.page;
    await pb.goto(ideaPath);
    await pb.getByRole('heading', { level: 1, name: idea.title }).waitFor();
    await pb.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log in' }).click();
    await pb.getByRole('heading', { name: 'Log in' }).waitFor();
    await pb.getByLabel('Email').fill(member.email);
    await pb.getByLabel('Password').fill(member.password);
    await pb.getByRole('button', { name: 'Log in' }).click();
    await pb.getByRole('button', { name: 'Log out' }).waitFor();
    await pb.getByRole('heading', { level: 1, name: idea.title }).waitFor();
    expect(new URL(pb.url()).pathname).toBe(ideaPath);

    // --- B sees A's comment and vote, votes, and replies ---
    const commentsB = pb.getByRole('region', { name: /comment/ });
    await commentsB.locator('.comment-body').getByText(commentA).waitFor();
    expect(await textOf(score(pb, idea.title))).toBe('1 point');
    const upB = pb.getByRole('button', { name: `Upvote “${idea.title}”` });
    expect(await upB.getAttribute('aria-pressed')).toBe('false');
    await upB.click();
    await eventually(() => textOf(score(pb, idea.title))).toBe('2 points');
    await pb.getByRole('button', { name: 'Reply to @alice_e2e' }).click();
    const replyForm = pb.getByRole('form', { name: 'Reply to @alice_e2e' });
    await replyForm.getByRole('textbox').fill(replyB);
    await replyForm.getByRole('button', { name: 'Reply' }).click();
    await pb.getByRole('list', { name: 'Replies to @alice_e2e' }).locator('.comment-body').getByText(replyB).waitFor();
    await commentsB.getByRole('heading', { name: '2 comments' }).waitFor();

    // --- A reloads and sees both votes and the reply ---
    await pa.reload();
    await pa.getByRole('heading', { level: 1, name: idea.title }).waitFor();
    await eventually(() => textOf(score(pa, idea.title))).toBe('2 points');
    expect(await upA.getAttribute('aria-pressed')).toBe('true');
    await pa.getByRole('list', { name: 'Replies to @alice_e2e' }).locator('.comment-body').getByText(replyB).waitFor();
    await commentsA.getByRole('heading', { name: '2 comments' }).waitFor();

    // --- screenshots of the idea page and its board, signed in ---
    await shoot(pa, 'idea-signed-in');
    await pa.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Product ideas' }).click();
    await pa.getByRole('heading', { level: 1, name: 'Product ideas' }).waitFor();
    await eventually(() => textOf(score(pa, idea.title))).toBe('2 points');
    await shoot(pa, 'board-signed-in');
  });

  it('the sort switch changes the order of a board (as a visitor)', async () => {
    expect(ideaPath, 'needs the idea of the first test').not.toBe('');
    const v = await user();
    const page = v.page;
    await page.goto('/');
    await page.getByRole('link', { name: 'Demo Motors community' }).click();
    await page.getByRole('link', { name: 'Product ideas' }).click();
    await page.getByRole('heading', { level: 1, name: 'Product ideas' }).waitFor();
    await page.getByText('Log in to post ideas.').waitFor();

    const sortBy = (label: string) => page.getByRole('group', { name: 'Sort ideas' }).getByRole('button', { name: label, exact: true });
    expect(await sortBy('Top').getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('list', { name: 'Ideas' }).getByRole('heading', { name: idea.title }).waitFor();
    const top = await ideaTitles(page);
    expect(top[0]).toBe('Heated steering wheel as an option on the base trim');
    expect(top).toHaveLength(6);

    await sortBy('New').click();
    await eventually(() => sortBy('New').getAttribute('aria-pressed')).toBe('true');
    await eventually(() => ideaTitles(page).then((t) => t[0])).toBe(idea.title);
    const newest = await ideaTitles(page);
    expect(newest).not.toEqual(top);
    expect([...newest].sort()).toEqual([...top].sort());
    expect(new URL(page.url()).search).toBe('?sort=new');

    // Visitors see why they cannot vote instead of a failed request.
    await page.getByRole('button', { name: `Upvote “${idea.title}”` }).click();
    await page.getByRole('alert').getByText('Log in to vote.').waitFor();
    await shoot(page, 'board-visitor');

    await sortBy('Top').click();
    await eventually(() => ideaTitles(page)).toEqual(top);
    expect(new URL(page.url()).search).toBe('');
  });

  it('own comments can be edited and deleted, missing pages say so, and logging out sticks', async () => {
    expect(ideaPath, 'needs the idea of the first test').not.toBe('');
    const member = suite.server.logins.find((l) => l.role === 'member');
    if (!member) throw new Error('the demo has no member login');
    const s = await user();
    const page = s.page;
    await page.goto(`/login?next=${encodeURIComponent(ideaPath)}`);
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: idea.title }).waitFor();
    const comments = page.getByRole('region', { name: /comment/ });
    await comments.getByRole('heading', { name: '2 comments' }).waitFor();

    // Edit the reply from the first test.
    await page.getByRole('button', { name: 'Edit your comment' }).click();
    const edit = page.getByRole('form', { name: 'Edit your comment' });
    await edit.getByRole('textbox').fill(`${replyB} Edited.`);
    await edit.getByRole('button', { name: 'Save' }).click();
    await comments.locator('.comment-body').getByText(`${replyB} Edited.`).waitFor();
    await comments.getByText('(edited)').waitFor();

    // Delete it: the thread keeps a placeholder and the count drops at once, as the server's does.
    await page.getByRole('button', { name: 'Delete your comment' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await comments.getByText('This comment was deleted.').waitFor();
    await comments.getByRole('heading', { name: '1 comment' }).waitFor();
    await page.reload();
    await comments.getByRole('heading', { name: '1 comment' }).waitFor();
    await comments.getByText('This comment was deleted.').waitFor();

    // An idea that does not exist, and an address that cannot be one (no request at all).
    const missing = '/i/00000000-0000-4000-8000-000000000000';
    s.expectHttp(404, `/api${missing.replace('/i/', '/ideas/')}`);
    await page.goto(missing);
    await page.getByRole('heading', { level: 1, name: 'Idea unavailable' }).waitFor();
    await page.getByRole('alert').getByText("We couldn't find that.").waitFor();
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Back to all communities' }).waitFor();
    await screenshot(page, 'idea-missing-desktop');
    await page.goto('/i/not-an-id');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();

    // Log out; a reload stays logged out and asks the server nothing it would refuse.
    await page.getByRole('button', { name: 'Log out' }).click();
    const account = page.getByRole('navigation', { name: 'Account' });
    await account.getByRole('link', { name: 'Log in' }).waitFor();
    await page.reload();
    await account.getByRole('link', { name: 'Log in' }).waitFor();
    expect(await account.getByRole('button', { name: 'Log out' }).count()).toBe(0);
  });

  it('a wrong password shows a readable error', async () => {
    const member = suite.server.logins.find((l) => l.role === 'member');
    if (!member) throw new Error('the demo has no member login');
    const s = await user(PHONE);
    const page = s.page;
    await page.goto('/login');
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(`${member.password}-wrong`);
    s.expectHttp(401, '/api/auth/login');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'do not match' });
    expect(await textOf(alert)).toBe('That email and password do not match an account.');
    // Still on the form, still anonymous, and the e-mail is kept for a second try.
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.getByLabel('Email').inputValue()).toBe(member.email);
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log in' }).waitFor();
    expect(await horizontalOverflow(page)).toBeNull();
    await screenshot(page, 'login-wrong-password-phone');
  });
});
