// A community for a run, made through REST: an owner, a public open community, a board of ideas and
// member accounts with bearer tokens (argon2 makes sign-ups slow: a few at a time).
import { pool } from './eio.mjs';
import { api } from './services.mjs';

/**
 * @param {{ base: string, runId: string, tag: string, ideas: number, members: number }} o
 * @returns {Promise<{ slug: string, boardId: string, ideaIds: string[], members: { userId: string, token: string }[] }>}
 */
export async function communityFixture({ base, runId, tag, ideas, members }) {
  const password = `${tag}-${runId}-password`;
  const signup = (who) =>
    api(base, 'POST', '/api/auth/signup', {
      email: `${who}-${runId}@${tag}.example.com`,
      password,
      handle: `${tag[0]}${who}${runId}`.slice(0, 30),
      tokenMode: 'bearer',
    });
  const owner = await signup('owner');
  const slug = `${tag}-${runId}`;
  await api(base, 'POST', '/api/communities', { slug, name: `${tag} ${runId}`, visibility: 'public', joinPolicy: 'open' }, owner.token);
  const board = await api(base, 'POST', `/api/communities/${slug}/boards`, { name: tag, ranking: { formula: 'top' } }, owner.token);
  const ideaIds = [];
  for (let i = 0; i < ideas; i++)
    ideaIds.push((await api(base, 'POST', `/api/boards/${board.id}/ideas`, { title: `${tag} idea ${i + 1}` }, owner.token)).id);
  const list = new Array(members);
  const errors = await pool(members, 4, async (i) => {
    const u = await signup(`m${i}_`);
    await api(base, 'POST', `/api/communities/${slug}/join`, {}, u.token);
    list[i] = { userId: u.user.id, token: u.token };
  });
  if (errors.length) throw new Error(`creating members failed: ${errors[0]}`);
  return { slug, boardId: board.id, ideaIds, members: list };
}
