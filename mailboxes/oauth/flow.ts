// The connect flow: authorization code + PKCE (S256) + state + nonce, through openid-client.
// `startConnect` keeps the flow server-side (the state only as its sha256, the code verifier
// sealed) bound to the session that clicked; `finishConnect` uses it once, exchanges the code,
// verifies the ID token and takes the mailbox's address and name from it, never from a form.
import { createHash, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { consumeOAuthFlow, deleteOldOAuthFlows, insertOAuthFlow } from '../../db/queries/mailbox-oauth.js';
import { AppError } from '../../errors.js';
import type { OAuthProvider, OAuthTransport } from '../oauth-types.js';
import { saveConnection } from './connection.js';
import { PROVIDER_NAMES, SCOPES, oidcConfiguration, redirectUri } from './providers.js';

type Ctx = Pick<AppContext, 'db' | 'config' | 'secrets' | 'log' | 'caches'>;

/** How long a rep has between clicking Connect and coming back from the provider. */
const FLOW_TTL_MS = 10 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface Starter {
  sessionId: string;
  workspaceId: number;
  userId: number;
}

/** Saves a pending flow and returns the provider's authorization URL to send the browser to. */
export async function startConnect(
  ctx: Ctx,
  who: Starter,
  provider: OAuthProvider,
  transport: OAuthTransport,
): Promise<URL> {
  const oidc = await oidcConfiguration(ctx.config, provider, ctx.caches.oidc);
  const state = randomBytes(32).toString('base64url');
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const now = new Date();
  await run(ctx.db, deleteOldOAuthFlows(now));
  await run(
    ctx.db,
    insertOAuthFlow({
      stateHash: sha256(state),
      sessionId: who.sessionId,
      workspaceId: who.workspaceId,
      userId: who.userId,
      provider,
      transport,
      codeVerifierEnc: ctx.secrets.seal(verifier),
      nonce,
      expiresAt: new Date(now.getTime() + FLOW_TTL_MS),
    }),
  );
  return client.buildAuthorizationUrl(oidc, {
    redirect_uri: redirectUri(ctx.config),
    scope: SCOPES[provider][transport].join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    // Google returns a refresh token only with offline access, and again only on a fresh consent.
    ...(provider === 'google' ? { access_type: 'offline', prompt: 'consent' } : { prompt: 'select_account' }),
  });
}

interface Connected {
  mailboxId: number;
  created: boolean;
  provider: OAuthProvider;
  email: string;
}

/** Words for the person when the provider or the flow refused; never the provider's raw body. */
function refused(provider: OAuthProvider | undefined, why: string): AppError {
  const name = provider ? PROVIDER_NAMES[provider] : 'The provider';
  return new AppError('VALIDATION', `${name} sign-in did not complete: ${why}. Start again from Mailboxes.`);
}

/**
 * Handles the provider's redirect back. `query` is the callback's raw query string. The flow is
 * consumed first, so a replayed callback (same state, same code) finds nothing.
 */
export async function finishConnect(ctx: Ctx, who: Starter, query: string): Promise<Connected> {
  const params = new URLSearchParams(query);
  const state = params.get('state') ?? '';
  const flow = state ? await one(ctx.db, consumeOAuthFlow(sha256(state), who.sessionId, new Date())) : undefined;
  if (!flow || flow.user_id !== who.userId || flow.workspace_id !== who.workspaceId) {
    throw refused(undefined, 'this sign-in link is not valid any more (expired, used, or started in another session)');
  }
  const provider = flow.provider;
  if (params.get('error')) {
    throw refused(
      provider,
      params.get('error') === 'access_denied' ? 'access was not allowed' : 'the provider refused',
    );
  }
  const oidc = await oidcConfiguration(ctx.config, provider, ctx.caches.oidc);
  let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  try {
    tokens = await client.authorizationCodeGrant(oidc, new URL(`${redirectUri(ctx.config)}?${query}`), {
      pkceCodeVerifier: ctx.secrets.open(flow.code_verifier_enc),
      expectedState: state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    const code = err instanceof client.ResponseBodyError ? err.error : (err as { code?: string }).code;
    ctx.log.warn({ provider, code, userId: who.userId }, 'mailbox.oauth.connect_refused');
    throw refused(
      provider,
      code === 'invalid_grant' ? 'the sign-in code was refused' : 'the answer could not be verified',
    );
  }
  const claims = tokens.claims()!;
  const email = String(claims.email ?? (provider === 'microsoft' ? (claims.preferred_username ?? '') : '')).trim();
  if (!/^[^@\s]+@[^@\s]+$/.test(email) || (provider === 'google' && claims.email_verified === false)) {
    throw refused(provider, 'the account has no verified email address');
  }
  if (!tokens.refresh_token) {
    throw refused(provider, 'no refresh token was issued (remove Prospector from the account\u2019s connected apps)');
  }
  const saved = await saveConnection(ctx, {
    workspaceId: flow.workspace_id,
    userId: flow.user_id,
    provider,
    transport: flow.transport,
    subject: claims.sub,
    email,
    name: typeof claims.name === 'string' ? claims.name : '',
    scope: tokens.scope ?? SCOPES[provider][flow.transport].join(' '),
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresInSeconds: tokens.expiresIn() ?? 3600,
  });
  ctx.log.info({ provider, mailboxId: saved.mailboxId, created: saved.created }, 'mailbox.oauth.connected');
  return { ...saved, provider, email };
}

/** Revokes the refresh token at the provider when it offers revocation (Google does; Microsoft has none). */
export async function revokeAtProvider(ctx: Ctx, provider: OAuthProvider, refreshToken: string): Promise<boolean> {
  const oidc = await oidcConfiguration(ctx.config, provider, ctx.caches.oidc);
  if (!oidc.serverMetadata().revocation_endpoint) return false;
  await client.tokenRevocation(oidc, refreshToken, { token_type_hint: 'refresh_token' });
  return true;
}
