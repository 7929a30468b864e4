import { describe, expect, it } from 'vitest';
import { type CollabEvent, type CollabState, collabReducer, describeCollab, initialCollabState, isPermanentClose } from './status';

const run = (events: CollabEvent[], from: CollabState = initialCollabState()) => events.reduce(collabReducer, from);
const connectAndSync: CollabEvent[] = [
  { type: 'status', status: 'connecting' },
  { type: 'status', status: 'connected' },
  { type: 'sync', synced: true },
];

describe('collab status', () => {
  it('connects, then says Live only once the document synced', () => {
    expect(describeCollab(initialCollabState(), true).label).toBe('Connecting…');
    const connected = run(connectAndSync.slice(0, 2));
    expect(connected.phase).toBe('syncing');
    expect(describeCollab(connected, true).label).toBe('Connecting…');
    const live = run(connectAndSync);
    expect(live.phase).toBe('live');
    expect(describeCollab(live, true)).toEqual({ tone: 'live', label: 'Live', detail: null });
  });

  it('after a sync, a lost connection is offline with the changes kept in this tab, not saved', () => {
    const lost = run([...connectAndSync, { type: 'connection-close', code: 1006 }, { type: 'status', status: 'disconnected' }]);
    expect(lost.phase).toBe('reconnecting');
    const view = describeCollab(lost, true);
    expect(view.label).toBe('Offline');
    expect(view.detail).toContain('kept in this tab');
    expect(view.detail).not.toMatch(/saved/i);
    // A reader has no changes to keep.
    expect(describeCollab(lost, false).detail).not.toContain('Your changes');
    // Back and synced again: live.
    expect(
      run(
        [
          { type: 'status', status: 'connected' },
          { type: 'sync', synced: true },
        ],
        lost,
      ).phase,
    ).toBe('live');
  });

  it('says why it retries: busy server (1013), server error (1011), or no network', () => {
    const busy = run([...connectAndSync, { type: 'connection-close', code: 1013 }]);
    expect(describeCollab(busy, true).detail).toContain('busy');
    const broken = run([...connectAndSync, { type: 'connection-close', code: 1011 }]);
    expect(describeCollab(broken, true).detail).toContain('problem');
    const offline = run([
      { type: 'network', online: false },
      { type: 'connection-close', code: null },
    ]);
    expect(describeCollab(offline, true)).toMatchObject({ label: 'Connecting…', detail: 'You are offline. Retrying…' });
    // A temporary close is no refusal.
    expect(run([{ type: 'closed', code: 1013 }]).phase).toBe('connecting');
  });

  it('a 44xx close is final, with a message per code, and later events do not revive it', () => {
    expect(isPermanentClose(4413)).toBe(true);
    expect(isPermanentClose(1013)).toBe(false);
    expect(isPermanentClose(4500)).toBe(false);
    const tooLarge = run([...connectAndSync, { type: 'connection-close', code: 4413 }, { type: 'closed', code: 4413 }]);
    expect(tooLarge.phase).toBe('refused');
    expect(describeCollab(tooLarge, true)).toMatchObject({
      tone: 'error',
      detail: 'This idea’s text is too large to open live. Changes made here from now on are not sent.',
    });
    // Refused before any text arrived: the page shows the saved text instead, and says so.
    expect(describeCollab(run([{ type: 'closed', code: 4413 }]), false).detail).toBe(
      'This idea’s text is too large to open live. Showing the last saved text.',
    );
    expect(
      run(
        [
          { type: 'status', status: 'connected' },
          { type: 'sync', synced: true },
        ],
        tooLarge,
      ).phase,
    ).toBe('refused');
    expect(describeCollab(run([{ type: 'closed', code: 4401 }]), false).detail).toContain('Log in');
    expect(describeCollab(run([{ type: 'closed', code: 4403 }]), false).detail).toContain('no longer have access');
    expect(describeCollab(run([{ type: 'closed', code: 4404 }]), false).detail).toContain('no longer exists');
    expect(describeCollab(run([{ type: 'closed', code: 4400 }]), false).detail).toContain('refused');
    expect(describeCollab(run([{ type: 'closed', code: 4499 }]), false).detail).toContain('for good');
  });
});
