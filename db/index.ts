import path from 'node:path';
import type { Config } from '../config.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { openPostgres } from './postgres.js';
import type { Database } from './types.js';

export * from './types.js';

/** The embedded database also holds the DATA_DIR lock (released on close). */
export type OpenedDatabase = Database & { dataDirLock?: DataDirLock };

/**
 * Real PostgreSQL when DATABASE_URL is set, else PGlite in DATA_DIR/pgdata, opened only after
 * taking the DATA_DIR lock (throws DataDirLockedError when a running app holds it).
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPoolMax'>,
): Promise<OpenedDatabase> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, config.dbPoolMax);
  const lock = await lockDataDir(config.dataDir);
  try {
    // Loaded only here: the WASM build costs a PostgreSQL deployment's processes ~40 MB each.
    const { openPglite } = await import('./pglite.js');
    const db = await openPglite(path.join(config.dataDir, 'pgdata'));
    return {
      ...db,
      dataDirLock: lock,
      async close() {
        await db.close();
        await lock.release();
      },
    };
  } catch (err) {
    await lock.release();
    throw err;
  }
}
