// One database per test file on real PostgreSQL (dropped when the file passes, kept for
// inspection when it fails), and an in-memory PGlite for the embedded backend.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, onTestFailed, beforeEach } from 'vitest';
import type { Database } from '../../db/index.js';
import { migrate } from '../../db/migrate.js';
import { openPglite } from '../../db/pglite.js';
import { openPostgres } from '../../db/postgres.js';
import { migratedPgliteImage } from './pglite-image.js';

export type Backend = 'postgres' | 'pglite';
export const BACKENDS: Backend[] = ['postgres', 'pglite'];

export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

function urlFor(dbName: string, admin = adminUrl()): string {
  const u = new URL(admin);
  u.pathname = `/${dbName}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = adminUrl()): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDb {
  backend: Backend;
  db: Database;
  /** Connection URL (postgres only): for child processes and pg-boss. */
  url?: string;
  name?: string;
  /** Drops the database unless `keep`; closes connections. */
  dispose(keep?: boolean): Promise<void>;
}

export async function createTestDb(
  backend: Backend,
  /** `adminUrl`: another cluster than the shared one (a test that restarts its own server). */
  opts: { migrate?: boolean; label?: string; adminUrl?: string } = {},
): Promise<TestDb> {
  if (backend === 'pglite') {
    // Migrated databases start from one migrated image (pglite-image.ts); an unmigrated one from initdb.
    const db = opts.migrate === false ? await openPglite() : await openPglite(undefined, await migratedPgliteImage());
    return { backend, db, dispose: async () => db.close() };
  }
  const name = `pt_${(opts.label ?? 'x')
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 20)
    .toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const server = opts.adminUrl ?? adminUrl();
  await admin((c) => c.query(`CREATE DATABASE ${name}`), server);
  const url = urlFor(name, server);
  const db = openPostgres(url, 5);
  if (opts.migrate !== false) await migrate(db);
  return {
    backend,
    db,
    url,
    name,
    async dispose(keep = false) {
      await db.close();
      if (keep) {
        process.stderr.write(`kept test database ${name} for inspection\n`);
        return;
      }
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`), server);
    },
  };
}

/**
 * Runs `fn` once per backend, each with a fresh migrated database for the whole describe block.
 * `get()` returns the current TestDb inside tests.
 */
export function describeEachBackend(
  title: string,
  fn: (get: () => TestDb, backend: Backend) => void,
  backends = BACKENDS,
) {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      let t: TestDb | undefined;
      let failed = false;
      beforeAll(async () => {
        t = await createTestDb(backend, { label: title });
      });
      beforeEach(() => {
        onTestFailed(() => {
          failed = true;
        });
      });
      afterAll(async () => {
        await t?.dispose(failed);
      });
      fn(() => t!, backend);
    });
  }
}
