import { buildApp } from './app.js';
import { ConfigError, type Config, loadConfig } from './config.js';
import { seedDemo } from './seed.js';

/** The only file that listens: config, app, listen, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const app = await buildApp(config);
  if (config.seedDemo) {
    const logins = await seedDemo(app.database, { dataDir: config.databaseUrl ? undefined : config.dataDir });
    if (logins) {
      console.log('\nDemo community "demo" is ready. Sign in with any of these:');
      for (const l of logins) console.log(`  ${l.role.padEnd(9)} ${l.email}  password: ${l.password}`);
    }
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    try {
      await app.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${(app.server.address() as { port: number }).port}`;
  console.log(`\ncocreate (${config.nodeId}) is serving ${url}  — API docs at ${url}/docs\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
