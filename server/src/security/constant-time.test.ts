import { createTestDatabase } from '@cocreate/db/testing';
import { users } from '@cocreate/db';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSession, validateSessionToken } from '../features/auth/sessions.js';

/**
 * Case 13: the session secret is compared in constant time. Timing cannot be asserted in a test,
 * so this pins down the code path: every lookup of a real session id ends in the constant-time
 * comparison of two equal-length hashes (never `===` on the token), and its answer decides.
 */

const compared = vi.hoisted(() => ({ calls: [] as [Uint8Array, Uint8Array][], force: null as boolean | null }));
vi.mock('@oslojs/crypto/subtle', async (importOriginal) => {
  const real = await importOriginal<typeof import('@oslojs/crypto/subtle')>();
  return {
    ...real,
    constantTimeEqual: (a: Uint8Array, b: Uint8Array) => {
      compared.calls.push([a, b]);
      return compared.force ?? real.constantTimeEqual(a, b);
    },
  };
});

describe('validateSessionToken compares secrets in constant time', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let token: string;
  const TTL = 86_400_000;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    const [user] = await database.db
      .insert(users)
      .values({ email: 'ct@example.org', handle: 'ct_user', displayName: 'ct', passwordHash: 'x' })
      .returning({ id: users.id });
    token = (await createSession(database.db, user!.id, 'cookie', TTL)).token;
  });
  afterAll(() => database.close());
  beforeEach(() => {
    compared.calls = [];
    compared.force = null;
  });

  it('compares two 32-byte hashes, the stored one and the presented one, and accepts on equality', async () => {
    expect(await validateSessionToken(database.db, token, TTL)).not.toBeNull();
    expect(compared.calls).toHaveLength(1);
    const [stored, presented] = compared.calls[0]!;
    expect(stored.length).toBe(32);
    expect(presented.length).toBe(32);
    expect(Buffer.from(stored).equals(Buffer.from(presented))).toBe(true);
  });

  it('refuses a wrong secret through the same comparison, wherever the difference lies', async () => {
    const [id, secret] = token.split('.') as [string, string];
    for (const at of [0, 19, 38]) {
      const flipped = secret.slice(0, at) + (secret[at] === 'a' ? 'b' : 'a') + secret.slice(at + 1);
      expect(await validateSessionToken(database.db, `${id}.${flipped}`, TTL)).toBeNull();
    }
    expect(compared.calls).toHaveLength(3);
    for (const [a, b] of compared.calls) expect(a.length).toBe(b.length);
  });

  it('lets the constant-time answer decide (no other comparison of the secret)', async () => {
    compared.force = false;
    expect(await validateSessionToken(database.db, token, TTL)).toBeNull();
    const [id] = token.split('.') as [string, string];
    compared.force = true;
    expect(await validateSessionToken(database.db, `${id}.${'a'.repeat(39)}`, TTL)).not.toBeNull();
  });

  it('never compares for a token that is malformed or names no session', async () => {
    expect(await validateSessionToken(database.db, 'nope', TTL)).toBeNull();
    expect(await validateSessionToken(database.db, `${'a'.repeat(24)}.${'b'.repeat(39)}`, TTL)).toBeNull();
    expect(compared.calls).toHaveLength(0);
  });
});
