// One statement on PGlite in one call into the WASM build. PGlite's own `query` makes six calls per
// statement (parse, describe the statement for its parameter types, bind, describe the portal,
// execute, sync), each a trip into the WASM module and back, and plans the statement every time;
// that overhead was 0.5–0.8 ms of CPU per statement here, more than most statements' own work (see
// bench/README.md, PGlite). Here Parse/Bind/Describe/Execute/Sync go out as one pipelined message,
// and a statement text seen a second time is kept as a named prepared statement (planned once, as
// on PostgreSQL), at most MAX_PREPARED of them, least recently used closed first.
//
// Parameters are sent as text of unspecified type, as the pg driver sends them (same conversions:
// arrays as array literals, objects as JSON, Dates as ISO timestamps, bytes as binary), so the two
// backends read values alike.
import { messages as pgMessages, parse, protocol, type PGlite } from '@electric-sql/pglite';
import type { QueryResult } from './types.js';

type Parsers = Record<number, (value: string, typeId?: number) => unknown>;

const serialize = protocol.serialize;
const MAX_PREPARED = 200;
/** A text seen once is remembered (unprepared) among this many; its second use prepares it. */
const MAX_SEEN = 1000;

/** A JS value as a text (or binary) parameter, like the pg driver's `prepareValue`. */
function toParam(value: unknown): string | Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return arrayLiteral(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value as string | number | bigint | boolean);
}

function arrayLiteral(values: unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return arrayLiteral(v);
    if (v instanceof Uint8Array) return `"\\\\x${Buffer.from(v).toString('hex')}"`;
    const text = toParam(v) as string;
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** PostgreSQL refuses a prepared statement whose result columns changed under it (ALTER TABLE). */
const isStalePlan = (err: pgMessages.DatabaseError) =>
  err.code === '0A000' && err.message.includes('cached plan must not change result type');

export class PgliteQuery {
  /** text → statement name, or '' while seen only once; Map order is least recently used first. */
  private readonly statements = new Map<string, string>();
  private prepared = 0;
  private counter = 0;
  /** Names to close, sent ahead of the next statement. */
  private closing: string[] = [];

  constructor(
    private readonly pg: PGlite,
    private readonly parsers: Parsers,
  ) {}

  /** One statement; `inTransaction` when the caller already holds PGlite's transaction lock. */
  async run<T>(text: string, values: unknown[] | undefined, inTransaction: boolean): Promise<QueryResult<T>> {
    const params = (values ?? []).map(toParam);
    const once = () => this.pg._runExclusiveQuery(() => this.execute<T>(text, params, inTransaction));
    if (inTransaction) return once();
    await this.pg._checkReady();
    return this.pg._runExclusiveTransaction(once);
  }

  private async execute<T>(
    text: string,
    params: (string | Uint8Array | null)[],
    inTransaction: boolean,
    retried = false,
  ): Promise<QueryResult<T>> {
    const parts: Uint8Array[] = this.closing.splice(0).map((name) => serialize.close({ type: 'S', name }));
    const { name, parsing } = this.statementFor(text);
    if (parsing) parts.push(serialize.parse({ name, text }));
    parts.push(
      serialize.bind({ statement: name, values: params }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    );
    const messages = await this.pg.execProtocolStream(concat(parts), { syncToFs: false, throwOnError: false });
    const err = messages.find((m): m is pgMessages.DatabaseError => m instanceof pgMessages.DatabaseError);
    if (err) {
      // A statement whose Parse failed was never created; one whose plan went stale is dropped.
      if (name && ((parsing && !messages.some((m) => m.name === 'parseComplete')) || isStalePlan(err))) {
        this.forget(text, name, !parsing || isStalePlan(err));
      }
      if (isStalePlan(err) && !inTransaction && !retried) return this.execute(text, params, inTransaction, true);
      throw err;
    }
    if (!inTransaction) await this.pg.syncToFs();
    const [result] = parse.parseResults(messages, this.parsers);
    const rows = (result?.rows ?? []) as T[];
    return { rows, rowCount: result?.rowCount ?? rows.length };
  }

  /** The name to bind (prepared now when `parsing` and named), '' for the unnamed statement. */
  private statementFor(text: string): { name: string; parsing: boolean } {
    const known = this.statements.get(text);
    if (known) {
      this.statements.delete(text); // most recently used goes last
      this.statements.set(text, known);
      return { name: known, parsing: false };
    }
    if (known === undefined) {
      this.remember(text, '');
      return { name: '', parsing: true };
    }
    const name = `pgl_${++this.counter}`;
    this.statements.delete(text);
    this.prepared++;
    this.remember(text, name);
    return { name, parsing: true };
  }

  private remember(text: string, name: string): void {
    this.statements.set(text, name);
    if (this.statements.size <= MAX_SEEN && this.prepared <= MAX_PREPARED) return;
    // Evict the least recently used: a prepared one when too many are prepared, else any.
    for (const [oldText, oldName] of this.statements) {
      if (oldText === text) continue;
      if (this.prepared > MAX_PREPARED && !oldName) continue;
      this.forget(oldText, oldName, true);
      break;
    }
  }

  private forget(text: string, name: string, close: boolean): void {
    if (this.statements.get(text) !== name) return;
    this.statements.delete(text);
    if (!name) return;
    this.prepared--;
    if (close) this.closing.push(name);
  }
}
