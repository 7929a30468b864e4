import type { PresenceMember } from '@cocreate/protocol';
import { describe, expect, it } from 'vitest';
import { applyPresenceDiff, hueFor, initials, peopleHere, presenceFromList, presenceStatus } from './presence';

const m = (key: string, userId: string, name: string, status: PresenceMember['status'] = 'viewing'): PresenceMember => ({
  key,
  userId,
  name,
  status,
});

describe('applyPresenceDiff', () => {
  it('adds joiners, removes leavers and updates statuses', () => {
    const start = presenceFromList([m('s1', 'u1', 'Ada'), m('s2', 'u2', 'Bo')]);
    const next = applyPresenceDiff(start, { joined: [m('s3', 'u3', 'Cy')], left: ['s1'], updated: [m('s2', 'u2', 'Bo', 'typing')] });
    expect([...next.keys()].sort()).toEqual(['s2', 's3']);
    expect(next.get('s2')?.status).toBe('typing');
    expect(start.size).toBe(2);
  });

  it('returns the same map for a diff that changes nothing', () => {
    const start = presenceFromList([m('s1', 'u1', 'Ada')]);
    expect(applyPresenceDiff(start, { joined: [m('s1', 'u1', 'Ada')], left: ['nobody'], updated: [] })).toBe(start);
  });

  it('treats an update for an unknown key as a join (diffs may overtake each other)', () => {
    const next = applyPresenceDiff(presenceFromList([]), { joined: [], left: [], updated: [m('s9', 'u9', 'Late', 'idle')] });
    expect(next.get('s9')?.status).toBe('idle');
  });
});

describe('peopleHere', () => {
  it('shows each person once, most active connection first, without the viewer', () => {
    const members = presenceFromList([
      m('a1', 'ua', 'Ada', 'idle'),
      m('a2', 'ua', 'Ada', 'typing'),
      m('b1', 'ub', 'Bo'),
      m('c1', 'uc', 'Cy', 'idle'),
      m('me', 'self', 'Me', 'typing'),
    ]);
    expect(peopleHere(members, 'self')).toEqual([
      { userId: 'ua', name: 'Ada', status: 'typing' },
      { userId: 'ub', name: 'Bo', status: 'viewing' },
      { userId: 'uc', name: 'Cy', status: 'idle' },
    ]);
    expect(peopleHere(members, null)).toHaveLength(4);
  });
});

describe('presence helpers', () => {
  it('derives the status to send', () => {
    expect(presenceStatus({ typing: true, idle: true })).toBe('typing');
    expect(presenceStatus({ typing: false, idle: true })).toBe('idle');
    expect(presenceStatus({ typing: false, idle: false })).toBe('viewing');
  });

  it('makes initials and stable hues', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('Tomás (product team)')).toBe('T');
    expect(initials('  ')).toBe('?');
    expect(initials('émile zola')).toBe('ÉZ');
    expect(hueFor('u1')).toBe(hueFor('u1'));
    expect(hueFor('u1')).toBeGreaterThanOrEqual(0);
    expect(hueFor('u1')).toBeLessThan(360);
  });
});
