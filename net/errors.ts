// The one vocabulary of fetch failures. The code (errors.ts) says what the caller does:
// FETCH_BLOCKED (never retry: the address or scheme is refused), FETCH_SKIPPED (fine, not
// wanted: robots.txt, content type), FETCH_FAILED (the site failed; details.status for HTTP).
// details.reason says why, and is stored with dossier errors and shown to people.
import http from 'node:http';
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

/** The system's code for a failed connection (ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED…), from the cause. */
export function systemCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && !(e instanceof AppError)) return code;
  }
  return undefined;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA', 'ESERVFAIL', 'ENONAME']);
const UNREACHABLE_CODES = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'HPE_INVALID_CONSTANT']);
/** TLS: a certificate not trusted, or no secure connection agreed. */
const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|EPROTO$)/;

/**
 * A fetch failure as a person reads it: "The address example.net could not be found (DNS)", "The server
 * refused the connection", "The server answered 404 Not Found". Undefined for an error that is not a
 * fetch failure (its own message says it). The one place fetch failures are worded.
 */
export function fetchFailureWords(err: unknown): string | undefined {
  if (!(err instanceof AppError) || !err.code.startsWith('FETCH_')) return undefined;
  const d = (err.details ?? {}) as Partial<FetchErrorDetails>;
  const sys = systemCode(err);
  switch (d.reason) {
    case 'status': {
      const text = d.status ? http.STATUS_CODES[d.status] : undefined;
      return `The server answered ${d.status ?? 'with an error'}${text ? ` ${text}` : ''}`;
    }
    case 'timeout':
      return 'The server did not answer in time (timeout)';
    case 'time_limit':
      return 'Stopped: out of time';
    case 'too_large':
      return 'The answer was larger than the limit, so it was not read';
    case 'redirects':
      return 'The address redirected too many times';
    case 'network':
      if (sys && DNS_CODES.has(sys)) return `The address ${d.host ? `${d.host} ` : ''}could not be found (DNS)`;
      if (sys === 'ECONNREFUSED') return 'The server refused the connection';
      if (sys && UNREACHABLE_CODES.has(sys)) return 'The server could not be reached';
      if (sys && CLOSED_CODES.has(sys)) return 'The server closed the connection without a complete answer';
      if (sys && TLS_CODE.test(sys)) return "The server's secure connection (TLS) could not be trusted or set up";
      return 'The connection failed';
    default:
      // blocked, robots, content_type: net/ already says these in words.
      return err.message;
  }
}
