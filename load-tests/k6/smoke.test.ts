import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster } from '../../server/src/realtime/test-cluster.js';
import { seedLoad } from '../../server/src/seed-load.js';
import { makeFixtures } from './make-coedit-fixtures.mjs';
import { runK6Script } from './node-shim/run.mjs';
import { verifyCoedit } from './verify-coedit.mjs';

/**
 * Every k6 script, run at tiny sizes through the Node shim (k6 is not installable here) against two
 * real nodes seeded by the load seed: the scripts run without errors, do what they say (votes acked,
 * handshakes answered, presence seen, updates delivered) and pass their correctness thresholds.
 * Latency thresholds (`*_ms`) are reported by the scripts but not asserted here.
 */

const dir = new URL('.', import.meta.url).pathname;
type Result = Awaited<ReturnType<typeof runK6Script>>;

function expectHealthy(out: Result) {
  const shown = (s: unknown) => JSON.stringify(s, null, 1);
  expect(out.errors, shown(out.logs.slice(-20))).toEqual([]);
  const failed = out.thresholds.filter((t) => !t.metric.endsWith('_ms') && t.ok !== true);
  expect(failed, shown(out.logs.filter((l) => l.level !== 'info').slice(-20))).toEqual([]);
}
const count = (out: Result, name: string) => (out.metrics.get(name)?.values ?? []).reduce((a, b) => a + b, 0);

describe('k6 scripts run against two real nodes (Node shim, tiny sizes)', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let tmp: string;
  let loadFile: string;
  let data: Awaited<ReturnType<typeof seedLoad>>;

  beforeAll(async () => {
    cluster = await startCluster(2);
    data = await seedLoad(cluster.nodes[0]!.app.database, { users: 40, hotIdeas: 30, tailIdeas: 12, sessionTtlMs: 86_400_000 * 30 });
    tmp = mkdtempSync(join(tmpdir(), 'k6-smoke-'));
    loadFile = join(tmp, 'load.json');
    writeFileSync(loadFile, JSON.stringify({ baseUrls: cluster.nodes.map((n) => n.url), ...data }));
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('vote-storm: votes are acked and become visible, and the counts end exactly as the acks imply', async () => {
    const out = await runK6Script(`${dir}/vote-storm.js`, {
      env: { LOAD_DATA: loadFile, VOTERS: '4', VOTE_RATE: '16', RAMP_S: '1', HOLD_S: '6', CROSS_NODE_SHARE: '0.1' },
    });
    expectHealthy(out);
    expect(count(out, 'votes_acked')).toBeGreaterThan(10);
    expect(out.metrics.get('vote_visible_ms')?.values.length).toBeGreaterThan(5);
    expect(out.metrics.get('counts_exact')?.values.length).toBe(2 * 30);
  }, 120_000);

  it('handshake-flood: every bad handshake gets the right answer while the voters keep voting', async () => {
    const out = await runK6Script(`${dir}/handshake-flood.js`, {
      env: { LOAD_DATA: loadFile, VOTERS: '2', FLOOD_RATE: '12', RAMP_S: '1', HOLD_S: '4' },
    });
    expectHealthy(out);
    expect(count(out, 'flood_outcomes')).toBeGreaterThan(20);
    expect(out.metrics.get('voter_vote_ok')?.values.length).toBeGreaterThan(5);
  }, 120_000);

  it('presence-churn: own diffs arrive and every leave is seen by the observers', async () => {
    const out = await runK6Script(`${dir}/presence-churn.js`, {
      env: {
        LOAD_DATA: loadFile,
        OBSERVERS: '2',
        SESSION_RATE: '2',
        RAMP_S: '1',
        HOLD_S: '3',
        IDEAS_PER_SESSION: '2',
        STAY_S: '2',
        HEARTBEAT_S: '1',
        BUSY_IDEAS: '3',
        DROP_SHARE: '0.5',
      },
    });
    expectHealthy(out);
    expect(count(out, 'presence_sessions')).toBeGreaterThan(2);
    expect(out.metrics.get('presence_leave_seen')?.values.length).toBeGreaterThan(2);
  }, 120_000);

  it('coedit: every update reaches the other writers and the documents converge on both nodes', async () => {
    const fixtures = makeFixtures({ ideaIds: data.tailIdeaIds.slice(-2), writers: 3, updates: 15 });
    const fixtureFile = join(tmp, 'coedit.json');
    writeFileSync(fixtureFile, JSON.stringify(fixtures));
    const out = await runK6Script(`${dir}/coedit.js`, {
      env: { LOAD_DATA: loadFile, COEDIT_FIXTURES: fixtureFile, UPDATE_RATE: '10', RAMP_S: '1', DRAIN_S: '2' },
    });
    expectHealthy(out);
    expect(count(out, 'coedit_updates_received')).toBe(2 * 3 * 2 * 15);
    const report = await verifyCoedit({ fixtures, baseUrls: cluster.nodes.map((n) => n.url), token: data.users[0]!.token });
    expect(report.converged).toBe(true);
  }, 120_000);
});
