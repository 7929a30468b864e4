#!/usr/bin/env node
// Runs a k6 script in Node, for a smoke test where k6 is not installed: each VU is a worker thread
// whose `k6/ws`, `k6/http`, `k6/metrics`, `k6/data`, `k6/execution` and `k6` imports resolve to this
// shim; the main thread owns the real WebSockets and HTTP requests. It keeps k6's semantics where
// the scripts rely on them (ws.connect blocks and runs handlers and socket timers until the socket
// closes; http and sleep block; setup data goes to every VU; thresholds are evaluated) and
// simplifies the rest: ramping-vus starts its largest VU count at once, arrival-rate scenarios are
// paced iterations on a few VUs, graceful stops are not modelled. It is no substitute for k6 for
// measuring; it proves the scripts run and check what they claim against a real server.
//
//   node load-tests/k6/node-shim/run.mjs load-tests/k6/vote-storm.js -e VOTERS=4 -e HOLD_S=5
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { WebSocket } from 'ws';

const WORKER = fileURLToPath(new URL('./vu-worker.mjs', import.meta.url));

/** @param {string | undefined} d e.g. "30s", "1m30s", "500ms" */
function durationMs(d) {
  if (!d) return 0;
  let ms = 0;
  for (const [, n, unit] of d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[/** @type {'ms'|'s'|'m'|'h'} */ (unit)];
  return ms;
}

/**
 * @typedef {{ type: string, values: number[] }} MetricData
 * @typedef {{ metric: string, expression: string, ok: boolean | null, value: number | null }} ThresholdResult
 */

/** @param {number[]} sorted @param {number} p */
const percentile = (sorted, p) => {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return /** @type {number} */ (sorted[i]);
};

/**
 * The value a threshold aggregation names, e.g. p(99), avg, rate, count.
 * @param {MetricData} m @param {string} agg @param {number} seconds
 */
function aggregate(m, agg, seconds) {
  const v = m.values;
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(agg);
  if (p)
    return percentile(
      [...v].sort((a, b) => a - b),
      Number(p[1]),
    );
  const sum = v.reduce((a, b) => a + b, 0);
  if (agg === 'count') return m.type === 'counter' ? sum : v.length;
  if (agg === 'rate')
    return m.type === 'counter' ? sum / seconds : v.length === 0 ? Number.NaN : v.filter((x) => x !== 0).length / v.length;
  if (agg === 'avg') return v.length === 0 ? Number.NaN : sum / v.length;
  if (agg === 'min') return Math.min(...v);
  if (agg === 'max') return Math.max(...v);
  if (agg === 'med')
    return percentile(
      [...v].sort((a, b) => a - b),
      50,
    );
  throw new Error(`unknown aggregation ${agg}`);
}

/** @param {number} a @param {string} op @param {number} b */
function compare(a, op, b) {
  if (op === '<') return a < b;
  if (op === '<=') return a <= b;
  if (op === '>') return a > b;
  if (op === '>=') return a >= b;
  if (op === '==' || op === '===') return a === b;
  if (op === '!=') return a !== b;
  throw new Error(`unknown operator ${op}`);
}

/**
 * Runs one k6 script against whatever its environment points at.
 * @param {string} script path of the .js file
 * @param {{ env?: Record<string, string>, maxArrivalVus?: number, onLog?: (level: string, text: string) => void }} [opts]
 */
export async function runK6Script(script, opts = {}) {
  const path = resolve(script);
  const env = { ...opts.env };
  const counters = new SharedArrayBuffer(4 * 32);
  /** @type {Map<string, MetricData>} */
  const metrics = new Map();
  /** @type {string[]} */
  const errors = [];
  /** @type {{ level: string, text: string }[]} */
  const logs = [];
  let nextVu = 1;

  /** @param {string} name @param {string} type @param {number} value */
  const record = (name, type, value) => {
    let m = metrics.get(name);
    if (!m) metrics.set(name, (m = { type, values: [] }));
    m.values.push(value);
  };

  /**
   * One worker: a VU, or the options/setup/teardown step.
   * @param {Record<string, unknown>} data
   * @param {number} hardStopAt
   * @returns {Promise<unknown>}
   */
  const spawn = (data, hardStopAt) =>
    new Promise((resolveDone) => {
      const { port1, port2 } = new MessageChannel();
      const signal = new SharedArrayBuffer(4);
      const flag = new Int32Array(signal);
      /** @type {Map<number, WebSocket>} */
      const sockets = new Map();
      /** @param {Record<string, unknown>} m */
      const notify = (m) => {
        port1.postMessage(m);
        Atomics.add(flag, 0, 1);
        Atomics.notify(flag, 0);
      };
      const worker = new Worker(WORKER, {
        workerData: { script: path, env, signal, counters, port: port2, ...data },
        transferList: [port2],
      });
      /** @type {unknown} */
      let result;
      const finish = () => {
        clearTimeout(timer);
        for (const ws of sockets.values()) ws.terminate();
        port1.close();
        void worker.terminate();
        resolveDone(result);
      };
      const timer = setTimeout(
        () => {
          errors.push(`${String(data.role)} ${String(data.vuId ?? '')}: still running past the scenario's end; stopped`);
          finish();
        },
        Math.max(1000, hardStopAt - Date.now()),
      );
      worker.on('error', (err) => {
        errors.push(`worker: ${err.stack ?? err}`);
        finish();
      });
      port1.on('message', async (/** @type {any} */ m) => {
        if (m.op === 'metric') record(m.name, m.type, m.value);
        else if (m.op === 'log') {
          logs.push({ level: m.level, text: m.text });
          opts.onLog?.(m.level, m.text);
        } else if (m.op === 'error') errors.push(m.message);
        else if (m.op === 'done') {
          result = m.result;
          finish();
        } else if (m.op === 'ws-open') {
          const ws = new WebSocket(m.url, { headers: m.headers });
          sockets.set(m.socket, ws);
          ws.on('open', () => notify({ socket: m.socket, event: 'open' }));
          ws.on('message', (/** @type {Buffer} */ d, /** @type {boolean} */ isBinary) =>
            notify(
              isBinary
                ? { socket: m.socket, event: 'binary', data: new Uint8Array(d) }
                : { socket: m.socket, event: 'message', data: d.toString() },
            ),
          );
          ws.on('error', (err) => notify({ socket: m.socket, event: 'error', message: err.message }));
          ws.on('close', (code) => {
            sockets.delete(m.socket);
            notify({ socket: m.socket, event: 'close', code });
          });
        } else if (m.op === 'ws-send') {
          const ws = sockets.get(m.socket);
          if (ws?.readyState === WebSocket.OPEN) ws.send(m.binary ? Buffer.from(m.data) : m.data);
        } else if (m.op === 'ws-close') {
          const ws = sockets.get(m.socket);
          if (ws?.readyState === WebSocket.OPEN) ws.close(m.code);
          else ws?.terminate();
        } else if (m.op === 'http') {
          try {
            const res = await fetch(m.url, { method: m.method, headers: m.headers, body: m.body });
            notify({ reply: m.id, status: res.status, body: await res.text(), headers: Object.fromEntries(res.headers) });
          } catch (err) {
            notify({ reply: m.id, status: 0, body: '', headers: {}, error: String(err) });
          }
        }
      });
    });

  const FAR = () => Date.now() + 600_000;
  const options = /** @type {any} */ (await spawn({ role: 'options', vuId: 0 }, FAR()));
  if (!options) return { errors, logs, metrics, thresholds: [] };
  const started = Date.now();
  const setupData = await spawn({ role: 'setup', vuId: 0 }, FAR());

  const scenarios = Object.entries(options.scenarios ?? { default: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } });
  await Promise.all(
    scenarios.map(async ([name, sc], scenarioIndex) => {
      await new Promise((r) => setTimeout(r, durationMs(sc.startTime)));
      const now = Date.now();
      const stagesMs = (sc.stages ?? []).reduce((/** @type {number} */ a, /** @type {any} */ s) => a + durationMs(s.duration), 0);
      const peak = Math.max(
        sc.startVUs ?? 0,
        sc.vus ?? 0,
        sc.rate ?? 0,
        sc.startRate ?? 0,
        ...(sc.stages ?? []).map((/** @type {any} */ s) => s.target),
      );
      /** @type {{ vus: number, endAt: number, iterations?: number, pacingMs?: number }} */
      let plan;
      if (sc.executor === 'per-vu-iterations')
        plan = { vus: sc.vus ?? 1, iterations: sc.iterations ?? 1, endAt: now + (durationMs(sc.maxDuration) || 600_000) };
      else if (sc.executor === 'constant-vus') plan = { vus: sc.vus ?? 1, endAt: now + durationMs(sc.duration) };
      else if (sc.executor === 'ramping-vus') plan = { vus: peak, endAt: now + stagesMs };
      else if (sc.executor === 'ramping-arrival-rate' || sc.executor === 'constant-arrival-rate') {
        const vus = Math.max(1, Math.min(opts.maxArrivalVus ?? 4, sc.maxVUs ?? sc.preAllocatedVUs ?? 1));
        const perSecond = (peak || 1) / (durationMs(sc.timeUnit ?? '1s') / 1000);
        plan = { vus, endAt: now + (stagesMs || durationMs(sc.duration)), pacingMs: (vus / perSecond) * 1000 };
      } else throw new Error(`executor ${sc.executor} is not supported by the shim`);
      const hardStop = plan.endAt + Math.max(durationMs(sc.gracefulStop) || 30_000, 30_000);
      await Promise.all(
        Array.from({ length: plan.vus }, () =>
          spawn({ role: 'vu', vuId: nextVu++, exec: sc.exec, scenario: name, scenarioIndex, setupData, ...plan }, hardStop),
        ),
      );
    }),
  );
  await spawn({ role: 'teardown', vuId: 0, setupData }, FAR());
  const seconds = (Date.now() - started) / 1000;

  /** @type {ThresholdResult[]} */
  const thresholds = [];
  for (const [metric, list] of Object.entries(options.thresholds ?? {})) {
    for (const raw of /** @type {(string | { threshold: string })[]} */ (list)) {
      const expression = typeof raw === 'string' ? raw : raw.threshold;
      const m = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expression);
      if (!m) throw new Error(`cannot read threshold ${metric}: ${expression}`);
      const data = metrics.get(metric);
      if (!data) {
        // No samples: a counter is 0; anything else has no value to judge.
        const zero = /^count/.test(m[1] ?? '') ? compare(0, m[2] ?? '', Number(m[3])) : null;
        thresholds.push({ metric, expression, ok: zero, value: zero === null ? null : 0 });
        continue;
      }
      const value = aggregate(data, m[1] ?? '', seconds);
      thresholds.push({ metric, expression, ok: Number.isNaN(value) ? null : compare(value, m[2] ?? '', Number(m[3])), value });
    }
  }
  return { errors, logs, metrics, thresholds, seconds };
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const [script, ...rest] = process.argv.slice(2);
  if (!script) {
    console.error('usage: run.mjs <script.js> [-e NAME=value …]');
    process.exit(2);
  }
  /** @type {Record<string, string>} */
  const env = {};
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '-e' || rest[i] === '--env') {
      const [k, ...v] = (rest[++i] ?? '').split('=');
      if (k) env[k] = v.join('=');
    }
  }
  const out = await runK6Script(script, { env, onLog: (level, text) => console.log(`[${level}] ${text}`) });
  for (const [name, m] of out.metrics) {
    const sorted = [...m.values].sort((a, b) => a - b);
    const summary =
      m.type === 'trend'
        ? `avg=${aggregate(m, 'avg', 1).toFixed(1)} p(50)=${percentile(sorted, 50)} p(99)=${percentile(sorted, 99)} n=${m.values.length}`
        : m.type === 'rate'
          ? `rate=${aggregate(m, 'rate', 1).toFixed(4)} n=${m.values.length}`
          : `count=${aggregate(m, 'count', 1)}`;
    console.log(`${name.padEnd(28)} ${summary}`);
  }
  for (const t of out.thresholds)
    console.log(`${t.ok === true ? 'ok  ' : t.ok === false ? 'FAIL' : 'n/a '} ${t.metric} ${t.expression} (${t.value})`);
  for (const e of out.errors) console.error(`error: ${e}`);
  process.exit(out.errors.length > 0 || out.thresholds.some((t) => t.ok === false) ? 1 : 0);
}
