// Access tokens for the transport tests: a loopback HTTP server with an RFC 7662 introspection
// endpoint (what the fake SMTP server and Dovecot's OAuth2 passdb ask), and a small
// AccessTokenSource per mailbox that takes its tokens from it, caches one like the token store
// does, and can be made to lose consent (the provider's invalid_grant) and be reconnected.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsentError, type AccessTokenSource, type OAuthProvider } from '../../mailboxes/oauth-types.js';

export interface TokenIssuer {
  introspectionUrl: string;
  /** A new token for `user`, active for `ttlMs`. */
  issue(user: string, ttlMs?: number): string;
  /** The token stops being active now (it expired at the provider). */
  expire(token: string): void;
  /** Introspection requests answered. */
  introspections: number;
  close(): Promise<void>;
}

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const tokens = new Map<string, { user: string; until: number }>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/introspect')) {
        res.writeHead(404).end();
        return;
      }
      issuer.introspections++;
      const t = tokens.get(new URLSearchParams(body).get('token') ?? '');
      const active = !!t && t.until > Date.now();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(active ? { active, username: t.user, email: t.user, token_type: 'Bearer' } : { active }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const issuer: TokenIssuer = {
    introspectionUrl: `http://127.0.0.1:${port}/introspect`,
    introspections: 0,
    issue(user, ttlMs = 3_600_000) {
      const token = `ya29.${randomBytes(24).toString('base64url')}`;
      tokens.set(token, { user, until: Date.now() + ttlMs });
      return token;
    },
    expire(token) {
      const t = tokens.get(token);
      if (t) t.until = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return issuer;
}

export interface TestTokenSource extends AccessTokenSource {
  /** Tokens handed out, newest last (for log checks and expiring the cached one). */
  issued: string[];
  refreshes: number;
  /** The provider now answers invalid_grant to a refresh (consent revoked). */
  revoke(): void;
  /** A new sign-in: refreshes work again. */
  reconnect(): void;
}

export function testTokenSource(
  issuer: TokenIssuer,
  user: string,
  provider: OAuthProvider,
  opts: { tokenUser?: string } = {},
): TestTokenSource {
  let cached: string | undefined;
  let revoked = false;
  const s: TestTokenSource = {
    issued: [],
    refreshes: 0,
    async get(o) {
      if (cached && !o?.forceRefresh) return cached;
      if (revoked)
        throw new ConsentError(
          provider,
          `${provider === 'google' ? 'Google' : 'Microsoft'} refused the saved sign-in: reconnect this mailbox`,
        );
      s.refreshes++;
      cached = issuer.issue(opts.tokenUser ?? user);
      s.issued.push(cached);
      return cached;
    },
    revoke() {
      revoked = true;
      for (const t of s.issued) issuer.expire(t);
    },
    reconnect() {
      revoked = false;
      cached = undefined;
    },
  };
  return s;
}
