/**
 * Co-writing an idea in a real browser against the real server: the composer points at similar
 * ideas while a title is typed; two members write the body together over the stock y-websocket
 * provider and see each other's text and named carets; the text survives a reload and reaches
 * the idea's plain-text extract; a guest and a non-member watch it live but cannot type; a lock
 * makes it read-only for members live and after a reload.
 *
 * Timeouts only catch hangs (15 s per step); nothing here measures speed.
 */
import type { Locator, Page, WebSocket, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoLogin, horizontalOverflow, screenshot, signIn, type UserSession, browserSuite } from './harness.js';

const STEP = 15_000;

const suite = browserSuite();

const sockets = new WeakMap<Page, WebSocket[]>();

async function user(viewport?: { width: number; height: number }): Promise<UserSession> {
  const s = await suite.user(viewport);
  const mine: WebSocket[] = [];
  sockets.set(s.page, mine);
  s.page.on('websocket', (ws) => {
    if (new URL(ws.url()).pathname.startsWith('/collab/')) mine.push(ws);
  });
  return s;
}
/** Every /collab socket this page opened, open or closed. */
function collabSockets(page: Page): WebSocket[] {
  return sockets.get(page) ?? [];
}

function eventually<T>(fn: () => Promise<T>) {
  return expect.poll(fn, { timeout: STEP, interval: 50 });
}
function body(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Idea text' });
}
/** The body's text without the carets' name labels (widgets inside the editable element). */
async function bodyText(page: Page): Promise<string> {
  const text = await body(page).evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    for (const caret of Array.from(copy.querySelectorAll('.collab-caret'))) caret.remove();
    return copy.textContent ?? '';
  });
  return text.replace(/\s+/g, ' ').trim();
}
function collabStatus(page: Page): Locator {
  return page.getByRole('region', { name: 'Details' }).getByRole('status');
}
/** Another writer's caret in this page's editor, by the name the server gave it. */
function caretOf(page: Page, name: string): Locator {
  return page.locator('.collab-caret-label', { hasText: name });
}
/** Puts the caret at the very end of the body and types there. */
async function typeAtEnd(page: Page, text: string): Promise<void> {
  await body(page).click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}
async function readOnly(page: Page): Promise<boolean> {
  const el = body(page);
  return (await el.getAttribute('contenteditable')) === 'false' && (await el.getAttribute('aria-readonly')) === 'true';
}

/** A moderator (Maya) locks or unlocks an idea through the API. */
async function setLocked(ideaPath: string, locked: boolean): Promise<void> {
  const moderator = await suite.browser.newContext({ baseURL: suite.server.origin });
  try {
    const headers = { origin: suite.server.origin };
    const maya = demoLogin(suite.server, 'maya');
    const login = await moderator.request.post('/api/auth/login', { data: { email: maya.email, password: maya.password }, headers });
    expect(login.status()).toBe(200);
    const res = await moderator.request.post(`/api/ideas/${ideaPath.slice('/i/'.length)}/lock`, { data: { locked }, headers });
    expect(res.status()).toBe(200);
  } finally {
    await moderator.close();
  }
}

describe('co-writing an idea in a real browser', { timeout: 240_000 }, () => {
  const EXISTING = 'Heated steering wheel as an option on the base trim';
  const TITLE = 'Split-folding rear seats with a ski hatch';
  const FIRST = 'Long things should fit inside.';
  const BY_SAM = 'Sam was here.';
  const BY_LENA = 'Lena too.';

  it('similar ideas while typing a title; two members write together, see carets, and the text persists', async () => {
    // --- A (Sam) opens the composer and types a title close to an existing idea ---
    const a = await user();
    const pa = a.page;
    await signIn(pa, demoLogin(suite.server, 'sam'), '/');
    await pa.getByRole('link', { name: 'Demo Motors community' }).click();
    await pa.getByRole('link', { name: 'Product ideas' }).click();
    await pa.getByRole('heading', { level: 1, name: 'Product ideas' }).waitFor();
    await pa.getByRole('button', { name: 'New idea' }).click();
    const composer = pa.getByRole('form', { name: 'Suggest an idea' });
    const title = composer.getByLabel('Title');
    // Typed key by key, as a person would: every keystroke cancels the search before it.
    await title.pressSequentially('A heated steer', { delay: 20 });
    const similar = composer.getByRole('list', { name: 'Similar ideas' });
    const match = similar.getByRole('link', { name: EXISTING });
    await match.waitFor();
    expect(await similar.getByRole('listitem').count()).toBeLessThanOrEqual(5);
    const row = similar.getByRole('listitem').filter({ hasText: EXISTING });
    expect(await row.textContent()).toMatch(/5 points\s*Open/);
    expect(await match.getAttribute('href')).toMatch(/^\/i\//);
    await composer.getByText('Vote on an existing idea instead of posting a duplicate').waitFor();
    await screenshot(pa, 'composer-similar-ideas');
    // A title like nothing on the board shows none.
    await title.fill('Xylophone zebra quasar');
    await similar.waitFor({ state: 'detached' });

    // --- A posts a new idea with a first line of details ---
    await title.fill(TITLE);
    await composer.getByLabel('Details').fill(FIRST);
    await composer.getByRole('button', { name: 'Post idea' }).click();
    await pa.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    const ideaPath = new URL(pa.url()).pathname;
    // The body typed in the composer opens as the document's first paragraph.
    await eventually(() => bodyText(pa)).toBe(FIRST);
    await collabStatus(pa).getByText('Live').waitFor();
    expect(await readOnly(pa)).toBe(false);

    // --- B (Lena) opens the same idea ---
    const b = await user();
    const pb = b.page;
    await signIn(pb, demoLogin(suite.server, 'lena'), ideaPath);
    await pb.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await eventually(() => bodyText(pb)).toBe(FIRST);
    await collabStatus(pb).getByText('Live').waitFor();

    // --- A types: B sees the text and A's named caret ---
    await typeAtEnd(pa, ` ${BY_SAM}`);
    await eventually(() => bodyText(pb)).toBe(`${FIRST} ${BY_SAM}`);
    await caretOf(pb, 'Sam').waitFor();
    // In the colour the server gave Sam, not the grey used when a colour cannot be read.
    expect(await caretOf(pb, 'Sam').evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgb(107, 114, 128)');

    // --- B types (bold, from the toolbar): A sees it and B's caret ---
    await typeAtEnd(pb, ' ');
    await pb.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Bold' }).click();
    await pb.keyboard.type(BY_LENA);
    await eventually(() => bodyText(pa)).toBe(`${FIRST} ${BY_SAM} ${BY_LENA}`);
    await body(pa).locator('strong', { hasText: BY_LENA }).waitFor();
    await caretOf(pa, 'Lena').waitFor();
    await screenshot(pb, 'collab-two-writers');

    // --- after a reload the text is still there (from the suite.server, not this tab) ---
    await pb.reload();
    await pb.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await eventually(() => bodyText(pb)).toBe(`${FIRST} ${BY_SAM} ${BY_LENA}`);
    await collabStatus(pb).getByText('Live').waitFor();

    // --- B loses the network: says so, keeps typing into this tab, and A gets it once B is back ---
    await b.context.setOffline(true);
    await collabStatus(pb).getByText('Offline').waitFor();
    await pb.getByText('Your changes are kept in this tab and sent when the connection is back.').waitFor();
    await screenshot(pb, 'collab-offline');
    await typeAtEnd(pb, ' Offline words.');
    await b.context.setOffline(false);
    await collabStatus(pb).getByText('Live').waitFor();
    await eventually(() => bodyText(pa)).toBe(`${FIRST} ${BY_SAM} ${BY_LENA} Offline words.`);

    // --- the plain-text extract follows, so lists and search show the co-written text ---
    const ideaId = ideaPath.slice('/i/'.length);
    await eventually(async () => {
      const res = await b.context.request.get(`/api/ideas/${ideaId}`);
      return ((await res.json()) as { bodyText: string }).bodyText;
    }).toContain('Offline words.');

    // --- leaving the page closes the document's socket ---
    expect(collabSockets(pa).filter((ws) => !ws.isClosed())).toHaveLength(1);
    await pa.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Product ideas' }).click();
    await pa.getByRole('heading', { level: 1, name: 'Product ideas' }).waitFor();
    // Sam's caret leaves Lena's editor once his connection is gone.
    await caretOf(pb, 'Sam').waitFor({ state: 'detached' });
    await eventually(async () => collabSockets(pa).filter((ws) => !ws.isClosed()).length).toBe(0);
  });

  it('guests and non-members watch live but cannot type; a lock makes it read-only live and after reload', async () => {
    // --- a member (Lena) opens a seeded idea ---
    const m = await user();
    const pm = m.page;
    await signIn(pm, demoLogin(suite.server, 'lena'), '/');
    await pm.getByRole('link', { name: 'Demo Motors community' }).click();
    await pm.getByRole('link', { name: 'Product ideas' }).click();
    await pm.getByRole('link', { name: 'Configurable regenerative braking strength' }).click();
    await pm.getByRole('heading', { level: 1, name: 'Configurable regenerative braking strength' }).waitFor();
    const ideaPath = new URL(pm.url()).pathname;
    await eventually(() => bodyText(pm)).toBe('Three levels plus a one-pedal mode.');
    await collabStatus(pm).getByText('Live').waitFor();

    // --- a guest: live text, no typing, told how to help ---
    // (on a phone-sized screen)
    const g = await user({ width: 375, height: 740 });
    const pg = g.page;
    await pg.goto(ideaPath);
    await eventually(() => bodyText(pg)).toBe('Three levels plus a one-pedal mode.');
    expect(await readOnly(pg)).toBe(true);
    await pg.getByText('Log in to help write this idea.').waitFor();
    await body(pg).click();
    await pg.keyboard.type('GUEST WAS HERE');

    // --- a non-member (signed up, not joined) ---
    const n = await user();
    const pn = n.page;
    await pn.goto(`/signup?next=${encodeURIComponent(ideaPath)}`);
    await pn.getByLabel('Email').fill('outsider@example.test');
    await pn.getByLabel('Handle').fill('outsider');
    await pn.getByLabel('Display name').fill('Outsider');
    await pn.getByLabel('Password', { exact: true }).fill('outsider-password-1');
    await pn.getByRole('button', { name: 'Sign up' }).click();
    // Signing up lands on the idea (the form's `next`).
    await pn.getByRole('button', { name: 'Log out' }).waitFor();
    await pn.getByRole('heading', { level: 1, name: 'Configurable regenerative braking strength' }).waitFor();
    await eventually(() => bodyText(pn)).toBe('Three levels plus a one-pedal mode.');
    expect(await readOnly(pn)).toBe(true);
    await pn.getByText('Join the community to help write this idea.').waitFor();
    await body(pn).click();
    await pn.keyboard.type('OUTSIDER WAS HERE');

    // The member writes after both tried: when the readers see that, their keystrokes had their chance.
    await typeAtEnd(pm, ' Member edit.');
    const after = 'Three levels plus a one-pedal mode. Member edit.';
    await eventually(() => bodyText(pg)).toBe(after);
    await eventually(() => bodyText(pn)).toBe(after);
    await caretOf(pg, 'Lena').waitFor();
    expect(await bodyText(pm)).toBe(after);
    expect(await horizontalOverflow(pg)).toBeNull();
    await screenshot(pg, 'collab-guest-read-only-phone');

    // --- a moderator locks the idea: the member's editor turns read-only at once ---
    await setLocked(ideaPath, true);
    await pm.getByText('This idea is locked').first().waitFor();
    await eventually(() => readOnly(pm)).toBe(true);
    await pm.getByText("You can't help write this idea: the idea is locked.").waitFor();
    expect(await pm.getByRole('toolbar', { name: 'Formatting' }).count()).toBe(0);

    // --- and stays read-only after a reload, still showing the live text ---
    await pm.reload();
    await eventually(() => bodyText(pm)).toBe(after);
    await collabStatus(pm).getByText('Live').waitFor();
    expect(await readOnly(pm)).toBe(true);
    await screenshot(pm, 'collab-locked-read-only');

    // --- unlocked: the member writes again without a reload, and the others get it (the editor
    // reconnects, so the suite.server, which opened this connection read-only, decides again) ---
    await setLocked(ideaPath, false);
    await eventually(() => readOnly(pm)).toBe(false);
    await typeAtEnd(pm, ' After unlock.');
    await eventually(() => bodyText(pg)).toBe(`${after} After unlock.`);
  });
  it('a refused document stops with a clear message and the saved text; a busy server is retried until live', async () => {
    const BUTTONS = 'Physical buttons for climate control';
    const SAVED = 'Touchscreens are hard to use while driving. Bring back real knobs.';
    const openIdea = async (page: Page) => {
      await page.goto('/');
      await page.getByRole('link', { name: 'Demo Motors community' }).click();
      await page.getByRole('link', { name: 'Product ideas' }).click();
      await page.getByRole('link', { name: BUTTONS }).click();
      await page.getByRole('heading', { level: 1, name: BUTTONS }).waitFor();
    };

    // --- too large (4413, a permanent refusal): the provider stops, the page says why ---
    const big = (await user()).page;
    let bigAttempts = 0;
    await big.routeWebSocket(/\/collab\//, (ws) => {
      bigAttempts++;
      ws.close({ code: 4413, reason: 'document too large' });
    });
    await openIdea(big);
    await collabStatus(big).getByText('Stopped').waitFor();
    await big.getByText('This idea’s text is too large to open live. Showing the last saved text.').waitFor();
    await big.getByText(SAVED).waitFor();
    expect(await body(big).count()).toBe(0);
    await screenshot(big, 'collab-refused-too-large');

    // --- busy (1013, temporary): said while retrying, then live once the server takes it ---
    const busy = (await user()).page;
    let attempts = 0;
    let held: WebSocketRoute | null = null;
    await busy.routeWebSocket(/\/collab\//, (ws) => {
      attempts++;
      if (attempts === 1) ws.close({ code: 1013, reason: 'overloaded' });
      // The retry is held open and silent until the test has read the page; then it drops.
      else if (attempts === 2) held = ws;
      else ws.connectToServer();
    });
    await openIdea(busy);
    await busy.getByText('The server is busy. Retrying…').waitFor();
    expect(await collabStatus(busy).textContent()).toContain('Connecting…');
    await eventually(async () => held !== null).toBe(true);
    await (held as WebSocketRoute | null)?.close({ code: 1012, reason: 'restarting' });
    await collabStatus(busy).getByText('Live').waitFor();
    await eventually(() => bodyText(busy)).toBe(SAVED);
    expect(attempts).toBe(3);
    // Meanwhile the refused page never tried again.
    expect(bigAttempts).toBe(1);
  });
});
