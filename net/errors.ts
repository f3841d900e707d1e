// The one vocabulary of fetch failures. The code (errors.ts) says what the caller does:
// FETCH_BLOCKED (never retry: the address or scheme is refused), FETCH_SKIPPED (fine, not
// wanted: robots.txt, content type), FETCH_FAILED (the site failed; details.status for HTTP).
// details.reason says why, and is stored with dossier errors and shown to people.
import { AppError } from '../errors.js';

type FetchReason =
  'blocked' | 'robots' | 'content_type' | 'status' | 'redirects' | 'too_large' | 'timeout' | 'time_limit' | 'network';

interface FetchErrorDetails {
  reason: FetchReason;
  status?: number;
  host?: string;
}

export function fetchError(
  reason: FetchReason,
  message: string,
  opts: { cause?: unknown; status?: number; host?: string } = {},
): AppError {
  const code =
    reason === 'blocked'
      ? 'FETCH_BLOCKED'
      : reason === 'robots' || reason === 'content_type'
        ? 'FETCH_SKIPPED'
        : 'FETCH_FAILED';
  const details: FetchErrorDetails = { reason };
  if (opts.status !== undefined) details.status = opts.status;
  if (opts.host !== undefined) details.host = opts.host;
  return new AppError(code, message, { cause: opts.cause, details });
}

/** The address guard's refusal. Says which host, never anything learnt by connecting. */
export function blockedError(host: string, why = 'a private or reserved address'): AppError {
  return fetchError('blocked', `${host} is ${why}; set ALLOW_PRIVATE_FETCH to allow it (true, or a list of origins)`, {
    host,
  });
}

/** A site that failed or may come back (so an expired cached copy may stand in). */
export function isOutage(err: unknown): boolean {
  if (!(err instanceof AppError) || err.code !== 'FETCH_FAILED') return false;
  const d = err.details as FetchErrorDetails;
  return d.reason === 'network' || d.reason === 'timeout' || (d.reason === 'status' && (d.status ?? 0) >= 500);
}
