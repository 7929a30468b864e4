// The child side of a forked generator process (see forkGenerator in procs.mjs): answers the parent's
// `{id, cmd, …}` messages with `{id, ok, result | error}` and never outlives the parent.

/** @param {string} name this file, for the message when it is started by hand @param {Record<string, (msg: any) => unknown>} commands */
export function serveCommands(name, commands) {
  if (!process.send) {
    console.error(`${name} is a generator process: the benchmark harness (npm run bench) forks it`);
    process.exit(2);
  }
  // The parent gone means the run is over.
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (msg) => {
    try {
      const result = await commands[msg.cmd](msg);
      process.send({ id: msg.id, ok: true, result });
    } catch (err) {
      process.send({ id: msg.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  process.send({ ready: true });
}
