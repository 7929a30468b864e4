import { describe, expect, it } from 'vitest';
import { checkOrigin } from './csrf.js';

const allowed = new Set(['https://app.example.com']);
const self = 'http://node1.internal:3000';

describe('the Origin rule', () => {
  it.each([
    // origin, sec-fetch-site, cookie?, allowed?
    ['https://app.example.com', undefined, true, true],
    ['https://app.example.com', 'cross-site', true, true],
    ['https://evil.example', undefined, true, false],
    ['https://evil.example', undefined, false, false],
    ['https://evil.example', 'same-origin', true, false],
    ['null', undefined, true, false],
    [self, 'same-origin', true, true],
    [self, 'cross-site', true, false],
    [undefined, 'same-origin', true, true],
    [undefined, undefined, true, false],
    [undefined, 'none', true, false],
    [undefined, 'cross-site', false, false],
    [undefined, 'same-site', false, false],
    [undefined, undefined, false, true],
    [undefined, 'none', false, true],
  ] as const)('origin %s, sec-fetch-site %s, cookie %s → allowed %s', (origin, site, cookie, ok) => {
    const problem = checkOrigin({ origin, secFetchSite: site, selfOrigin: self, allowed, authenticatedByCookie: cookie });
    expect(problem === null).toBe(ok);
  });
});
