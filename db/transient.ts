// Telling "the database went away for a while" from "this statement is wrong", and waiting out
// the first. A restart (`pg_ctl restart -m fast`) ends open sessions with 57P01, refuses new ones
// while it starts (ECONNREFUSED, 57P03), and the pg driver reports a dropped socket as a plain
// Error with no SQLSTATE: those pass; an error the server reported about the statement does not.

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

export function isTransientDbError(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown; errors?: unknown[] } | null;
  if (!e || typeof e !== 'object') return false;
  // A dual-stack connect failure arrives as an AggregateError of per-address errors.
  if (Array.isArray(e.errors) && e.errors.length) return e.errors.some(isTransientDbError);
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code) return TRANSIENT_CODES.has(code) || code.startsWith('08');
  // No SQLSTATE and not reported by the server (which always sets a severity): the connection itself broke.
  return e.severity === undefined && err instanceof Error;
}

interface PersistOptions {
  /** Called after each failed try, before waiting (log it). */
  onRetry?(err: unknown, attempt: number, waitMs: number): void;
  /** Tries for an error that is not transient (a bug, a constraint) before giving up. */
  maxPermanentTries?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `fn` until it succeeds, for as long as the process lives while the database is away
 * (backoff doubling to `maxDelayMs`); an error the database reported about the statement itself
 * is retried a few times only, then thrown.
 */
export async function persist<T>(fn: () => Promise<T>, o: PersistOptions = {}): Promise<T> {
  let wait = o.firstDelayMs ?? 250;
  let permanent = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransientDbError(err) && ++permanent >= (o.maxPermanentTries ?? 3)) throw err;
      o.onRetry?.(err, attempt, wait);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, o.maxDelayMs ?? 15_000);
    }
  }
}
