// Access tokens for OAuth mailboxes. The saved one is used while it has more than a minute left;
// otherwise whichever process needs one refreshes it, holding the token row's lock (SELECT ...
// FOR UPDATE) so any number of workers asking at once refresh once and the rest read the result.
// The provider refusing the saved sign-in (invalid_grant, or a 401 with a fresh token) pauses the
// mailbox with the reason in words; 429, 5xx and network errors are temporary and pause nothing.
import * as client from 'openid-client';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import {
  findMailboxOAuth,
  lockMailboxOAuth,
  pauseForConsent,
  recordConsentError,
  saveRefreshedToken,
  type MailboxOAuthRow,
} from '../../db/queries/mailbox-oauth.js';
import { AppError } from '../../errors.js';
import { ConsentError, type AccessTokenSource, type OAuthProvider } from '../oauth-types.js';
import { consentReason, isRefusedGrant, oidcConfiguration } from './providers.js';

/** A token with less than this left is refreshed before use. */
const REFRESH_MARGIN_MS = 60_000;

type Ctx = Pick<AppContext, 'db' | 'config' | 'secrets' | 'log' | 'caches'>;

/**
 * The saved (sealed) access token when it is still good for a while; a pure decision on the row.
 * A forced refresh (the provider answered 401 to the saved token) never takes the saved one.
 */
export function usableToken(row: MailboxOAuthRow, now: Date, forceRefresh: boolean): string | undefined {
  if (forceRefresh || !row.access_token_enc || !row.access_expires_at) return undefined;
  if (new Date(row.access_expires_at).getTime() - now.getTime() <= REFRESH_MARGIN_MS) return undefined;
  return row.access_token_enc;
}

/** Pauses the mailbox and records why; returns the error the caller throws. */
async function consentBroken(ctx: Ctx, mailboxId: number, provider: OAuthProvider, reason: string) {
  await ctx.db.transaction(async (tx) => {
    await run(tx, recordConsentError(mailboxId, reason));
    await run(tx, pauseForConsent(mailboxId, reason));
  });
  ctx.log.warn({ mailboxId, provider }, 'mailbox.oauth.consent_lost');
  return new ConsentError(provider, reason);
}

/**
 * For the transports: the provider answered 401 (or XOAUTH2 was refused) with a token just
 * refreshed, so the grant is gone though the refresh still worked. Pauses the mailbox; throw what
 * this returns.
 */
export async function markConsentBroken(ctx: Ctx, mailboxId: number): Promise<ConsentError> {
  const row = await one(ctx.db, findMailboxOAuth(mailboxId));
  if (!row) throw new AppError('NOT_FOUND', `mailbox ${mailboxId} is not connected with OAuth`);
  return consentBroken(ctx, mailboxId, row.provider, consentReason(row.provider, 'unauthorized'));
}

type Refreshed =
  | { kind: 'token'; token: string }
  | { kind: 'refused'; provider: OAuthProvider; reason: string }
  | { kind: 'failed'; error: unknown };

async function refreshLocked(ctx: Ctx, mailboxId: number, forceRefresh: boolean): Promise<Refreshed> {
  return ctx.db.transaction(async (tx): Promise<Refreshed> => {
    const row = await one(tx, lockMailboxOAuth(mailboxId));
    if (!row) return { kind: 'failed', error: new AppError('NOT_FOUND', `mailbox ${mailboxId} has no OAuth tokens`) };
    if (row.consent_error || !row.refresh_token_enc) {
      const reason = row.consent_error ?? consentReason(row.provider, 'disconnected');
      return { kind: 'refused', provider: row.provider, reason };
    }
    const saved = usableToken(row, new Date(), forceRefresh);
    if (saved) return { kind: 'token', token: ctx.secrets.open(saved) };
    let res: client.TokenEndpointResponse;
    try {
      const oidc = await oidcConfiguration(ctx.config, row.provider, ctx.caches.oidc);
      res = await client.refreshTokenGrant(oidc, ctx.secrets.open(row.refresh_token_enc));
    } catch (error) {
      if (isRefusedGrant(error)) {
        const reason = consentReason(row.provider, 'refused');
        await run(tx, recordConsentError(mailboxId, reason));
        await run(tx, pauseForConsent(mailboxId, reason));
        return { kind: 'refused', provider: row.provider, reason };
      }
      return { kind: 'failed', error };
    }
    const expiresAt = new Date(Date.now() + (res.expires_in ?? 3600) * 1000);
    await run(
      tx,
      saveRefreshedToken({
        mailboxId,
        accessTokenEnc: ctx.secrets.seal(res.access_token),
        expiresAt,
        refreshTokenEnc: res.refresh_token ? ctx.secrets.seal(res.refresh_token) : null,
        scope: res.scope ?? null,
      }),
    );
    ctx.log.info({ mailboxId, provider: row.provider, expiresAt }, 'mailbox.oauth.refreshed');
    return { kind: 'token', token: res.access_token };
  });
}

/** Access tokens for one OAuth mailbox (see AccessTokenSource). */
export function oauthTokens(ctx: Ctx, mailboxId: number): AccessTokenSource {
  return {
    async get(opts = {}) {
      const force = opts.forceRefresh ?? false;
      // Most calls find a good token without taking the lock.
      const row = await one(ctx.db, findMailboxOAuth(mailboxId));
      if (!row) throw new AppError('NOT_FOUND', `mailbox ${mailboxId} is not connected with OAuth`);
      if (row.consent_error) throw new ConsentError(row.provider, row.consent_error);
      const saved = usableToken(row, new Date(), force);
      if (saved) return ctx.secrets.open(saved);

      const r = await refreshLocked(ctx, mailboxId, force);
      if (r.kind === 'token') return r.token;
      if (r.kind === 'refused') {
        ctx.log.warn({ mailboxId, provider: r.provider }, 'mailbox.oauth.consent_lost');
        throw new ConsentError(r.provider, r.reason);
      }
      if (r.error instanceof AppError) throw r.error;
      const status = r.error instanceof client.ResponseBodyError ? r.error.status : undefined;
      ctx.log.warn({ mailboxId, status, code: (r.error as { code?: string }).code }, 'mailbox.oauth.refresh_failed');
      throw new AppError('FETCH_FAILED', `token refresh failed for mailbox ${mailboxId}; will retry`, {
        cause: r.error,
      });
    },
  };
}
