// HubSpot's failures in our vocabulary (crm/provider.ts CrmError). The client throws an
// ApiException with the HTTP status, the parsed body ({ status, message, category, correlationId })
// and the response headers; a network failure throws a plain error.
import { CrmError } from '../provider.js';

interface ApiExceptionLike {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const isApiException = (e: unknown): e is ApiExceptionLike =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number' && 'headers' in e;

function bodyMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      return bodyMessage(JSON.parse(body));
    } catch {
      return body.slice(0, 300);
    }
  }
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; category?: unknown };
    if (typeof b.message === 'string') return b.message.slice(0, 500);
  }
  return '';
}

/** Retry-After in ms (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function hubspotError(err: unknown): CrmError {
  if (err instanceof CrmError) return err;
  if (!isApiException(err)) {
    return new CrmError('unavailable', `HubSpot could not be reached (${(err as Error)?.message ?? String(err)})`, {
      cause: err,
    });
  }
  const status = err.code;
  const said = bodyMessage(err.body);
  const words = said ? `HubSpot said: ${said}` : `HubSpot answered HTTP ${status}`;
  if (status === 401 || status === 403) return new CrmError('unauthorized', words, { status, cause: err });
  if (status === 429) {
    const headers = Object.fromEntries(Object.entries(err.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return new CrmError('rate_limited', words, {
      status,
      retryAfterMs: retryAfterMs(headers['retry-after']) ?? 10_000,
      cause: err,
    });
  }
  if (status >= 500) return new CrmError('unavailable', words, { status, cause: err });
  return new CrmError('invalid', words, { status, cause: err });
}
