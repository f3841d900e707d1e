// Salesforce's OAuth 2.0 web server flow with PKCE, through jsforce's OAuth2 client: the authorize URL on
// the production or sandbox login host, the code exchange (client secret + code_verifier), the refresh.
// The core makes the PKCE pair and the state and keeps the verifier until the callback.
import { OAuth2 } from 'jsforce';
import type { AppContext } from '../../context.js';
import { CrmError } from '../provider.js';
import type { CrmTokenSet } from '../registry.js';
import { toCrmError } from './client.js';

type Ctx = Pick<AppContext, 'config'>;

/** `api` for the REST API, `refresh_token` so the sync runs without a person. */
export const SALESFORCE_SCOPES = 'api refresh_token';

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  instance_url: string;
}

function client(ctx: Ctx, loginUrl: string, redirectUri?: string): OAuth2 {
  const { clientId, clientSecret } = ctx.config.salesforce;
  if (!clientId || !clientSecret) {
    throw new CrmError(
      'invalid',
      'Salesforce is not configured: set SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET',
    );
  }
  return new OAuth2({ loginUrl, clientId, clientSecret, redirectUri });
}

const loginHost = (ctx: Ctx, sandbox: boolean | undefined) =>
  sandbox ? ctx.config.salesforce.sandboxLoginUrl : ctx.config.salesforce.loginUrl;

const tokenSet = (t: TokenAnswer): CrmTokenSet => ({
  accessToken: t.access_token,
  refreshToken: t.refresh_token,
  instanceUrl: t.instance_url.replace(/\/$/, ''),
});

export function salesforceConfigured(ctx: Ctx): boolean {
  return Boolean(ctx.config.salesforce.clientId && ctx.config.salesforce.clientSecret);
}

export function salesforceAuthorizeUrl(
  ctx: Ctx,
  p: { state: string; codeChallenge: string; redirectUri: string; sandbox?: boolean },
): URL {
  const url = client(ctx, loginHost(ctx, p.sandbox), p.redirectUri).getAuthorizationUrl({
    scope: SALESFORCE_SCOPES,
    state: p.state,
    code_challenge: p.codeChallenge,
    prompt: 'login consent',
  });
  return new URL(url);
}

export async function salesforceExchangeCode(
  ctx: Ctx,
  p: { code: string; codeVerifier: string; redirectUri: string; sandbox?: boolean },
): Promise<CrmTokenSet> {
  const oauth = client(ctx, loginHost(ctx, p.sandbox), p.redirectUri);
  // jsforce sends code_verifier with the token request when the client holds one.
  oauth.codeVerifier = p.codeVerifier;
  try {
    const t = (await oauth.requestToken(p.code)) as TokenAnswer;
    if (!t.refresh_token) {
      throw new CrmError(
        'invalid',
        'Salesforce gave no refresh token: add the refresh_token scope to the connected app',
      );
    }
    return tokenSet(t);
  } catch (err) {
    throw toCrmError(err, 'Connecting Salesforce');
  }
}

/**
 * Refreshes at the org's own instance (its My Domain serves the OAuth endpoints too), so a sandbox
 * connection refreshes at its sandbox without remembering which login host it came through.
 * Salesforce keeps the refresh token: the answer has none.
 */
export async function salesforceRefresh(
  ctx: Ctx,
  p: { refreshToken: string; instanceUrl: string | null },
): Promise<CrmTokenSet> {
  const oauth = client(ctx, p.instanceUrl ?? ctx.config.salesforce.loginUrl);
  try {
    return tokenSet((await oauth.refreshToken(p.refreshToken)) as TokenAnswer);
  } catch (err) {
    throw toCrmError(err, 'Refreshing the Salesforce session');
  }
}
