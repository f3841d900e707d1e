// Sending through the provider's HTTP API, for Google / Microsoft mailboxes whose tenant has SMTP
// AUTH off (mailboxes.oauth_transport = 'api'): the Gmail API (users.messages.send with the raw
// RFC 822 message, base64url) and Microsoft Graph (POST /me/sendMail with the MIME, base64, as
// text/plain). The message is our compiled MIME either way, so our Message-ID, threading and
// List-Unsubscribe headers go as they are. Plain HTTPS through the address guard (no provider SDK:
// the Gmail client's current major needs Node 22 and both would open their own connections
// outside net/'s guard). A 401 is retried once with a refreshed token, then the mailbox's consent
// is broken; 429 and 503 are retried here after a short wait, then the step backs off; any other
// failure once the body may have reached the provider is `unknown` and reconciled by Message-ID
// through the same API (the Sent folder).
import http from 'node:http';
import https from 'node:https';
import type { AddressPolicy } from '../net/address.js';
import { checkLiteral, guardedLookup } from '../net/guard.js';
import { ConsentError, type AccessTokenSource, type OAuthProvider } from '../mailboxes/oauth-types.js';
import type { OAuthMailEndpoints } from './oauth-endpoints.js';
import type { MailTransport, SendOutcome, SendProgress } from './transport.js';

interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const TIMEOUT_MS = 60_000;
const NAMES: Record<OAuthProvider, string> = { google: 'Google', microsoft: 'Microsoft' };

/** One HTTP request through the address guard; `sent` fires once the whole body is written. */
function request(
  url: URL,
  o: { method: string; token: string; contentType?: string; body?: string; policy: AddressPolicy; sent?: () => void },
): Promise<ApiResponse> {
  const allowPrivate = checkLiteral(url, o.policy);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: o.method,
        lookup: guardedLookup(allowPrivate),
        timeout: TIMEOUT_MS,
        headers: {
          authorization: `Bearer ${o.token}`,
          accept: 'application/json',
          ...(o.body !== undefined
            ? { 'content-type': o.contentType ?? 'application/json', 'content-length': Buffer.byteLength(o.body) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.on('finish', () => o.sent?.());
    req.end(o.body);
  });
}

/** Gmail's and Graph's stable reasons for a 403 that is a rate limit, not a refusal. */
const RATE_REASONS = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'dailyLimitExceeded',
  'ApplicationThrottled',
]);

function reasonOf(r: ApiResponse): string | undefined {
  try {
    const j = JSON.parse(r.body) as { error?: { errors?: { reason?: string }[]; code?: string } };
    return j.error?.errors?.[0]?.reason ?? j.error?.code;
  } catch {
    return undefined;
  }
}

/** The provider's error in words (never the request: it carries the token). */
function said(r: ApiResponse): string {
  try {
    const j = JSON.parse(r.body) as { error?: { message?: string; code?: string } | string };
    const e = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.error?.code);
    if (e) return `HTTP ${r.status} ${e}`.slice(0, 300);
  } catch {
    /* not JSON */
  }
  return `HTTP ${r.status}`;
}

/** An error the send classifier reads like an SMTP reply: 4xx → retry later, 5xx → rejected. */
function replyError(r: ApiResponse, code: number): Error {
  return Object.assign(new Error(said(r)), { responseCode: code, response: `${code} ${said(r)}`, command: 'API' });
}

const retryable = (r: ApiResponse) =>
  r.status === 429 || r.status === 503 || (r.status === 403 && RATE_REASONS.has(reasonOf(r) ?? ''));

/** Calls the API with a token: 401 → once more refreshed, then ConsentError; 429/503 → twice more after a wait. */
async function withToken(
  provider: OAuthProvider,
  tokens: AccessTokenSource,
  call: (token: string) => Promise<ApiResponse>,
  first?: string,
): Promise<ApiResponse> {
  let token = first ?? (await tokens.get());
  let refreshed = false;
  for (let busy = 0; ;) {
    const r = await call(token);
    if (r.status === 401 && !refreshed) {
      refreshed = true;
      token = await tokens.get({ forceRefresh: true });
      continue;
    }
    if (r.status === 401 || r.status === 403)
      throw new ConsentError(
        provider,
        `${NAMES[provider]} refused the saved sign-in (${said(r)}): reconnect this mailbox`,
      );
    if (retryable(r) && busy < 2) {
      const after = Number(r.headers['retry-after']);
      await new Promise((res) =>
        setTimeout(res, Math.min(Number.isFinite(after) ? after * 1000 : 0, 5000) || 500 * 2 ** busy),
      );
      busy++;
      continue;
    }
    return r;
  }
}

/** A GET with the mailbox's token (401 → refreshed once, then ConsentError); the body, or an error for a non-200. */
export async function apiGet(
  provider: OAuthProvider,
  tokens: AccessTokenSource,
  policy: AddressPolicy,
  url: URL,
): Promise<string> {
  const r = await withToken(provider, tokens, (t) => request(url, { method: 'GET', token: t, policy }));
  if (r.status !== 200) throw new Error(`${NAMES[provider]} ${url.pathname} failed: ${said(r)}`);
  return r.body;
}

export class ApiMailbox implements MailTransport {
  constructor(
    private readonly provider: OAuthProvider,
    private readonly tokens: AccessTokenSource,
    private readonly endpoints: OAuthMailEndpoints,
    private readonly policy: AddressPolicy,
  ) {}

  async send(raw: string, _envelope: { from: string; to: string }, progress: SendProgress): Promise<SendOutcome> {
    progress.stage('connect');
    const token = await this.tokens.get();
    await progress.beforeHandOver?.();
    const mime = Buffer.from(raw, 'utf8');
    const google = this.provider === 'google';
    // Gmail puts a sent follow-up in the rep's own thread only when told the thread's id.
    const threadId = google ? await this.gmailThreadOf(raw) : undefined;
    const url = new URL(
      google ? `${this.endpoints.api}/gmail/v1/users/me/messages/send` : `${this.endpoints.api}/v1.0/me/sendMail`,
    );
    const body = google
      ? JSON.stringify({ raw: mime.toString('base64url'), ...(threadId ? { threadId } : {}) })
      : mime.toString('base64');
    const r = await withToken(
      this.provider,
      this.tokens,
      (t) => {
        progress.stage('envelope');
        progress.stage('data');
        return request(url, {
          method: 'POST',
          token: t,
          body,
          contentType: google ? 'application/json' : 'text/plain',
          policy: this.policy,
          sent: () => progress.stage('committed'),
        });
      },
      token,
    );
    if (r.status >= 200 && r.status < 300) {
      // Gmail answers the message's id and thread; Graph answers 202 with no body (the id is found by Message-ID).
      const j = google ? (JSON.parse(r.body || '{}') as { id?: string; threadId?: string }) : {};
      const response = google
        ? `${r.status} gmail id=${j.id ?? '?'} thread=${j.threadId ?? '?'}`
        : `${r.status} graph accepted`;
      return { response, outboxPath: null };
    }
    if (retryable(r)) throw replyError(r, 451);
    if (r.status >= 500) throw Object.assign(new Error(said(r)), { command: 'API' }); // it may have gone: reconcile
    throw replyError(r, 554);
  }

  close(): void {}

  /**
   * The Gmail thread of the message this one answers (its In-Reply-To), found by Message-ID among
   * the mailbox's messages; none for an opener, or when the look-up fails (the message then goes
   * out threaded by its headers alone for the recipient). A refused sign-in still stops the send.
   */
  private async gmailThreadOf(raw: string): Promise<string | undefined> {
    const head = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')) || raw.length);
    const inReplyTo = /^In-Reply-To:\s*(<[^>\r\n]+>)/im.exec(head)?.[1];
    if (!inReplyTo) return undefined;
    const url = new URL(`${this.endpoints.api}/gmail/v1/users/me/messages`);
    url.searchParams.set('q', `rfc822msgid:${inReplyTo}`);
    try {
      const j = JSON.parse(await apiGet('google', this.tokens, this.policy, url)) as {
        messages?: { threadId?: string }[];
      };
      return j.messages?.[0]?.threadId;
    } catch (e) {
      if (e instanceof ConsentError) throw e;
      return undefined;
    }
  }

  /** Whether our Message-ID is among the mailbox's sent messages (the reconciler's look-up). */
  async foundSent(messageId: string): Promise<boolean> {
    const google = this.provider === 'google';
    const id = messageId.replace(/'/g, "''");
    const url = google
      ? new URL(`${this.endpoints.api}/gmail/v1/users/me/messages`)
      : new URL(`${this.endpoints.api}/v1.0/me/mailFolders/sentitems/messages`);
    if (google) url.searchParams.set('q', `in:sent rfc822msgid:${messageId}`);
    else {
      url.searchParams.set('$filter', `internetMessageId eq '${id}'`);
      url.searchParams.set('$select', 'id,conversationId,internetMessageId');
    }
    const body = await apiGet(this.provider, this.tokens, this.policy, url);
    const j = JSON.parse(body) as { messages?: unknown[]; value?: unknown[] };
    return ((google ? j.messages : j.value) ?? []).length > 0;
  }
}
