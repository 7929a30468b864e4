import { createDb } from '@cocreate/db';
import { ConfigError, loadConfig } from '../config.js';

/** `npm run db:migrate`: applies the committed migrations to the configured database. */
try {
  const config = loadConfig();
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  await database.migrate();
  await database.close();
  console.log(`migrated ${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`}`);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
