import { describe, expect, it } from 'vitest';
import { ApiError, codeForStatus, queryString, toApiError } from './api';
import { describeError, errorText, fieldIssues, isRetryable, issueFor, normalizePath } from './errors';

describe('describeError', () => {
  it('maps every code to friendly text', () => {
    const d = describeError(new ApiError('NOT_FOUND', 404, 'community not found'));
    expect(d.code).toBe('NOT_FOUND');
    expect(d.message).toMatch(/couldn't find/);
    expect(d.detail).toBeUndefined();
  });

  it('keeps the server explanation where it helps', () => {
    const d = describeError(new ApiError('FORBIDDEN', 403, 'join the community first'));
    expect(d.detail).toBe('Join the community first.');
    const c = describeError(new ApiError('CONFLICT', 409, 'that handle is taken.'));
    expect(c.detail).toBe('That handle is taken.');
  });

  it('hides internal messages', () => {
    expect(describeError(new ApiError('INTERNAL', 500, 'TypeError: x is undefined')).detail).toBeUndefined();
  });

  it('lets a form override the sentence for a code', () => {
    const d = describeError(new ApiError('UNAUTHENTICATED', 401, 'bad credentials'), {
      UNAUTHENTICATED: 'Wrong email or password.',
    });
    expect(d.message).toBe('Wrong email or password.');
  });

  it('lists validation issues as fields', () => {
    const d = describeError(
      new ApiError('VALIDATION_FAILED', 400, 'invalid body', [{ path: ['password'], message: 'at least 10 characters' }]),
    );
    expect(d.fields).toEqual([{ field: 'password', message: 'at least 10 characters' }]);
    expect(d.detail).toBeUndefined();
  });

  it('says when to retry after rate limiting', () => {
    expect(describeError(new ApiError('RATE_LIMITED', 429, '', undefined, 30)).detail).toBe('Try again in 30 seconds.');
    expect(describeError(new ApiError('RATE_LIMITED', 429, '', undefined, 61)).detail).toBe('Try again in 2 minutes.');
  });

  it('covers network failures and unknown throwables', () => {
    expect(describeError(new ApiError('NETWORK', 0, 'Failed to fetch')).message).toMatch(/reach the server/);
    expect(describeError(new Error('boom')).code).toBeNull();
  });

  it('flattens to one line', () => {
    const e = new ApiError('VALIDATION_FAILED', 400, '', { fieldErrors: { title: ['too long'] } });
    expect(errorText(e)).toMatch(/title: too long$/);
  });
});

describe('fieldIssues', () => {
  it('reads zod issues, wrapped or not, dropping the request part', () => {
    const issues = [
      { path: ['body', 'email'], message: 'must be an email' },
      { path: ['tags', 2], message: 'too long' },
      { path: [], message: 'unknown key' },
    ];
    const expected = [
      { field: 'email', message: 'must be an email' },
      { field: 'tags.2', message: 'too long' },
      { field: '', message: 'unknown key' },
    ];
    expect(fieldIssues(issues)).toEqual(expected);
    expect(fieldIssues({ issues })).toEqual(expected);
  });

  it('reads ajv errors', () => {
    expect(fieldIssues([{ instancePath: '/body/handle', message: 'bad' }])).toEqual([{ field: 'handle', message: 'bad' }]);
  });

  it('reads flattened and plain records', () => {
    expect(fieldIssues({ formErrors: ['nope'], fieldErrors: { slug: ['taken', 'short'] } })).toEqual([
      { field: '', message: 'nope' },
      { field: 'slug', message: 'taken' },
      { field: 'slug', message: 'short' },
    ]);
    expect(fieldIssues({ name: 'required' })).toEqual([{ field: 'name', message: 'required' }]);
  });

  it('ignores junk', () => {
    expect(fieldIssues(undefined)).toEqual([]);
    expect(fieldIssues('x')).toEqual([]);
    expect(fieldIssues([{ path: ['a'] }, 3, null])).toEqual([]);
  });

  it('finds the issue for a field and its items', () => {
    const f = [{ field: 'tags.1', message: 'bad tag' }];
    expect(issueFor(f, 'tags')).toBe('bad tag');
    expect(issueFor(f, 'tag')).toBeUndefined();
  });

  it('normalises paths', () => {
    expect(normalizePath('body.displayName')).toBe('displayName');
    expect(normalizePath('body')).toBe('');
    expect(normalizePath(42)).toBe('');
  });
});

describe('toApiError', () => {
  it('uses the error body when it has a known code', () => {
    const e = toApiError(409, { code: 'CONFLICT', message: 'slug taken', details: { slug: 'x' } });
    expect([e.code, e.status, e.message, e.details]).toEqual(['CONFLICT', 409, 'slug taken', { slug: 'x' }]);
  });

  it('falls back to the status', () => {
    expect(toApiError(502, undefined).code).toBe('UNAVAILABLE');
    expect(toApiError(429, '<html>').code).toBe('RATE_LIMITED');
    expect(toApiError(500, { code: 'WAT' }).code).toBe('INTERNAL');
    expect(codeForStatus(404)).toBe('NOT_FOUND');
    expect(codeForStatus(418)).toBe('VALIDATION_FAILED');
  });
});

describe('queryString', () => {
  it('drops empty values', () => {
    expect(queryString({ sort: 'top', cursor: null, q: '', limit: 25 })).toBe('?sort=top&limit=25');
    expect(queryString({})).toBe('');
    expect(queryString({ q: 'a&b' })).toBe('?q=a%26b');
  });
});

describe('isRetryable', () => {
  it('offers a retry for transient failures only', () => {
    expect(isRetryable(new ApiError('NETWORK', 0, 'offline'))).toBe(true);
    expect(isRetryable(new ApiError('UNAVAILABLE', 503, ''))).toBe(true);
    expect(isRetryable(new ApiError('INTERNAL', 500, ''))).toBe(true);
    expect(isRetryable(new ApiError('RATE_LIMITED', 429, ''))).toBe(true);
    expect(isRetryable(new Error('boom'))).toBe(true);
    expect(isRetryable(new ApiError('NOT_FOUND', 404, ''))).toBe(false);
    expect(isRetryable(new ApiError('FORBIDDEN', 403, ''))).toBe(false);
    expect(isRetryable(new ApiError('VALIDATION_FAILED', 400, ''))).toBe(false);
  });
});
