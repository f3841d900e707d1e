// A fake OpenID Connect authorization server on loopback, standing in for Google or Microsoft
// sign-in. The one in the tree: connect-flow tests, token tests and the transport tests (whose
// fake SMTP server and Dovecot validate the access tokens it issued) all use it.
//
//   const fake = await startFakeOAuth({ provider: 'google' });
//   fake.signInAs({ sub: 'g-1', email: 'rep@acme.test', name: 'Rita Rep' });
//   const ctx = await createTestContext(t, fake.env);   // GOOGLE_CLIENT_ID/SECRET/OAUTH_ISSUER
//   ...; expect(fake.counts.refresh).toBe(1); await fake.close();
//
// Speaks the real wire format: a discovery document, GET /authorize (a consent page with an
// "Allow" button, or straight back with `autoConsent`), POST /token (authorization_code with
// PKCE S256 and the client secret, basic or post; refresh_token), POST /revoke (RFC 7009),
// GET /userinfo, GET /jwks (ID tokens signed RS256 with jose) and POST /introspect (RFC 7662:
// token → { active, username, email, exp }), which Dovecot's oauth2 passdb calls.
// Codes are single use; a replayed code is refused with invalid_grant. `refreshFailure` makes
// the refresh grant answer invalid_grant, 429 or 503; `expire(token)` ends an access token now.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export interface FakeUser {
  sub: string;
  email: string;
  name: string;
}

export interface IssuedToken {
  token: string;
  kind: 'access' | 'refresh';
  sub: string;
  email: string;
  scope: string;
  clientId: string;
  /** ms since the epoch; access tokens only. */
  expiresAt?: number;
  revoked: boolean;
}

interface FakeOAuthOptions {
  provider?: 'google' | 'microsoft';
  clientId?: string;
  clientSecret?: string;
  /** Access token lifetime (expires_in), seconds. */
  accessTtlSeconds?: number;
  /** Redirect straight back to the client without showing the consent page. */
  autoConsent?: boolean;
  /** Issue a new refresh token on every refresh, as Microsoft does (Google keeps the first). */
  rotateRefreshTokens?: boolean;
}

export interface FakeOAuth {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Config env that points the provider at this fake. */
  env: Record<string, string>;
  /** Who "signs in" at the consent page. */
  signInAs(user: FakeUser): void;
  /** Every token issued, by value. */
  tokens: Map<string, IssuedToken>;
  /** Requests per endpoint (authorize counts consents given). */
  counts: { authorize: number; code: number; refresh: number; revoke: number; userinfo: number; introspect: number };
  /** Refresh grants answer this until set back to null. */
  refreshFailure: null | 'invalid_grant' | 429 | 503;
  /** Delay before answering a refresh grant, ms (widens races in concurrency tests). */
  refreshDelayMs: number;
  /** Bodies of every POST to the token endpoint, for leak checks and assertions. */
  tokenRequests: Record<string, string>[];
  /** The access token's user when it is live (issued here, not expired, not revoked). */
  validate(accessToken: string): IssuedToken | undefined;
  /** Tokens for `user` as if they had consented (seeds a connected mailbox without a browser). */
  grant(user?: FakeUser, scope?: string): { accessToken: string; refreshToken: string; expiresIn: number };
  /** Ends an access token now (the next use is a 401; a client must refresh). */
  expire(accessToken: string): void;
  /** Revokes every token of `sub` (the user removed consent, or an admin did): refresh → invalid_grant. */
  revokeUser(sub: string): void;
  close(): Promise<void>;
}

const rand = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  scope: string;
  user: FakeUser;
  used: boolean;
}

async function body(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

export async function startFakeOAuth(opts: FakeOAuthOptions = {}): Promise<FakeOAuth> {
  const provider = opts.provider ?? 'google';
  const clientId = opts.clientId ?? `${provider}-client-id`;
  const clientSecret = opts.clientSecret ?? rand('fake-client-secret-');
  const ttl = opts.accessTtlSeconds ?? 3600;
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'fake-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, PendingCode>();
  const sockets = new Set<Socket>();
  let user: FakeUser = { sub: `${provider}-sub-1`, email: `rep@${provider}.test`, name: 'Test Rep' };
  let issuer = '';

  const issue = (kind: IssuedToken['kind'], u: FakeUser, scope: string): IssuedToken => {
    const t: IssuedToken = {
      token: rand(kind === 'access' ? 'fake-at-' : 'fake-rt-'),
      kind,
      sub: u.sub,
      email: u.email,
      scope,
      clientId,
      expiresAt: kind === 'access' ? Date.now() + ttl * 1000 : undefined,
      revoked: false,
    };
    fake.tokens.set(t.token, t);
    return t;
  };
  const idToken = (u: FakeUser, nonce: string | undefined) =>
    new SignJWT({
      email: u.email,
      email_verified: true,
      name: u.name,
      ...(nonce ? { nonce } : {}),
      ...(provider === 'microsoft' ? { preferred_username: u.email, tid: 'fake-tenant' } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
      .setIssuer(issuer)
      .setAudience(clientId)
      .setSubject(u.sub)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);

  const send = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(value));
  };
  const oauthError = (res: ServerResponse, status: number, error: string, description: string) =>
    send(res, status, { error, error_description: description });

  /** client_secret_basic or client_secret_post; true when the client proved itself. */
  const clientAuthenticated = (req: IncomingMessage, form: Record<string, string>) => {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1]!, 'base64')
        .toString('utf8')
        .split(':')
        .map((p) => decodeURIComponent(p));
      return id === clientId && secret === clientSecret;
    }
    return form.client_id === clientId && form.client_secret === clientSecret;
  };

  const redirectBack = (res: ServerResponse, redirectUri: string, params: Record<string, string>) => {
    const u = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    res.writeHead(302, { location: u.toString() });
    res.end();
  };

  const grantCode = (res: ServerResponse, q: URLSearchParams) => {
    const code = rand('fake-code-');
    codes.set(code, {
      clientId,
      redirectUri: q.get('redirect_uri')!,
      challenge: q.get('code_challenge')!,
      nonce: q.get('nonce') ?? undefined,
      scope: q.get('scope') ?? '',
      user,
      used: false,
    });
    fake.counts.authorize++;
    const back: Record<string, string> = { code };
    if (q.get('state') !== null) back.state = q.get('state')!;
    if (provider === 'google') back.iss = issuer; // RFC 9207, as Google sends it
    redirectBack(res, q.get('redirect_uri')!, back);
  };

  async function authorize(req: IncomingMessage, res: ServerResponse, url: URL) {
    const q = req.method === 'POST' ? new URLSearchParams(await body(req)) : url.searchParams;
    if (q.get('client_id') !== clientId || !q.get('redirect_uri')) {
      res.writeHead(400, { 'content-type': 'text/html' });
      return res.end('<h1>Error 400: invalid_client or missing redirect_uri</h1>');
    }
    const redirectUri = q.get('redirect_uri')!;
    const fail = (error: string) => redirectBack(res, redirectUri, { error, state: q.get('state') ?? '' });
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type');
    if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return fail('invalid_request');
    if (req.method === 'POST') return q.get('decision') === 'allow' ? grantCode(res, q) : fail('access_denied');
    if (opts.autoConsent) return grantCode(res, q);
    const hidden = [...q].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Sign in - Fake ${esc(provider)}</title>
      <h1>Fake ${esc(provider)} sign-in</h1>
      <p>Signed in as <b id="who">${esc(user.email)}</b>. Prospector asks for: <code>${esc(q.get('scope') ?? '')}</code></p>
      <form method="post" action="/authorize">${hidden}
        <button name="decision" value="allow">Allow</button>
        <button name="decision" value="deny">Cancel</button>
      </form>`);
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const form = await body(req);
    fake.tokenRequests.push(form);
    if (!clientAuthenticated(req, form)) return oauthError(res, 401, 'invalid_client', 'client authentication failed');
    if (form.grant_type === 'authorization_code') {
      fake.counts.code++;
      const c = codes.get(form.code ?? '');
      if (!c || c.used) return oauthError(res, 400, 'invalid_grant', 'code unknown or already used');
      c.used = true;
      if (c.redirectUri !== form.redirect_uri) return oauthError(res, 400, 'invalid_grant', 'redirect_uri mismatch');
      if (!form.code_verifier || s256(form.code_verifier) !== c.challenge) {
        return oauthError(res, 400, 'invalid_grant', 'PKCE verification failed');
      }
      const at = issue('access', c.user, c.scope);
      const rt = issue('refresh', c.user, c.scope);
      return send(res, 200, {
        token_type: 'Bearer',
        access_token: at.token,
        refresh_token: rt.token,
        expires_in: ttl,
        scope: c.scope,
        id_token: await idToken(c.user, c.nonce),
      });
    }
    if (form.grant_type === 'refresh_token') {
      fake.counts.refresh++;
      if (fake.refreshDelayMs) await new Promise((r) => setTimeout(r, fake.refreshDelayMs));
      if (fake.refreshFailure === 429 || fake.refreshFailure === 503) {
        return send(
          res,
          fake.refreshFailure,
          { error: 'temporarily_unavailable', error_description: 'try again later' },
          { 'retry-after': '1' },
        );
      }
      const rt = fake.tokens.get(form.refresh_token ?? '');
      if (fake.refreshFailure === 'invalid_grant' || !rt || rt.kind !== 'refresh' || rt.revoked) {
        return oauthError(res, 400, 'invalid_grant', 'Token has been expired or revoked.');
      }
      const u = { sub: rt.sub, email: rt.email, name: '' };
      const at = issue('access', u, rt.scope);
      let refresh: string | undefined;
      if (opts.rotateRefreshTokens) {
        rt.revoked = true;
        refresh = issue('refresh', u, rt.scope).token;
      }
      return send(res, 200, {
        token_type: 'Bearer',
        access_token: at.token,
        expires_in: ttl,
        scope: rt.scope,
        ...(refresh ? { refresh_token: refresh } : {}),
      });
    }
    return oauthError(res, 400, 'unsupported_grant_type', String(form.grant_type));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', issuer);
    const path = url.pathname;
    if (path === '/.well-known/openid-configuration') {
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        // Microsoft offers no revocation of refresh tokens (and names no endpoint); Google does.
        ...(provider === 'google' ? { revocation_endpoint: `${issuer}/revoke` } : {}),
        userinfo_endpoint: `${issuer}/userinfo`,
        introspection_endpoint: `${issuer}/introspect`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        scopes_supported: ['openid', 'email', 'profile', 'offline_access'],
      });
    }
    if (path === '/authorize') return authorize(req, res, url);
    if (path === '/jwks') return send(res, 200, { keys: [jwk] });
    if (req.method === 'POST' && path === '/token') return token(req, res);
    if (req.method === 'POST' && path === '/revoke') {
      fake.counts.revoke++;
      const form = await body(req);
      const t = fake.tokens.get(form.token ?? '');
      // Google revokes the whole grant whichever token it is given.
      if (t) for (const x of fake.tokens.values()) if (x.sub === t.sub) x.revoked = true;
      return send(res, 200, {});
    }
    if (path === '/userinfo') {
      fake.counts.userinfo++;
      const t = fake.validate(/^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
      if (!t) return send(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      return send(res, 200, { sub: t.sub, email: t.email, email_verified: true });
    }
    if (req.method === 'POST' && path === '/introspect') {
      fake.counts.introspect++;
      const form = await body(req);
      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const t = fake.validate(form.token ?? bearer ?? '');
      if (!t) return send(res, 200, { active: false });
      return send(res, 200, {
        active: true,
        sub: t.sub,
        username: t.email,
        email: t.email,
        scope: t.scope,
        client_id: t.clientId,
        token_type: 'Bearer',
        exp: Math.floor(t.expiresAt! / 1000),
      });
    }
    send(res, 404, { error: 'not_found' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => send(res, 500, { error: 'server_error', error_description: err.message }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const P = provider.toUpperCase();

  const fake: FakeOAuth = {
    issuer,
    clientId,
    clientSecret,
    env: { [`${P}_CLIENT_ID`]: clientId, [`${P}_CLIENT_SECRET`]: clientSecret, [`${P}_OAUTH_ISSUER`]: issuer },
    signInAs(u) {
      user = u;
    },
    tokens: new Map(),
    counts: { authorize: 0, code: 0, refresh: 0, revoke: 0, userinfo: 0, introspect: 0 },
    refreshFailure: null,
    refreshDelayMs: 0,
    tokenRequests: [],
    validate(accessToken) {
      const t = fake.tokens.get(accessToken);
      return t && t.kind === 'access' && !t.revoked && t.expiresAt! > Date.now() ? t : undefined;
    },
    grant(u = user, scope = 'openid email') {
      return {
        accessToken: issue('access', u, scope).token,
        refreshToken: issue('refresh', u, scope).token,
        expiresIn: ttl,
      };
    },
    expire(accessToken) {
      const t = fake.tokens.get(accessToken);
      if (t) t.expiresAt = Date.now() - 1;
    },
    revokeUser(sub) {
      for (const t of fake.tokens.values()) if (t.sub === sub) t.revoked = true;
    },
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  return fake;
}
