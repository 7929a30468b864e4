import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, testDbKinds } from './testing/harness.js';

/** /docs/json against the router: every /api route documented with its methods and schemas. */

/** [METHOD, path] of every route in Fastify's printRoutes tree, HEAD left out. */
function routesFromTree(tree: string): [string, string][] {
  const out: [string, string][] = [];
  const prefixes: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    const full = (depth > 0 ? (prefixes[depth - 1] ?? '') : '') + (m[2] ?? '');
    prefixes[depth] = full;
    prefixes.length = depth + 1;
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD') out.push([method, full]);
  }
  return out;
}

interface Operation {
  parameters?: { in: string; name: string; required?: boolean; schema?: { enum?: string[] } }[];
  requestBody?: {
    content: Record<string, { schema: { properties?: Record<string, unknown>; additionalProperties?: boolean; required?: string[] } }>;
  };
  responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
}

describe.each(testDbKinds())('OpenAPI document on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  /** Read off the route files of ideas, votes and comments. */
  const MINE: [string, string][] = [
    ['GET', '/api/boards/:boardId/ideas'],
    ['POST', '/api/boards/:boardId/ideas'],
    ['GET', '/api/ideas/:ideaId'],
    ['PATCH', '/api/ideas/:ideaId'],
    ['PUT', '/api/ideas/:ideaId/follow'],
    ['DELETE', '/api/ideas/:ideaId/follow'],
    ['PUT', '/api/ideas/:ideaId/vote'],
    ['DELETE', '/api/ideas/:ideaId/vote'],
    ['GET', '/api/ideas/:ideaId/comments'],
    ['POST', '/api/ideas/:ideaId/comments'],
    ['PATCH', '/api/comments/:commentId'],
    ['DELETE', '/api/comments/:commentId'],
  ];
  /** The other route files' paths, present when this was written. */
  const OTHERS: [string, string][] = [
    ['POST', '/api/auth/signup'],
    ['POST', '/api/auth/login'],
    ['POST', '/api/auth/logout'],
    ['POST', '/api/auth/logout-all'],
    ['GET', '/api/me'],
    ['PATCH', '/api/me'],
    ['POST', '/api/me/password'],
    ['GET', '/api/communities'],
    ['POST', '/api/communities'],
    ['GET', '/api/communities/:slug'],
    ['PATCH', '/api/communities/:slug'],
    ['POST', '/api/communities/:slug/join'],
    ['GET', '/api/communities/:slug/boards'],
    ['POST', '/api/communities/:slug/boards'],
    ['GET', '/api/boards/:boardId'],
    ['PATCH', '/api/boards/:boardId'],
    ['POST', '/api/ideas/:ideaId/hide'],
    ['POST', '/api/ideas/:ideaId/lock'],
    ['POST', '/api/comments/:commentId/hide'],
    ['GET', '/api/notifications'],
  ];
  const toOpenApi = (path: string) => path.replace(/:(\w+)/g, '{$1}');

  it('lists every route registered under /api, with the right methods, and nothing else', async () => {
    const doc = (await t.api('GET', '/docs/json')).json() as { openapi: string; paths: Record<string, Record<string, Operation>> };
    expect(doc.openapi).toBe('3.1.0');
    const registered = routesFromTree(t.app.printRoutes({ commonPrefix: false })).filter(([, p]) => p.startsWith('/api/'));
    for (const [method, url] of [...MINE, ...OTHERS]) {
      expect(t.app.hasRoute({ method: method as 'GET', url }), `${method} ${url}`).toBe(true);
      expect(registered).toContainEqual([method, url]);
    }
    for (const [method, url] of registered) {
      expect(doc.paths[toOpenApi(url)]?.[method.toLowerCase()], `${method} ${url} is undocumented`).toBeDefined();
    }
    const documented = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => [m.toUpperCase(), p.replace(/\{(\w+)\}/g, ':$1')]));
    expect(documented.sort()).toEqual([...registered].sort());
  });

  it('documents the parameters, bodies and responses of the ideas, votes and comments routes', async () => {
    const doc = (await t.api('GET', '/docs/json')).json() as { paths: Record<string, Record<string, Operation>> };
    const op = (method: string, url: string) => doc.paths[toOpenApi(url)]?.[method.toLowerCase()] as Operation;
    for (const [method, url] of MINE) {
      const o = op(method, url);
      const pathParams = [...url.matchAll(/:(\w+)/g)].map((m) => m[1]);
      expect(o.parameters?.filter((p) => p.in === 'path').map((p) => [p.name, p.required])).toEqual(pathParams.map((n) => [n, true]));
      if (method === 'POST' || method === 'PATCH' || method === 'PUT') {
        const body = o.requestBody?.content['application/json']?.schema;
        expect(body?.additionalProperties, `${method} ${url}`).toBe(false);
      }
    }
    const props = (o: Operation, status: string) =>
      Object.keys(o.responses[status]?.content?.['application/json']?.schema.properties ?? {}).sort();
    const ideaProps = props(op('GET', '/api/ideas/:ideaId'), '200');
    for (const p of ['id', 'title', 'status', 'up', 'down', 'voteCount', 'version', 'docName', 'myVote', 'following', 'tags'])
      expect(ideaProps).toContain(p);
    expect(props(op('POST', '/api/boards/:boardId/ideas'), '201')).toEqual(ideaProps);
    expect(props(op('PATCH', '/api/ideas/:ideaId'), '200')).toEqual(ideaProps);
    expect(props(op('GET', '/api/boards/:boardId/ideas'), '200')).toEqual(['items', 'nextCursor']);
    expect(props(op('PUT', '/api/ideas/:ideaId/vote'), '200')).toEqual(['down', 'ideaId', 'myVote', 'up', 'version', 'voteCount']);
    expect(props(op('POST', '/api/ideas/:ideaId/comments'), '201')).toContain('parentId');
    const bodyProps = (method: string, url: string) =>
      Object.keys(op(method, url).requestBody?.content['application/json']?.schema.properties ?? {}).sort();
    expect(bodyProps('POST', '/api/boards/:boardId/ideas')).toEqual(['body', 'tags', 'title']);
    expect(bodyProps('PATCH', '/api/ideas/:ideaId')).toEqual(['tags', 'title']);
    expect(bodyProps('PUT', '/api/ideas/:ideaId/vote')).toEqual(['value']);
    expect(bodyProps('POST', '/api/ideas/:ideaId/comments')).toEqual(['body', 'official', 'parentId']);
    expect(bodyProps('PATCH', '/api/comments/:commentId')).toEqual(['body']);
    const query = op('GET', '/api/boards/:boardId/ideas').parameters?.filter((p) => p.in === 'query') ?? [];
    expect(query.map((p) => p.name).sort()).toEqual(['author', 'cursor', 'limit', 'q', 'sort', 'status', 'tag']);
    expect(query.find((p) => p.name === 'sort')?.schema?.enum).toEqual(['top', 'new', 'trending', 'hot', 'wilson', 'weighted']);
    expect(
      op('GET', '/api/ideas/:ideaId/comments')
        .parameters?.filter((p) => p.in === 'query')
        .map((p) => p.name)
        .sort(),
    ).toEqual(['cursor', 'limit']);
  });
});
