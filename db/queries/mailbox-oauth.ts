// OAuth mailboxes (issue 13): the token row per mailbox (mailbox_oauth), connect flows in
// progress (oauth_flows), and the mailbox rows a connect creates or updates.
import type { Sql } from '../types.js';

export interface MailboxOAuthRow {
  mailbox_id: number;
  provider: 'google' | 'microsoft';
  subject: string;
  scope: string;
  refresh_token_enc: string | null;
  access_token_enc: string | null;
  access_expires_at: Date | null;
  refreshed_at: Date | null;
  consent_error: string | null;
  consent_error_at: Date | null;
}

const TOKEN_COLUMNS = `mailbox_id::int AS mailbox_id, provider, subject, scope, refresh_token_enc, access_token_enc,
  access_expires_at, refreshed_at, consent_error, consent_error_at`;

export const findMailboxOAuth = (mailboxId: number): Sql<MailboxOAuthRow> => ({
  text: `SELECT ${TOKEN_COLUMNS} FROM mailbox_oauth WHERE mailbox_id = $1`,
  values: [mailboxId],
});

/** The token row, locked: whoever holds it is the one process refreshing this mailbox's token. */
export const lockMailboxOAuth = (mailboxId: number): Sql<MailboxOAuthRow> => ({
  text: `SELECT ${TOKEN_COLUMNS} FROM mailbox_oauth WHERE mailbox_id = $1 FOR UPDATE`,
  values: [mailboxId],
});

export const saveRefreshedToken = (t: {
  mailboxId: number;
  accessTokenEnc: string;
  expiresAt: Date;
  /** Set when the provider rotated the refresh token (Microsoft does); null keeps the saved one. */
  refreshTokenEnc: string | null;
  scope: string | null;
}): Sql => ({
  text: `UPDATE mailbox_oauth SET access_token_enc = $2, access_expires_at = $3, refreshed_at = now(),
           refresh_token_enc = COALESCE($4, refresh_token_enc), scope = COALESCE($5, scope)
         WHERE mailbox_id = $1`,
  values: [t.mailboxId, t.accessTokenEnc, t.expiresAt, t.refreshTokenEnc, t.scope],
});

/** The provider refused the saved sign-in: the reason in words, the access token dropped. */
export const recordConsentError = (mailboxId: number, reason: string): Sql => ({
  text: `UPDATE mailbox_oauth SET consent_error = $2, consent_error_at = now(), access_token_enc = NULL,
           access_expires_at = NULL
         WHERE mailbox_id = $1`,
  values: [mailboxId, reason],
});

/** Pauses for consent (a pause for another reason is kept as it is). */
export const pauseForConsent = (mailboxId: number, reason: string): Sql => ({
  text: `UPDATE mailboxes SET paused_at = now(), pause_reason = $2 WHERE id = $1 AND paused_at IS NULL`,
  values: [mailboxId, reason],
});

/** Disconnected: paused with that reason whatever paused it before (reconnecting lifts it). */
export const pauseDisconnected = (mailboxId: number, reason: string): Sql => ({
  text: `UPDATE mailboxes SET paused_at = now(), pause_reason = $2 WHERE id = $1`,
  values: [mailboxId, reason],
});

/** The mailbox a provider account already has in this workspace (reconnecting updates it). */
export const findMailboxBySubject = (
  workspaceId: number,
  provider: string,
  subject: string,
): Sql<{ id: number; consent_error: string | null }> => ({
  text: `SELECT m.id::int AS id, m.user_id::int AS user_id, o.consent_error FROM mailbox_oauth o
           JOIN mailboxes m ON m.id = o.mailbox_id
          WHERE m.workspace_id = $1 AND o.provider = $2 AND o.subject = $3
          ORDER BY m.id LIMIT 1`,
  values: [workspaceId, provider, subject],
});

export const insertOAuthMailbox = (m: {
  workspaceId: number;
  userId: number;
  provider: string;
  transport: string;
  fromName: string;
  fromEmail: string;
}): Sql<{ id: number }> => ({
  text: `INSERT INTO mailboxes (workspace_id, user_id, kind, oauth_transport, from_name, from_email)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::int AS id`,
  values: [m.workspaceId, m.userId, m.provider, m.transport, m.fromName, m.fromEmail],
});

/** Reconnect: the provider's address and name, the chosen transport; the owner stays. */
export const updateOAuthMailbox = (m: { id: number; transport: string; fromName: string; fromEmail: string }): Sql => ({
  text: `UPDATE mailboxes SET oauth_transport = $2, from_name = $3, from_email = $4 WHERE id = $1`,
  values: [m.id, m.transport, m.fromName, m.fromEmail],
});

/** Lifts a pause that was for consent (its reason is the recorded consent error), no other. */
export const resumeAfterConsent = (mailboxId: number, consentError: string): Sql => ({
  text: `UPDATE mailboxes SET paused_at = NULL, pause_reason = NULL WHERE id = $1 AND pause_reason = $2`,
  values: [mailboxId, consentError],
});

export const upsertMailboxOAuth = (t: {
  mailboxId: number;
  provider: string;
  subject: string;
  scope: string;
  refreshTokenEnc: string;
  accessTokenEnc: string;
  expiresAt: Date;
  connectedBy: number;
}): Sql => ({
  text: `INSERT INTO mailbox_oauth (mailbox_id, provider, subject, scope, refresh_token_enc, access_token_enc,
           access_expires_at, refreshed_at, connected_by, connected_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, now())
         ON CONFLICT (mailbox_id) DO UPDATE SET provider = EXCLUDED.provider, subject = EXCLUDED.subject,
           scope = EXCLUDED.scope, refresh_token_enc = EXCLUDED.refresh_token_enc,
           access_token_enc = EXCLUDED.access_token_enc, access_expires_at = EXCLUDED.access_expires_at,
           refreshed_at = now(), consent_error = NULL, consent_error_at = NULL,
           connected_by = EXCLUDED.connected_by, connected_at = now()`,
  values: [
    t.mailboxId,
    t.provider,
    t.subject,
    t.scope,
    t.refreshTokenEnc,
    t.accessTokenEnc,
    t.expiresAt,
    t.connectedBy,
  ],
});

/** Disconnect: the tokens go; the row stays so the mailbox still says which account it was. */
export const clearMailboxTokens = (mailboxId: number, reason: string): Sql => ({
  text: `UPDATE mailbox_oauth SET refresh_token_enc = NULL, access_token_enc = NULL, access_expires_at = NULL,
           consent_error = $2, consent_error_at = now()
         WHERE mailbox_id = $1`,
  values: [mailboxId, reason],
});

export interface OAuthMailboxRow {
  id: number;
  user_id: number | null;
  owner_email: string | null;
  from_name: string;
  from_email: string;
  provider: 'google' | 'microsoft';
  oauth_transport: 'smtp' | 'api';
  paused_at: Date | null;
  pause_reason: string | null;
  consent_error: string | null;
  consent_error_at: Date | null;
  connected: boolean;
  connected_at: Date;
}

/** OAuth mailboxes of a workspace; `userId` narrows to one rep's own. */
export const listOAuthMailboxes = (workspaceId: number, userId: number | null): Sql<OAuthMailboxRow> => ({
  text: `SELECT m.id::int AS id, m.user_id::int AS user_id, u.email AS owner_email, m.from_name, m.from_email,
                o.provider, m.oauth_transport, m.paused_at, m.pause_reason, o.consent_error, o.consent_error_at,
                o.refresh_token_enc IS NOT NULL AS connected, o.connected_at
           FROM mailboxes m JOIN mailbox_oauth o ON o.mailbox_id = m.id LEFT JOIN users u ON u.id = m.user_id
          WHERE m.workspace_id = $1 AND m.archived_at IS NULL AND ($2::bigint IS NULL OR m.user_id = $2)
          ORDER BY m.id`,
  values: [workspaceId, userId],
});

/** Every connected OAuth mailbox (doctor checks each can get a token). */
/** A mailbox with a stored OAuth refresh token (doctor's checks). */
interface ConnectedOAuthMailboxRow {
  id: number;
  workspace_id: number;
  from_email: string;
  provider: MailboxOAuthRow['provider'];
  consent_error: string | null;
}

export const listConnectedOAuthMailboxes = (): Sql<ConnectedOAuthMailboxRow> => ({
  text: `SELECT m.id::int AS id, m.workspace_id::int AS workspace_id, m.from_email, o.provider, o.consent_error
           FROM mailboxes m JOIN mailbox_oauth o ON o.mailbox_id = m.id
          WHERE o.refresh_token_enc IS NOT NULL ORDER BY m.id`,
  values: [],
});

// Connect flows in progress.

export const insertOAuthFlow = (f: {
  stateHash: string;
  sessionId: string;
  workspaceId: number;
  userId: number;
  provider: string;
  transport: string;
  codeVerifierEnc: string;
  nonce: string;
  expiresAt: Date;
}): Sql => ({
  text: `INSERT INTO oauth_flows (state_hash, session_id, workspace_id, user_id, provider, transport,
           code_verifier_enc, nonce, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
  values: [
    f.stateHash,
    f.sessionId,
    f.workspaceId,
    f.userId,
    f.provider,
    f.transport,
    f.codeVerifierEnc,
    f.nonce,
    f.expiresAt,
  ],
});

interface OAuthFlowRow {
  id: number;
  workspace_id: number;
  user_id: number;
  provider: 'google' | 'microsoft';
  transport: 'smtp' | 'api';
  code_verifier_enc: string;
  nonce: string;
}

/**
 * Uses the flow once: only for the session that started it, before it expires. A second callback
 * with the same state (a replay, a double click) finds nothing.
 */
export const consumeOAuthFlow = (stateHash: string, sessionId: string, now: Date): Sql<OAuthFlowRow> => ({
  text: `UPDATE oauth_flows SET consumed_at = $3
          WHERE state_hash = $1 AND session_id = $2 AND consumed_at IS NULL AND expires_at > $3 AND purpose = 'mailbox'
          RETURNING id::int AS id, workspace_id::int AS workspace_id, user_id::int AS user_id, provider, transport,
                    code_verifier_enc, nonce`,
  values: [stateHash, sessionId, now],
});

export const deleteOldOAuthFlows = (now: Date): Sql => ({
  text: `DELETE FROM oauth_flows WHERE expires_at < $1::timestamptz - interval '1 day'`,
  values: [now],
});

/** The scopes a connected mailbox was granted (doctor checks the send permission is among them). */
export const oauthScope = (mailboxId: number): Sql<{ scope: string }> => ({
  text: `SELECT scope FROM mailbox_oauth WHERE mailbox_id = $1`,
  values: [mailboxId],
});
