// REST helpers for k6 scripts (k6/http; unlike the other lib modules, this one runs only in k6).
import http from 'k6/http';
import { bearer } from './load.js';

/** @typedef {{ id: string, up: number, down: number, version: number, myVote: number }} IdeaCounts */

/**
 * Every idea of a board with its counts (and the caller's own vote when a token is given),
 * following the cursor 100 at a time. Throws on an HTTP error: callers run it where a failure
 * should stop them (setup, teardown, the start of a session).
 * @param {string} base
 * @param {string} boardId
 * @param {string} [token]
 * @returns {IdeaCounts[]}
 */
export function listBoardIdeas(base, boardId, token) {
  /** @type {IdeaCounts[]} */
  const out = [];
  let cursor = '';
  const params = { headers: token ? bearer(token) : {}, tags: { name: 'GET /api/boards/:id/ideas' } };
  for (let page = 0; page < 1000; page++) {
    const url = `${base}/api/boards/${boardId}/ideas?sort=new&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = http.get(url, params);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${String(res.body).slice(0, 200)}`);
    const body = /** @type {{ items: IdeaCounts[], nextCursor: string | null }} */ (res.json());
    for (const i of body.items) out.push({ id: i.id, up: i.up, down: i.down, version: i.version, myVote: i.myVote });
    if (!body.nextCursor) return out;
    cursor = body.nextCursor;
  }
  throw new Error(`GET ${base}/api/boards/${boardId}/ideas: too many pages`);
}
