// A minimal Chrome DevTools Protocol session to a server node started with --inspect (on 127.0.0.1):
// a forced garbage collection before each heap reading, and CPU profiles of exactly one ramp step.
import WebSocket from 'ws';

export async function openInspector(port, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let target;
  while (!target) {
    try {
      const list = await (await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2000) })).json();
      target = list[0]?.webSocketDebuggerUrl;
    } catch {
      // not up yet
    }
    if (!target && Date.now() > deadline) throw new Error(`no inspector on port ${port}`);
    if (!target) await new Promise((r) => setTimeout(r, 100));
  }
  const ws = new WebSocket(target, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    const p = msg.id ? pending.get(msg.id) : undefined;
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
    else p.resolve(msg.result);
  });
  ws.on('error', () => {});
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject, method });
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 500 });
  return {
    collectGarbage: () => call('HeapProfiler.collectGarbage'),
    /** V8 heap in use now, in bytes (any Node process: the baselines have no /metrics). */
    heapUsed: async () => (await call('Runtime.getHeapUsage')).usedSize,
    startProfile: () => call('Profiler.start'),
    /** @returns {Promise<object>} the V8 CPU profile (write it as .cpuprofile) */
    stopProfile: async () => (await call('Profiler.stop')).profile,
    close: () => ws.terminate(),
  };
}
