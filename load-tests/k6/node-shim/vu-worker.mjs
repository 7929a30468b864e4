// One k6 VU (or the options/setup/teardown step) on a worker thread: the script is imported with
// `k6/*` resolved to the shim, then its exported function runs in an iteration loop.
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import { block, post } from './bridge.mjs';

register('./hooks.mjs', import.meta.url);

const w = workerData;
const scriptDir = dirname(w.script);
Object.assign(globalThis, {
  __ENV: w.env,
  __VU: w.vuId,
  /** @param {string} path @param {string} [mode] */
  open: (path, mode) => {
    const data = readFileSync(isAbsolute(path) ? path : resolve(scriptDir, path));
    return mode === 'b' ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data.toString('utf8');
  },
  console: Object.fromEntries(
    ['log', 'info', 'warn', 'error', 'debug'].map((level) => [
      level,
      (/** @type {unknown[]} */ ...a) => post({ op: 'log', level, text: a.map(String).join(' ') }),
    ]),
  ),
});

try {
  const mod = await import(pathToFileURL(w.script).href);
  const execution = (await import(new URL('./execution.mjs', import.meta.url).href)).default;
  const { state } = await import(new URL('./execution.mjs', import.meta.url).href);
  let result;
  if (w.role === 'options') result = JSON.parse(JSON.stringify(mod.options || {}));
  else if (w.role === 'setup') result = mod.setup ? mod.setup() : undefined;
  else if (w.role === 'teardown') {
    if (mod.teardown) mod.teardown(w.setupData);
  } else {
    const fn = mod[w.exec || 'default'];
    if (typeof fn !== 'function') throw new Error(`the script exports no function ${w.exec || 'default'}`);
    let next = Date.now();
    for (let i = 0; Date.now() < w.endAt && (w.iterations === undefined || i < w.iterations); i++) {
      if (w.pacingMs) {
        block(next - Date.now());
        next = Math.max(next, Date.now() - w.pacingMs) + w.pacingMs;
        if (Date.now() >= w.endAt) break;
      }
      execution.nextIteration();
      state.iterationInScenario = i;
      try {
        fn(w.setupData);
      } catch (err) {
        post({ op: 'error', message: `iteration ${i}: ${err instanceof Error ? err.stack : String(err)}` });
      }
    }
  }
  post({ op: 'done', result });
} catch (err) {
  post({ op: 'error', message: `${w.role}: ${err instanceof Error ? err.stack : String(err)}` });
  post({ op: 'done' });
}
