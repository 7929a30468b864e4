#!/usr/bin/env node
// Summarises V8 .cpuprofile files (from `npm run bench -- votes --cpu-prof`): self time by package
// (or file) and the top functions, so "where does a vote's CPU go" has an answer without a GUI.
//   node load-tests/bench/profile-summary.mjs <file.cpuprofile>... [--top=25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
const top = Number(values.top);

function bucketOf(url) {
  if (!url) return '(native / V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(server|packages\/[^/]+)\/(?:dist|src)\/(.*)$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byBucket = new Map();
  const byFn = new Map();
  for (const [id, us] of self) {
    const node = byId.get(id);
    const cf = node.callFrame;
    const b =
      cf.functionName === '(idle)' || cf.functionName === '(program)' || cf.functionName === '(garbage collector)'
        ? cf.functionName
        : bucketOf(cf.url);
    byBucket.set(b, (byBucket.get(b) ?? 0) + us);
    const key = `${cf.functionName || '(anonymous)'}  ${bucketOf(cf.url)}:${cf.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  const busy = total - (byBucket.get('(idle)') ?? 0);
  const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  console.log(`\n${file}\n  sampled ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (percentages of busy)`);
  console.log('  self time by package / file:');
  for (const [b, us] of [...byBucket]
    .filter(([b]) => b !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`    ${pct(us)}  ${b}`);
  console.log('  top functions (self):');
  for (const [f, us] of [...byFn]
    .filter(([f]) => !f.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`    ${pct(us)}  ${f}`);
}
