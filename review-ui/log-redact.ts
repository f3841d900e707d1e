// What request logs may say. A tracking or unsubscribe token in a URL is a credential for one
// recipient (it unsubscribes them, it records their clicks), and a CSRF header or a webhook
// signature is a credential for a session or a source: logs keep the route, never the secret.
import type { IncomingMessage } from 'node:http';

/** Path segments that are tokens: /t/c/<token>, /t/o/<token>, /u/<token>. */
const TOKEN_PATH = /^(\/(?:t\/[co]|u)\/)[^/?#]+/;
/** Query keys whose values are secrets wherever they appear. */
const SECRET_QUERY = /^(?:_csrf|token|sig|signature|code|state|access_token)$/i;
const SECRET_HEADERS = ['authorization', 'cookie', 'x-csrf-token', 'x-prospector-signature', 'x-cal-signature-256'];

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(TOKEN_PATH, '$1***');
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_QUERY.test(decodeURIComponentSafe(key)) ? `${key}=***` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * pino-http's `req` serializer: id, method, redacted URL and headers. Route params and the query
 * object are left out on purpose (they hold the same tokens the URL does).
 */
export function redactedRequest(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'> & { id?: unknown }) {
  const headers: Record<string, unknown> = { ...req.headers };
  for (const h of SECRET_HEADERS) if (h in headers) headers[h] = '***';
  return { id: req.id, method: req.method, url: redactUrl(req.url ?? ''), headers };
}
