import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PgliteQuery } from './pglite-query.js';
import type { Database, Queryable } from './types.js';

// Same value shapes as the pg driver: int8 and numeric as JS numbers.
const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.NUMERIC]: (v: string) => Number(v),
};

/** Statements through the one-call path (pglite-query.ts); `exec` (several statements) through PGlite's. */
function wrap(client: PGlite | Transaction, fast: PgliteQuery, inTransaction: boolean): Queryable {
  return {
    async query<T>(text: string, values?: unknown[]) {
      if (inTransaction && (client as Transaction).closed) throw new Error('Transaction is closed');
      return fast.run<T>(text, values, inTransaction);
    },
    async exec(text: string) {
      const results = await client.exec(text, { parsers });
      return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
    },
  };
}

/**
 * Memory: PostgreSQL's default 128 MB of shared buffers all live in the WASM heap, which never
 * shrinks; an embedded database of one team's prospects does well with 32 MB (the OS caches the
 * data files as well). See bench/README.md, memory.
 */
const EMBEDDED_CONF = ['shared_buffers = 32MB'];

/**
 * The embedded default: PostgreSQL compiled to WASM, data kept in `dir` (or memory when undefined).
 * `image`: an in-memory database started from a data folder dumped by `dumpDataDir` (tests start
 * from a migrated one instead of running initdb and every migration again).
 */
export async function openPglite(dir?: string, image?: Blob): Promise<Database & { pglite: PGlite }> {
  // pg_trgm backs the review queue's search (migration 0013); PGlite ships it but loads it only when asked.
  const options = { extensions: { pg_trgm }, postgresqlconf: EMBEDDED_CONF, ...(image ? { loadDataDir: image } : {}) };
  if (dir) {
    mkdirSync(dir, { recursive: true });
    // A new data folder is created by initdb inside the instance that opens it, and that instance
    // keeps the memory initdb grew (~450 MB more than a reopened one): create, close, reopen.
    if (!existsSync(path.join(dir, 'PG_VERSION'))) await (await PGlite.create({ ...options, dataDir: dir })).close();
  }
  const pglite = await PGlite.create({ ...options, ...(dir ? { dataDir: dir } : {}) });
  const fast = new PgliteQuery(pglite, { ...pglite.parsers, ...parsers });
  return {
    kind: 'pglite',
    pglite,
    ...wrap(pglite, fast, false),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pglite.transaction((tx) => fn(wrap(tx, fast, true)));
    },
    async listen(channel, onPayload) {
      const unlisten = await pglite.listen(channel, onPayload);
      return async () => unlisten();
    },
    async close() {
      await pglite.close();
    },
  };
}
