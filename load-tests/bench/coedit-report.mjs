// The coedit benchmark's printed table: the summary per server, then both load phases side by side.
import { round, table } from './lib/stats.mjs';

const ms = (x) => (x === null || x === undefined ? '–' : x === Infinity ? '≥10 s' : `${round(x)}`);

export function report(summary, results, profile) {
  const servers = Object.keys(results);
  const lines = [];
  lines.push(
    table(
      ['server', 'p50 ms', 'p99 ms', 'updates/s', 'CPU µs/update', 'KiB/doc', '5 MB load ms', 'converged'],
      servers.map((k) => {
        const s = summary[k];
        return [k, ms(s.p50Ms), ms(s.p99Ms), s.updatesPerSec, s.cpuUsPerUpdate, s.memPerDocKiB, s.load5MBMs ?? (s.loadComplete === false ? 'incomplete' : '–'), String(s.converged)];
      }),
    ),
  );
  const { hot, spread } = profile;
  lines.push('');
  lines.push(
    `  (summary = the hot phase: ${hot.editorsPerDoc} typists in one document at ${hot.perSecond}/s; KiB/doc from the spread phase; 5 MB load = median of ${profile.loads})`,
  );
  lines.push('');
  lines.push(
    table(
      [
        'phase / server',
        'offered/s',
        'delivered/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'cross-node p99',
        'CPU µs/update',
        'server cores',
        'machine cores',
        'others',
      ],
      ['hot', 'spread'].flatMap((phase) =>
        servers.map((k) => {
          const p = results[k].phases[phase];
          return [
            `${phase === 'hot' ? `hot ${hot.editorsPerDoc}×${hot.perSecond}/s` : `spread ${spread.docs}×${spread.editorsPerDoc}`} ${k}`,
            p.offeredPerSec,
            round(p.updatesPerSec),
            ms(p.p50Ms),
            ms(p.p99Ms),
            ms(p.maxMs),
            ms(p.crossNodeP99Ms),
            round(p.cpuUsPerUpdate),
            p.cores.server,
            p.cores.machine,
            p.cores.others,
          ];
        }),
      ),
    ),
  );
  return lines.join('\n');
}
