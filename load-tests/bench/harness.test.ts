// Smoke test of the benchmark harness itself (CI; seconds, tiny sizes): the combined report built from
// the committed result files, the drills' pausable PostgreSQL proxy, and one real drill — two built
// server nodes, PostgreSQL paused for 2 s under a small vote storm — that must end with nothing lost and
// every count and document exact. (The kill -9 drill is not run here: it finds two server bugs some of
// the time, see load-tests/README.md, which would make CI fail at random until they are fixed.)
// It needs server/dist (CI builds first); without it the drill fails with the message to build.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDrills } from './drills.mjs';
import { startTcpProxy } from './lib/faults.mjs';
import { runCleanups } from './lib/procs.mjs';
import { buildReport, RESULTS_DIR } from './report.mjs';

const committed = (name: string) => JSON.parse(readFileSync(join(RESULTS_DIR, name), 'utf8'));

describe('benchmark harness', () => {
  afterAll(async () => {
    await runCleanups();
  });

  it('builds the report from the committed results: every scenario with its baselines, charts with one bar per figure', () => {
    const { latest, markdown, charts } = buildReport({ write: false });
    const votes = committed('votes.json');
    expect(latest.scenarios.votes).toEqual(votes);
    expect(latest.scenarios.coedit).toEqual(committed('coedit.json'));
    // The votes table: one column per mode, the sustainable rate of each in its row.
    const row = markdown.split('\n').find((l: string) => l.startsWith('| sustainable votes/s'));
    expect(row?.split('|').length).toBe(6);
    expect(row).toContain(votes.cocreate.votesPerSec.toLocaleString('en-US'));
    expect(row).toContain(String(votes.naive.votesPerSec));
    const svg = charts['votes.svg'];
    expect(svg.startsWith('<svg')).toBe(true);
    // 4 latency groups + 1 throughput + 1 CPU, × 3 modes
    expect(svg.match(/<rect [^>]*><title>/g)?.length).toBe(18);
    // The coedit chart: one p99 bar per server with its measured figure (beyond the histogram: "≥10 s").
    const coedit = committed('coedit.json');
    for (const [key, label] of [['cocreate', 'cocreate'], ['hocuspocus', 'Hocuspocus'], ['yWebsocket', 'y-websocket server']] as const) {
      const p99 = coedit[key].p99Ms as number | null;
      expect(charts['coedit.svg']).toContain(`<title>p99 · ${label}: ${p99 === null ? '≥10 s' : p99.toLocaleString('en-US')}</title>`);
    }
  });

  it('the PostgreSQL proxy forwards, holds bytes while paused and delivers them on resume', async () => {
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const proxy = await startTcpProxy({ port: (echo.address() as { port: number }).port });
    const client = tcpConnect(proxy.port, '127.0.0.1');
    const got: string[] = [];
    client.on('data', (d) => got.push(String(d)));
    client.write('a');
    for (let i = 0; i < 50 && got.join('') !== 'a'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got.join('')).toBe('a');
    proxy.pause();
    client.write('b');
    await new Promise((r) => setTimeout(r, 300));
    expect(got.join('')).toBe('a');
    proxy.resume();
    for (let i = 0; i < 50 && got.join('') !== 'ab'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got.join('')).toBe('ab');
    client.destroy();
    await proxy.close();
    echo.close();
  });

  it('a tiny PostgreSQL-pause drill: votes during the pause acked after it, nothing lost, counts and document exact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cocreate-drill-smoke-'));
    const summary = await runDrills({
      quick: true,
      drills: ['pause-postgres'],
      resultsDir: dir,
      profile: {
        votersPerNode: 2,
        watchersPerNode: 1,
        editorsPerNode: 1,
        ideas: 6,
        rate: 10,
        beforeMs: 1000,
        afterMs: 3000,
        pauseMs: 1500,
      },
    });
    const pause = summary.drills.pausePostgres;
    expect(pause.acked).toBeGreaterThan(10);
    // The votes sent while the proxy held every byte were answered only after it let them through.
    expect(pause.slowestAckMs).toBeGreaterThan(1000);
    expect(pause.clientsNotBack).toBe(0);
    expect(pause.problems).toEqual([]);
    expect(summary.lost).toBe(0);
    expect(summary.exact).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'drills-quick.json'), 'utf8'))).toEqual(summary);
  }, 120_000);
});
