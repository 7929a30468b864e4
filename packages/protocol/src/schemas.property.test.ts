import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as api from './api.js';
import * as realtime from './realtime.js';

/**
 * The wire parsers under arbitrary input: every schema only ever answers (success or issues),
 * never throws, and never lets a key pollute a prototype; valid payloads always parse, unchanged.
 */

const schemas: [string, z.ZodType][] = Object.entries({ ...api, ...realtime } as Record<string, unknown>).flatMap(([name, value]) =>
  value instanceof z.ZodType ? [[name, value] as [string, z.ZodType]] : [],
);

/** JSON values as a socket or a body delivers them, including hostile keys that JSON.parse makes own properties. */
const hostileJson = fc.oneof(
  fc.jsonValue(),
  fc.jsonValue().map((v) => JSON.parse(`{"__proto__":${JSON.stringify(v)},"ideaId":"x","value":1}`)),
  fc.jsonValue().map((v) => JSON.parse(`{"constructor":{"prototype":${JSON.stringify(v)}},"boardId":"x"}`)),
  fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }),
);

describe('protocol schemas under arbitrary input', () => {
  it('covers the socket payloads and the REST bodies', () => {
    const names = schemas.map(([n]) => n);
    for (const n of ['BoardJoinPayload', 'VoteCastPayload', 'PresenceSetPayload', 'RoomResyncPayload', 'SignupBody', 'CreateIdeaBody', 'ListIdeasQuery']) {
      expect(names).toContain(n);
    }
  });

  it.each(schemas)('%s never throws and reports failures as issues', (_name, schema) => {
    fc.assert(
      fc.property(hostileJson, (value) => {
        const result = schema.safeParse(value);
        if (!result.success) expect(result.error.issues.length).toBeGreaterThan(0);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

const id = fc.uuid();
const room = fc.tuple(fc.constantFrom('board', 'idea'), id).map(([k, u]) => `${k}:${u}`);
const sort = fc.constantFrom(...api.IdeaSort.options);

describe('valid payloads always parse, unchanged', () => {
  const cases: [string, z.ZodType, fc.Arbitrary<unknown>][] = [
    [
      'board:join',
      realtime.BoardJoinPayload,
      fc.record({ boardId: id, sort, limit: fc.integer({ min: 1, max: 200 }) }, { requiredKeys: ['boardId'] }),
    ],
    ['board:leave', realtime.BoardLeavePayload, fc.record({ boardId: id })],
    ['idea:join', realtime.IdeaJoinPayload, fc.record({ ideaId: id })],
    ['vote:cast', realtime.VoteCastPayload, fc.record({ ideaId: id, value: fc.constantFrom(1, -1) })],
    ['vote:withdraw', realtime.VoteWithdrawPayload, fc.record({ ideaId: id })],
    ['presence:set', realtime.PresenceSetPayload, fc.record({ room, status: fc.constantFrom(...realtime.PRESENCE_STATES) })],
    ['room:resync', realtime.RoomResyncPayload, fc.record({ room })],
    ['vote body', api.VoteBody, fc.record({ value: fc.constantFrom(1, -1) }, { requiredKeys: [] })],
    [
      'create comment',
      api.CreateCommentBody,
      fc.record(
        { body: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() === s && s.length > 0), parentId: id, official: fc.boolean() },
        { requiredKeys: ['body'] },
      ),
    ],
  ];
  it.each(cases)('%s', (_name, schema, arb) => {
    fc.assert(
      fc.property(arb, (value) => {
        const result = schema.safeParse(value);
        expect(result.success).toBe(true);
        expect(result.data).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a valid socket payload with any one extra key (strict objects)', () => {
    fc.assert(
      fc.property(
        fc.record({ ideaId: id, value: fc.constantFrom(1, -1) }),
        fc.string({ minLength: 1 }).filter((k) => k !== 'ideaId' && k !== 'value'),
        fc.jsonValue(),
        (payload, key, extra) => {
          const withExtra = JSON.parse(JSON.stringify({ ...payload, [key]: extra ?? null }));
          expect(realtime.VoteCastPayload.safeParse(withExtra).success).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
