// Saving and removing a connected mailbox. The address and name come from the provider's ID
// token; a provider account (its `sub`) already connected in the workspace updates its mailbox
// instead of making a second one, clears the consent error and lifts a pause that was for consent.
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import {
  clearMailboxTokens,
  findMailboxBySubject,
  findMailboxOAuth,
  insertOAuthMailbox,
  pauseDisconnected,
  resumeAfterConsent,
  updateOAuthMailbox,
  upsertMailboxOAuth,
} from '../../db/queries/mailbox-oauth.js';
import type { OAuthProvider, OAuthTransport } from '../oauth-types.js';
import { consentReason } from './providers.js';

type Ctx = Pick<AppContext, 'db' | 'secrets'>;

interface Connection {
  workspaceId: number;
  /** Who clicked Connect: the mailbox becomes theirs when it is new. */
  userId: number;
  provider: OAuthProvider;
  transport: OAuthTransport;
  subject: string;
  email: string;
  name: string;
  scope: string;
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

/** Creates or updates the mailbox for this provider account; returns its id and whether it is new. */
export async function saveConnection(ctx: Ctx, c: Connection): Promise<{ mailboxId: number; created: boolean }> {
  return ctx.db.transaction(async (tx) => {
    const found = await one(tx, findMailboxBySubject(c.workspaceId, c.provider, c.subject));
    const fromName = c.name || c.email;
    let mailboxId: number;
    if (found) {
      mailboxId = found.id;
      await run(tx, updateOAuthMailbox({ id: mailboxId, transport: c.transport, fromName, fromEmail: c.email }));
      if (found.consent_error) await run(tx, resumeAfterConsent(mailboxId, found.consent_error));
    } else {
      const m = await one(
        tx,
        insertOAuthMailbox({
          workspaceId: c.workspaceId,
          userId: c.userId,
          provider: c.provider,
          transport: c.transport,
          fromName,
          fromEmail: c.email,
        }),
      );
      mailboxId = m!.id;
    }
    await run(
      tx,
      upsertMailboxOAuth({
        mailboxId,
        provider: c.provider,
        subject: c.subject,
        scope: c.scope,
        refreshTokenEnc: ctx.secrets.seal(c.refreshToken),
        accessTokenEnc: ctx.secrets.seal(c.accessToken),
        expiresAt: new Date(Date.now() + c.expiresInSeconds * 1000),
        connectedBy: c.userId,
      }),
    );
    return { mailboxId, created: !found };
  });
}

/**
 * Removes the tokens here (the mailbox stays, paused, so its history and steps are kept) and
 * returns the refresh token so the caller can revoke it at the provider.
 */
export async function removeTokens(
  ctx: Ctx,
  mailboxId: number,
): Promise<{ provider: OAuthProvider; refreshToken: string | null } | undefined> {
  return ctx.db.transaction(async (tx) => {
    const row = await one(tx, findMailboxOAuth(mailboxId));
    if (!row) return undefined;
    const reason = consentReason(row.provider, 'disconnected');
    await run(tx, clearMailboxTokens(mailboxId, reason));
    await run(tx, pauseDisconnected(mailboxId, reason));
    return {
      provider: row.provider,
      refreshToken: row.refresh_token_enc ? ctx.secrets.open(row.refresh_token_enc) : null,
    };
  });
}
