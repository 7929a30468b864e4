import { describe, expect, it } from 'vitest';
import { hasSessionHint, SESSION_HINT_KEY, setSessionHint } from './sessionHint';

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

describe('session hint', () => {
  it('is absent in a fresh browser, set after sign-in and cleared after sign-out', () => {
    const s = memoryStorage();
    expect(hasSessionHint(s)).toBe(false);
    setSessionHint(true, s);
    expect(s.map.get(SESSION_HINT_KEY)).toBe('1');
    expect(hasSessionHint(s)).toBe(true);
    setSessionHint(false, s);
    expect(hasSessionHint(s)).toBe(false);
  });

  it('asks the server when there is no storage, or storage throws', () => {
    expect(hasSessionHint(null)).toBe(true);
    const throwing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(hasSessionHint(throwing)).toBe(true);
    expect(() =>
      setSessionHint(true, {
        setItem: () => {
          throw new Error('QuotaExceededError');
        },
        removeItem: () => undefined,
      }),
    ).not.toThrow();
  });
});
