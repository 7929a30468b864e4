import { describe, expect, it } from 'vitest';
import { backoffDelay, bannerFor, type ConnectionInput, INITIAL_CONNECTION, reduceConnection, Store } from './connection';

const run = (...inputs: ConnectionInput[]) => inputs.reduce(reduceConnection, INITIAL_CONNECTION);

describe('reduceConnection and bannerFor', () => {
  it('shows nothing while the first connection is made', () => {
    const s = run({ type: 'open' });
    expect(s.phase).toBe('connecting');
    expect(bannerFor(s)).toBeNull();
    expect(bannerFor(run({ type: 'open' }, { type: 'syncing', value: true }, { type: 'connected' }))).toBeNull();
  });

  it('says reconnecting after a loss, catching up until the rooms resync, then nothing', () => {
    const lost = run({ type: 'open' }, { type: 'connected' }, { type: 'disconnected' });
    expect(bannerFor(lost)?.text).toBe('Reconnecting…');
    const back = reduceConnection(reduceConnection(lost, { type: 'syncing', value: true }), { type: 'connected' });
    expect(bannerFor(back)?.kind).toBe('catching-up');
    const synced = reduceConnection(back, { type: 'syncing', value: false });
    expect(bannerFor(synced)).toBeNull();
    expect(synced.recovering).toBe(false);
  });

  it('is done at once when a reconnect has no rooms to resync', () => {
    const s = run({ type: 'open' }, { type: 'connected' }, { type: 'disconnected' }, { type: 'connected' });
    expect(bannerFor(s)).toBeNull();
  });

  it('says offline while the browser is offline, whatever the socket does', () => {
    const s = run({ type: 'open' }, { type: 'connected' }, { type: 'offline' }, { type: 'disconnected' }, { type: 'failed' });
    expect(bannerFor(s)?.kind).toBe('offline');
    expect(bannerFor(s)?.text).toMatch(/^Offline — changes will show when you’re back/);
    const online = reduceConnection(s, { type: 'online' });
    expect(online.phase).toBe('reconnecting');
    expect(bannerFor(reduceConnection(reduceConnection(online, { type: 'connected' }), { type: 'syncing', value: false }))).toBeNull();
  });

  it('reports a first connection that keeps failing', () => {
    const s = run({ type: 'open' }, { type: 'failed' }, { type: 'failed' });
    expect(s.failures).toBe(2);
    expect(bannerFor(s)?.kind).toBe('reconnecting');
    expect(run({ type: 'open' }, { type: 'failed' }, { type: 'connected' }).failures).toBe(0);
  });
});

describe('Store', () => {
  it('notifies on change only', () => {
    const store = new Store(1);
    let calls = 0;
    const off = store.subscribe(() => calls++);
    store.set(1);
    store.set(2);
    expect(store.get()).toBe(2);
    expect(calls).toBe(1);
    off();
    store.set(3);
    expect(calls).toBe(1);
  });
});

describe('backoffDelay', () => {
  it('doubles up to a cap, with jitter', () => {
    expect(backoffDelay(0, 0.5)).toBe(1000);
    expect(backoffDelay(3, 0.5)).toBe(8000);
    expect(backoffDelay(20, 0.5)).toBe(30_000);
    expect(backoffDelay(0, 0)).toBe(750);
    expect(backoffDelay(0, 1)).toBe(1250);
  });
});
