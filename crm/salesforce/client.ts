// The jsforce connection for one Salesforce org, and Salesforce's failures in our words (CrmError).
//
// jsforce is pinned to 3.9.x: 3.10 and later need Node 22, and Prospector runs on Node 20.
// jsforce refreshes a session itself when the org answers 401: its refreshFn asks the core's token source
// (crm/tokens.ts persists the new token under a lock), never the OAuth endpoint directly. A refresh the
// org refuses (revoked app, expired refresh token) comes back as CrmError('unauthorized').
// jsforce retries GETs on 429/5xx itself (5 times, 0.5 s doubling); writes (POST/PATCH) are not retried
// by jsforce, so their 503/REQUEST_LIMIT_EXCEEDED reach the caller as CrmError for the core's backoff.
import { Connection } from 'jsforce';
import { CrmError, type CrmTokenSource } from '../provider.js';

/** The REST API version we speak (composite sobject collections, upsert collections ≥ 46.0). */
export const SALESFORCE_API_VERSION = '62.0';
/** Writes stop (rate_limited) when the org's daily API use passes this share of its limit, leaving the rest to people. */
export const DAILY_LIMIT_SHARE = 0.9;
/** How long to wait after the daily limit (REQUEST_LIMIT_EXCEEDED TotalRequests): a 24-hour rolling window. */
const DAILY_LIMIT_WAIT_MS = 60 * 60_000;
/** Concurrent-request limits clear quickly. */
const CONCURRENCY_WAIT_MS = 30_000;
/** A second refresh this soon after one means the org refuses even a fresh token. */
const REFRESH_LOOP_MS = 10_000;

interface ApiErrorLike {
  name?: string;
  errorCode?: string;
  message?: string;
  code?: string;
}

/** One org's session: the connection jsforce uses, made on first use with the core's current token. */
export class SalesforceSession {
  private conn: Connection | undefined;
  private refreshError: CrmError | undefined;
  private lastRefreshAt = 0;

  constructor(
    private readonly tokens: CrmTokenSource,
    private readonly fallbackInstanceUrl: string | null,
  ) {}

  async connection(): Promise<Connection> {
    if (this.conn) return this.conn;
    const accessToken = await this.tokens.accessToken();
    const instanceUrl = this.tokens.instanceUrl() ?? this.fallbackInstanceUrl;
    if (!instanceUrl)
      throw new CrmError('unauthorized', 'Salesforce is not connected (no instance URL); connect again');
    this.conn = new Connection({
      instanceUrl,
      accessToken,
      version: SALESFORCE_API_VERSION,
      refreshFn: (_conn, callback) => {
        const now = Date.now();
        if (now - this.lastRefreshAt < REFRESH_LOOP_MS) {
          this.refreshError = new CrmError(
            'unauthorized',
            'Salesforce refused a freshly refreshed session; connect again',
          );
          return callback(this.refreshError);
        }
        this.lastRefreshAt = now;
        this.tokens.accessToken(true).then(
          (token) => callback(null, token),
          (err: unknown) => {
            this.refreshError =
              err instanceof CrmError
                ? err
                : new CrmError('unauthorized', 'the Salesforce session could not be refreshed', { cause: err });
            callback(this.refreshError);
          },
        );
      },
    });
    return this.conn;
  }

  /** Runs one API call, mapping whatever it throws to CrmError; refuses writes near the daily limit. */
  async call<T>(what: string, fn: (conn: Connection) => Promise<T>, opts: { write?: boolean } = {}): Promise<T> {
    const conn = await this.connection();
    const usage = conn.limitInfo?.apiUsage;
    if (opts.write && usage && usage.limit > 0 && usage.used >= usage.limit * DAILY_LIMIT_SHARE) {
      throw new CrmError(
        'rate_limited',
        `Salesforce daily API use is at ${usage.used} of ${usage.limit}; writes wait so people keep the rest`,
        { retryAfterMs: DAILY_LIMIT_WAIT_MS },
      );
    }
    this.refreshError = undefined;
    try {
      return await fn(conn);
    } catch (err) {
      throw this.refreshError ?? toCrmError(err, what);
    }
  }
}

/** Salesforce's error (jsforce HttpApiError, OAuth error, network error) as a CrmError a person can read. */
export function toCrmError(err: unknown, what: string): CrmError {
  if (err instanceof CrmError) return err;
  const e = (err ?? {}) as ApiErrorLike;
  const code = e.errorCode ?? e.name ?? '';
  const text = (e.message ?? String(err)).slice(0, 300);
  const say = (m: string) => `${what}: ${m}`;
  if (code === 'INVALID_SESSION_ID' || code === 'invalid_grant' || code === 'INVALID_AUTH_HEADER') {
    return new CrmError(
      'unauthorized',
      say('Salesforce ended the session (the app was revoked or the token expired); connect again'),
      {
        status: 401,
        cause: err,
      },
    );
  }
  if (code === 'API_DISABLED_FOR_ORG' || code === 'API_CURRENTLY_DISABLED' || code === 'INSUFFICIENT_ACCESS') {
    return new CrmError('unauthorized', say(`Salesforce refused API access (${code}): ${text}`), {
      status: 403,
      cause: err,
    });
  }
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    const daily = /TotalRequests/i.test(text);
    return new CrmError(
      'rate_limited',
      say(daily ? 'the org reached its daily API limit' : `Salesforce limited the request rate (${text})`),
      { status: 403, retryAfterMs: daily ? DAILY_LIMIT_WAIT_MS : CONCURRENCY_WAIT_MS, cause: err },
    );
  }
  const http = /^ERROR_HTTP_(\d{3})$/.exec(code)?.[1];
  if (
    code === 'SERVER_UNAVAILABLE' ||
    code === 'UNKNOWN_EXCEPTION' ||
    (http !== undefined && Number(http) >= 500) ||
    http === '429' ||
    e.name === 'FetchError' ||
    e.name === 'AbortError' ||
    /^E[A-Z]+$/.test(e.code ?? '')
  ) {
    return new CrmError('unavailable', say(`Salesforce did not answer properly (${code || e.code || 'network'})`), {
      status: http ? Number(http) : undefined,
      retryAfterMs: http === '429' ? CONCURRENCY_WAIT_MS : undefined,
      cause: err,
    });
  }
  return new CrmError('invalid', say(`Salesforce refused it${code ? ` (${code})` : ''}: ${text}`), {
    status: 400,
    cause: err,
  });
}
