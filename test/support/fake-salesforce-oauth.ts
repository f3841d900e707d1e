// The fake Salesforce org's login side: the OAuth web server flow with PKCE (authorize, token for a code
// or a refresh token, revoke, userinfo) and the bearer check every data API call passes. Salesforce's
// shapes: token answers with instance_url and no new refresh token on refresh; `invalid_grant` for a
// revoked or unknown grant; 401 INVALID_SESSION_ID for an expired or revoked access token.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const send = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  res.end(value === undefined ? '' : JSON.stringify(value));
};
export const apiError = (res: ServerResponse, status: number, errorCode: string, message: string, h = {}) =>
  send(res, status, [{ message, errorCode }], h);
export const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

interface Token {
  kind: 'access' | 'refresh';
  refresh: string;
  expiresAt: number;
  revoked: boolean;
}

/** The parts of the fake org the login side reads and counts. */
interface LoginOrg {
  url: string;
  counts: { authorize: number; code: number; refresh: number; revoke: number };
  tokenHosts: ('production' | 'sandbox')[];
}

export function fakeSalesforceLogin(
  fake: LoginOrg,
  p: { clientId: string; clientSecret: string; orgId: string; userId: string },
) {
  const { clientId, clientSecret, orgId, userId } = p;
  const tokens = new Map<string, Token>();
  const codes = new Map<string, { redirectUri: string; challenge: string; used: boolean }>();

  function issue(refresh?: string) {
    const rt = refresh ?? `5Aep861${randomBytes(24).toString('base64url')}`;
    if (!refresh) tokens.set(rt, { kind: 'refresh', refresh: rt, expiresAt: Infinity, revoked: false });
    const access = `${orgId}!${randomBytes(30).toString('base64url')}`;
    tokens.set(access, { kind: 'access', refresh: rt, expiresAt: Date.now() + 2 * 3600_000, revoked: false });
    return { access, refresh: rt };
  }
  const tokenBody = (access: string, refresh?: string) => ({
    access_token: access,
    ...(refresh ? { refresh_token: refresh } : {}),
    signature: randomBytes(32).toString('base64'),
    scope: 'refresh_token api',
    instance_url: fake.url,
    id: `${fake.url}/id/${orgId}/${userId}`,
    token_type: 'Bearer',
    issued_at: String(Date.now()),
  });

  async function oauth(req: IncomingMessage, res: ServerResponse, url: URL, host: 'production' | 'sandbox') {
    const path = url.pathname;
    if (path.endsWith('/authorize')) {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri');
      if (q.get('client_id') !== clientId || !redirectUri) return send(res, 400, { error: 'invalid_client_id' });
      const back = new URL(redirectUri);
      if (q.get('state')) back.searchParams.set('state', q.get('state')!);
      if (q.get('response_type') !== 'code' || !q.get('code_challenge'))
        back.searchParams.set('error', 'invalid_request');
      else {
        const code = `aPrx${randomBytes(16).toString('base64url')}`;
        codes.set(code, { redirectUri, challenge: q.get('code_challenge')!, used: false });
        back.searchParams.set('code', code);
        fake.counts.authorize++;
      }
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const oauthError = (error: string, description: string) =>
      send(res, 400, { error, error_description: description });
    if (path.endsWith('/revoke')) {
      const t = tokens.get(form.token ?? '');
      if (!t) return oauthError('unsupported_token_type', 'invalid token');
      for (const other of tokens.values()) if (other.refresh === t.refresh) other.revoked = true;
      t.revoked = true;
      fake.counts.revoke++;
      return send(res, 200, undefined);
    }
    if (path.endsWith('/userinfo')) {
      return authorized(req, res, () =>
        send(res, 200, { user_id: userId, organization_id: orgId, email: 'admin@acme-org.test', name: 'Org Admin' }),
      );
    }
    if (!path.endsWith('/token')) return send(res, 404, { error: 'not_found' });
    fake.tokenHosts.push(host);
    if (form.client_id !== clientId || form.client_secret !== clientSecret) {
      return oauthError('invalid_client', 'invalid client credentials');
    }
    if (form.grant_type === 'authorization_code') {
      const c = codes.get(form.code ?? '');
      if (!c || c.used || c.redirectUri !== form.redirect_uri)
        return oauthError('invalid_grant', 'invalid authorization code');
      c.used = true;
      const s256 = createHash('sha256')
        .update(form.code_verifier ?? '')
        .digest('base64url');
      if (s256 !== c.challenge) return oauthError('invalid_grant', 'invalid code verifier');
      fake.counts.code++;
      const t = issue();
      return send(res, 200, tokenBody(t.access, t.refresh));
    }
    if (form.grant_type === 'refresh_token') {
      const rt = tokens.get(form.refresh_token ?? '');
      if (!rt || rt.kind !== 'refresh' || rt.revoked)
        return oauthError('invalid_grant', 'expired access/refresh token');
      fake.counts.refresh++;
      return send(res, 200, tokenBody(issue(rt.refresh).access));
    }
    return oauthError('unsupported_grant_type', 'grant type not supported');
  }

  function authorized(req: IncomingMessage, res: ServerResponse, then: () => void | Promise<void>) {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const t = bearer ? tokens.get(bearer) : undefined;
    if (!t || t.kind !== 'access' || t.revoked || t.expiresAt <= Date.now()) {
      return apiError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    return then();
  }

  return {
    issue,
    oauth,
    authorized,
    expire(accessToken: string) {
      const t = tokens.get(accessToken);
      if (t) t.expiresAt = 0;
    },
    revokeAll() {
      for (const t of tokens.values()) t.revoked = true;
    },
  };
}
