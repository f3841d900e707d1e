// The CRM connection, the CRM ids behind our accounts/contacts, and the CRM's deals (issue 14).
// Runs, failures and the activity outbox are in crm-runs.ts.
import type { Sql } from '../types.js';
import type { AccountRow } from './accounts.js';
import type { ContactRow } from './contacts.js';

export interface CrmConnectionRow {
  id: number;
  workspace_id: number;
  kind: 'hubspot' | 'salesforce';
  auth: 'oauth' | 'private_app';
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_expires_at: Date | null;
  instance_url: string | null;
  external_account: string | null;
  status: 'connected' | 'revoked' | 'error' | 'disconnected';
  status_reason: string | null;
  status_at: Date;
  cursors: Record<string, { since?: string; after?: string; lastId?: number }>;
  mapping: Record<string, unknown>;
  target_filter: Record<string, unknown>;
  rules: Record<string, unknown>;
  create_contacts: boolean;
  connected_at: Date;
}

const CONN_COLS = `id::int AS id, workspace_id::int AS workspace_id, kind, auth, access_token_enc, refresh_token_enc,
  access_expires_at, instance_url, external_account, status, status_reason, status_at, cursors, mapping,
  target_filter, rules, create_contacts, connected_at`;

export const findCrmConnection = (workspaceId: number): Sql<CrmConnectionRow> => ({
  text: `SELECT ${CONN_COLS} FROM crm_connections WHERE workspace_id = $1`,
  values: [workspaceId],
});

export const lockCrmConnection = (workspaceId: number): Sql<CrmConnectionRow> => ({
  text: `SELECT ${CONN_COLS} FROM crm_connections WHERE workspace_id = $1 FOR UPDATE`,
  values: [workspaceId],
});

export const listConnectedCrms = (): Sql<CrmConnectionRow> => ({
  text: `SELECT ${CONN_COLS} FROM crm_connections WHERE status = 'connected' ORDER BY id`,
  values: [],
});

/**
 * Connect or reconnect: new tokens and status 'connected'. Cursors, mapping, filter and rules are
 * kept on a reconnect of the same kind, so a revoked connection resumes where it stopped.
 */
export const saveCrmConnection = (c: {
  workspaceId: number;
  kind: string;
  auth: string;
  accessTokenEnc: string;
  refreshTokenEnc: string | null;
  accessExpiresAt: Date | null;
  instanceUrl: string | null;
  externalAccount: string | null;
  userId: number | null;
}): Sql => ({
  text: `INSERT INTO crm_connections (workspace_id, kind, auth, access_token_enc, refresh_token_enc, access_expires_at,
           instance_url, external_account, connected_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (workspace_id) DO UPDATE SET
           auth = EXCLUDED.auth, access_token_enc = EXCLUDED.access_token_enc, refresh_token_enc = EXCLUDED.refresh_token_enc,
           access_expires_at = EXCLUDED.access_expires_at, instance_url = EXCLUDED.instance_url,
           external_account = EXCLUDED.external_account, connected_by = EXCLUDED.connected_by, connected_at = now(),
           status = 'connected', status_reason = NULL, status_at = now(), updated_at = now(),
           cursors = CASE WHEN crm_connections.kind = EXCLUDED.kind THEN crm_connections.cursors ELSE '{}'::jsonb END,
           mapping = CASE WHEN crm_connections.kind = EXCLUDED.kind THEN crm_connections.mapping ELSE '{}'::jsonb END,
           target_filter = CASE WHEN crm_connections.kind = EXCLUDED.kind THEN crm_connections.target_filter
                                ELSE '{"type": "all"}'::jsonb END,
           kind = EXCLUDED.kind
         RETURNING id::int AS id`,
  values: [
    c.workspaceId,
    c.kind,
    c.auth,
    c.accessTokenEnc,
    c.refreshTokenEnc,
    c.accessExpiresAt,
    c.instanceUrl,
    c.externalAccount,
    c.userId,
  ],
});

export const saveCrmTokens = (t: {
  workspaceId: number;
  accessTokenEnc: string;
  refreshTokenEnc: string | null;
  accessExpiresAt: Date | null;
  instanceUrl: string | null;
}): Sql => ({
  text: `UPDATE crm_connections SET access_token_enc = $2, refresh_token_enc = coalesce($3, refresh_token_enc),
                access_expires_at = $4, instance_url = coalesce($5, instance_url), updated_at = now()
          WHERE workspace_id = $1`,
  values: [t.workspaceId, t.accessTokenEnc, t.refreshTokenEnc, t.accessExpiresAt, t.instanceUrl],
});

/** Stops the sync with a reason in words (revoked, error); the tokens stay until a reconnect replaces them. */
export const setCrmStatus = (workspaceId: number, status: string, reason: string | null): Sql => ({
  text: `UPDATE crm_connections SET status = $2, status_reason = $3, status_at = now(), updated_at = now()
          WHERE workspace_id = $1`,
  values: [workspaceId, status, reason],
});

export const disconnectCrm = (workspaceId: number, reason: string): Sql => ({
  text: `UPDATE crm_connections SET status = 'disconnected', status_reason = $2, status_at = now(),
                access_token_enc = NULL, refresh_token_enc = NULL, updated_at = now()
          WHERE workspace_id = $1`,
  values: [workspaceId, reason],
});

export const saveCrmCursor = (workspaceId: number, key: string, cursor: Record<string, unknown> | null): Sql => ({
  text: `UPDATE crm_connections
            SET cursors = CASE WHEN $3::jsonb IS NULL THEN cursors - $2 ELSE jsonb_set(cursors, ARRAY[$2], $3::jsonb) END,
                updated_at = now()
          WHERE workspace_id = $1`,
  values: [workspaceId, key, cursor === null ? null : JSON.stringify(cursor)],
});

export const saveCrmSettings = (s: {
  workspaceId: number;
  mapping: unknown;
  targetFilter: unknown;
  rules: unknown;
  createContacts: boolean;
}): Sql => ({
  text: `UPDATE crm_connections SET mapping = $2::jsonb, target_filter = $3::jsonb, rules = $4::jsonb, create_contacts = $5,
                updated_at = now()
          WHERE workspace_id = $1`,
  values: [
    s.workspaceId,
    JSON.stringify(s.mapping),
    JSON.stringify(s.targetFilter),
    JSON.stringify(s.rules),
    s.createContacts,
  ],
});

// CRM sign-in flows in progress: oauth_flows rows with purpose 'crm' (migration 0032); the mailbox
// connect's rows (db/queries/mailbox-oauth.ts) are never consumed here, nor these there.

export const insertCrmOAuthFlow = (f: {
  stateHash: string;
  sessionId: string;
  workspaceId: number;
  userId: number;
  kind: 'hubspot' | 'salesforce';
  codeVerifierEnc: string;
  /** Salesforce's login host; null for HubSpot. */
  loginHost: 'production' | 'sandbox' | null;
  expiresAt: Date;
}): Sql => ({
  text: `INSERT INTO oauth_flows (state_hash, session_id, workspace_id, user_id, provider, purpose, code_verifier_enc,
           login_host, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'crm', $6, $7, $8)`,
  values: [f.stateHash, f.sessionId, f.workspaceId, f.userId, f.kind, f.codeVerifierEnc, f.loginHost, f.expiresAt],
});

interface CrmOAuthFlowRow {
  id: number;
  workspace_id: number;
  user_id: number;
  provider: 'hubspot' | 'salesforce';
  code_verifier_enc: string;
  login_host: 'production' | 'sandbox' | null;
}

/** Uses a CRM flow once, for the session that started it, before it expires. */
export const consumeCrmOAuthFlow = (stateHash: string, sessionId: string, now: Date): Sql<CrmOAuthFlowRow> => ({
  text: `UPDATE oauth_flows SET consumed_at = $3
          WHERE state_hash = $1 AND session_id = $2 AND consumed_at IS NULL AND expires_at > $3 AND purpose = 'crm'
          RETURNING id::int AS id, workspace_id::int AS workspace_id, user_id::int AS user_id, provider,
                    code_verifier_enc, login_host`,
  values: [stateHash, sessionId, now],
});

// External ids.

interface ExternalIdRow {
  external_id: string;
  local_id: number | null;
  merged_into: string | null;
  deleted_at: Date | null;
  is_customer: boolean;
}

export const findExternalIds = (
  workspaceId: number,
  kind: string,
  object: string,
  externalIds: string[],
): Sql<ExternalIdRow> => ({
  text: `SELECT external_id, local_id::int AS local_id, merged_into, deleted_at, is_customer
           FROM crm_external_ids WHERE workspace_id = $1 AND kind = $2 AND object = $3 AND external_id = ANY($4::text[])`,
  values: [workspaceId, kind, object, externalIds],
});

/** One page of records at once: arrays of equal length. */
export const upsertExternalIds = (r: {
  workspaceId: number;
  kind: string;
  object: string;
  externalIds: string[];
  localIds: (number | null)[];
  mergedInto: (string | null)[];
  deleted: boolean[];
  isCustomer: boolean[];
  lifecycle: (string | null)[];
  modifiedAt: Date[];
}): Sql => ({
  text: `INSERT INTO crm_external_ids (workspace_id, kind, object, external_id, local_id, merged_into, deleted_at,
           is_customer, lifecycle, crm_modified_at)
         SELECT $1, $2, $3, e, l, m, CASE WHEN d THEN now() END, c, lc, t
           FROM unnest($4::text[], $5::bigint[], $6::text[], $7::boolean[], $8::boolean[], $9::text[], $10::timestamptz[])
                AS u(e, l, m, d, c, lc, t)
         ON CONFLICT (workspace_id, kind, object, external_id) DO UPDATE SET
           local_id = coalesce(EXCLUDED.local_id, crm_external_ids.local_id),
           merged_into = coalesce(EXCLUDED.merged_into, crm_external_ids.merged_into),
           deleted_at = CASE WHEN EXCLUDED.deleted_at IS NULL THEN NULL
                             ELSE coalesce(crm_external_ids.deleted_at, EXCLUDED.deleted_at) END,
           is_customer = EXCLUDED.is_customer, lifecycle = EXCLUDED.lifecycle,
           crm_modified_at = EXCLUDED.crm_modified_at, synced_at = now()`,
  values: [
    r.workspaceId,
    r.kind,
    r.object,
    r.externalIds,
    r.localIds,
    r.mergedInto,
    r.deleted,
    r.isCustomer,
    r.lifecycle,
    r.modifiedAt.map((d) => d.toISOString()),
  ],
});

/** A record deleted or merged away that we may never have listed: keeps its history linked. */
export const markExternalRemoved = (
  workspaceId: number,
  kind: string,
  object: string,
  externalId: string,
  mergedInto: string | null,
): Sql => ({
  text: `UPDATE crm_external_ids
            SET merged_into = coalesce($5, merged_into),
                deleted_at = CASE WHEN $5::text IS NULL THEN coalesce(deleted_at, now()) ELSE deleted_at END,
                synced_at = now()
          WHERE workspace_id = $1 AND kind = $2 AND object = $3 AND external_id = $4`,
  values: [workspaceId, kind, object, externalId, mergedInto],
});

// Deals.

export const upsertDeals = (r: {
  workspaceId: number;
  kind: string;
  externalIds: string[];
  companyIds: (string | null)[];
  names: string[];
  stages: string[];
  types: (string | null)[];
  closed: boolean[];
  deleted: boolean[];
  modifiedAt: Date[];
}): Sql => ({
  text: `INSERT INTO crm_deals (workspace_id, kind, external_id, company_external_id, name, stage, deal_type, is_closed,
           deleted_at, crm_modified_at)
         SELECT $1, $2, e, c, n, s, t, cl, CASE WHEN d THEN now() END, m
           FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::boolean[],
                       $10::timestamptz[]) AS u(e, c, n, s, t, cl, d, m)
         ON CONFLICT (workspace_id, kind, external_id) DO UPDATE SET
           company_external_id = EXCLUDED.company_external_id, name = EXCLUDED.name, stage = EXCLUDED.stage,
           deal_type = EXCLUDED.deal_type, is_closed = EXCLUDED.is_closed, deleted_at = EXCLUDED.deleted_at,
           crm_modified_at = EXCLUDED.crm_modified_at, synced_at = now()`,
  values: [
    r.workspaceId,
    r.kind,
    r.externalIds,
    r.companyIds,
    r.names,
    r.stages,
    r.types,
    r.closed,
    r.deleted,
    r.modifiedAt.map((d) => d.toISOString()),
  ],
});

/** Local ids of accounts/contacts behind a page of CRM records (contacts' companies), one query. */
export const localIdsForExternal = (
  workspaceId: number,
  kind: string,
  object: string,
  externalIds: string[],
): Sql<{ external_id: string; local_id: number | null }> => ({
  text: `SELECT x.external_id, coalesce(s.local_id, x.local_id)::int AS local_id
           FROM crm_external_ids x
           LEFT JOIN crm_external_ids s ON s.workspace_id = x.workspace_id AND s.kind = x.kind AND s.object = x.object
                                       AND s.external_id = x.merged_into
          WHERE x.workspace_id = $1 AND x.kind = $2 AND x.object = $3 AND x.external_id = ANY($4::text[])`,
  values: [workspaceId, kind, object, externalIds],
});

// Reads for one page of records at once (the writes go through accounts.ts / contacts.ts).

export const workspaceUsersByEmail = (workspaceId: number, emails: string[]): Sql<{ id: number; email: string }> => ({
  text: `SELECT id::int AS id, lower(email) AS email FROM users
          WHERE workspace_id = $1 AND lower(email) = ANY($2::text[]) AND disabled_at IS NULL`,
  values: [workspaceId, emails.map((e) => e.toLowerCase())],
});

export const accountsForCrmPage = (workspaceId: number, ids: number[], domains: string[]): Sql<AccountRow> => ({
  text: `SELECT * FROM accounts WHERE workspace_id = $1 AND (id = ANY($2::bigint[]) OR lower(domain) = ANY($3::text[]))`,
  values: [workspaceId, ids, domains.map((d) => d.toLowerCase())],
});

export const contactsForCrmPage = (workspaceId: number, ids: number[], emails: string[]): Sql<ContactRow> => ({
  text: `SELECT * FROM contacts WHERE workspace_id = $1 AND (id = ANY($2::bigint[]) OR lower(email) = ANY($3::text[]))`,
  values: [workspaceId, ids, emails.map((e) => e.toLowerCase())],
});
