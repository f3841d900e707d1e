// The one small database interface every module uses. Two implementations: pg (PostgreSQL) and PGlite.
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Run as a named prepared statement (PostgreSQL: parsed and planned once per connection). The
   * text behind a name must never change. PGlite has no named statements and ignores it.
   */
  name?: string;
}

export interface Queryable {
  /** One statement, values always as $n parameters. */
  query<T = Record<string, unknown>>(text: string, values?: unknown[], opts?: QueryOptions): Promise<QueryResult<T>>;
  /** Several statements without parameters (migrations, pg-boss's multi-command plans); rows of the last. */
  exec(text: string): Promise<Record<string, unknown>[]>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTEN on `channel` for as long as the returned function is not called. On PostgreSQL one
   * dedicated connection per call, reconnected with backoff when it drops (notifications sent
   * while it is down are lost: callers also poll).
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** A named SQL statement: text and its values. Query modules return these; callers run them. */
export interface Sql {
  text: string;
  values: unknown[];
  /** A hot statement with constant text: prepared once per connection (see QueryOptions). */
  name?: string;
}

export async function run<T = Record<string, unknown>>(db: Queryable, sql: Sql): Promise<T[]> {
  return (await db.query<T>(sql.text, sql.values, sql.name ? { name: sql.name } : undefined)).rows;
}

export async function one<T = Record<string, unknown>>(db: Queryable, sql: Sql): Promise<T | undefined> {
  return (await db.query<T>(sql.text, sql.values, sql.name ? { name: sql.name } : undefined)).rows[0];
}
