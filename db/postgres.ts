import pg from 'pg';
import type { Database, QueryOptions, QueryResult, Queryable } from './types.js';

// bigint (int8) columns come back as JS numbers: ids and counts stay well below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric stays a string by default; we only use it for money, read as a number.
pg.types.setTypeParser(1700, (v) => Number(v));
// int8[] (e.g. cited fact ids) as numbers too, as PGlite returns them.
// pg-types lists no array OIDs in its TypeId union, hence the casts.
const TEXT_ARRAY = 1009 as unknown as Parameters<typeof pg.types.getTypeParser>[0];
const INT8_ARRAY = 1016 as unknown as Parameters<typeof pg.types.getTypeParser>[0];
const parseTextArray = pg.types.getTypeParser(TEXT_ARRAY);
pg.types.setTypeParser(INT8_ARRAY, (v: string) =>
  (parseTextArray(v) as (string | null)[]).map((x) => (x === null ? null : Number(x))),
);

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(text: string, values?: unknown[], opts?: QueryOptions): Promise<QueryResult<T>> {
      const r = opts?.name
        ? await client.query({ name: opts.name, text, values: values as unknown[] | undefined })
        : await client.query(text, values as unknown[] | undefined);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(text: string) {
      const r = (await client.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
      return (Array.isArray(r) ? (r.at(-1)?.rows ?? []) : r.rows) as Record<string, unknown>[];
    },
  };
}

/** A dedicated LISTEN connection that reconnects (100 ms doubling to 5 s) until stopped. */
async function listenOn(connectionString: string, channel: string, onPayload: (payload: string) => void) {
  let stopped = false;
  let client: pg.Client | undefined;
  let attempt = 0;
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({ connectionString });
    client = c;
    c.on('notification', (m) => {
      if (m.channel === channel) onPayload(m.payload ?? '');
    });
    const retry = () => {
      if (stopped || client !== c) return;
      client = undefined;
      void c.end().catch(() => {});
      setTimeout(() => void connect().catch(() => {}), Math.min(5000, 100 * 2 ** Math.min(attempt++, 16))).unref();
    };
    c.on('error', retry);
    c.on('end', retry);
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      attempt = 0;
    } catch (err) {
      retry();
      throw err;
    }
  };
  // The first connection must work (the database is up at start); later drops are retried.
  try {
    await connect();
  } catch (err) {
    stopped = true;
    throw err;
  }
  return async () => {
    stopped = true;
    await client?.end().catch(() => {});
  };
}

export function openPostgres(connectionString: string, max = 10): Database & { pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    pool,
    ...wrap(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    listen: (channel, onPayload) => listenOn(connectionString, channel, onPayload),
    async close() {
      await pool.end();
    },
  };
}
