import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { can } from '@cocreate/protocol';
import type { FastifyInstance } from 'fastify';
import { forbidden, invalid, unauthenticated } from '../errors.js';
import { ideaResource } from '../features/access.js';
import { validateSessionToken } from '../features/auth/sessions.js';
import { bearerToken, SESSION_COOKIE } from '../plugins/auth.js';
import { checkOrigin } from '../plugins/csrf.js';
import { ideaAccessFor } from '../realtime/access.js';
import type { Principal } from './connection.js';

export const COLLAB_PATH = '/collab';
const DOC_NAME = /^idea:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export interface CollabAccess {
  docName: string;
  ideaId: string;
  principal: Principal;
  canWrite: boolean;
  idea: { authorId: string | null; bodyText: string };
}

export function isCollabPath(url: string | undefined): boolean {
  if (!url) return false;
  const path = url.split('?')[0] ?? '';
  return path === COLLAB_PATH || path.startsWith(`${COLLAB_PATH}/`);
}

/** `idea:<uuid>` from `/collab/<docName>`, canonical (lower case), or null. */
export function docNameOf(url: string): { docName: string; ideaId: string } | null {
  const path = url.split('?')[0] ?? '';
  let name: string;
  try {
    name = decodeURIComponent(path.slice(COLLAB_PATH.length + 1)).toLowerCase();
  } catch {
    return null;
  }
  const m = DOC_NAME.exec(name);
  return m ? { docName: name, ideaId: m[1] as string } : null;
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * Who may open a document, decided before any document work: the document name, the Origin rule,
 * the session (`?token=`, a bearer header, or the cookie), then the idea's permissions. Members
 * write; guests of a public community read; locked or merged ideas are read-only. Throws AppError.
 */
export async function authorizeUpgrade(app: FastifyInstance, req: IncomingMessage): Promise<CollabAccess> {
  const url = req.url ?? '';
  const doc = docNameOf(url);
  if (!doc) throw invalid('document name must be idea:<id>');
  const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  const explicit = query.get('token') ?? bearerToken(header(req.headers.authorization));
  const cookie =
    explicit === undefined || explicit === null ? app.parseCookie(header(req.headers.cookie) ?? '')[SESSION_COOKIE] : undefined;
  const secure =
    (req.socket as TLSSocket).encrypted === true ||
    (app.config.trustProxy !== false && header(req.headers['x-forwarded-proto']) === 'https');
  const problem = checkOrigin({
    origin: header(req.headers.origin),
    secFetchSite: header(req.headers['sec-fetch-site']),
    selfOrigin: `${secure ? 'https' : 'http'}://${header(req.headers.host) ?? ''}`,
    allowed: new Set(app.config.publicOrigins),
    authenticatedByCookie: cookie !== undefined,
  });
  if (problem) throw forbidden(problem);

  let principal: Principal = { userId: null, sessionId: null, name: 'Guest' };
  const token = explicit ?? cookie;
  if (token !== undefined && token !== null) {
    const found = token ? await validateSessionToken(app.db, token, app.config.sessionTtlMs) : null;
    if (found) principal = { userId: found.user.id, sessionId: found.session.id, name: found.user.displayName };
    // A stale cookie degrades to a guest, as on REST; a bad token is refused.
    else if (explicit !== undefined && explicit !== null) throw unauthenticated('invalid or expired token');
  }
  return decide(app, { ...doc, principal });
}

/** The same decision again for an open connection (its session was checked at connect time). */
export function authorizeAgain(app: FastifyInstance, access: CollabAccess): Promise<CollabAccess> {
  return decide(app, access);
}

async function decide(app: FastifyInstance, who: Pick<CollabAccess, 'docName' | 'ideaId' | 'principal'>): Promise<CollabAccess> {
  const access = await ideaAccessFor(app.db, who.principal.userId, who.ideaId, 'idea.read');
  const canWrite = can(access.subject, 'idea.coedit', ideaResource(access.community, access.idea));
  return {
    docName: who.docName,
    ideaId: who.ideaId,
    principal: who.principal,
    canWrite,
    idea: { authorId: access.idea.authorId, bodyText: access.idea.bodyText },
  };
}
