import type { Sql } from '../types.js';
import type { ContactRow } from './contacts.js';

export type SignalKind = 'funding' | 'job_change' | 'news' | 'hiring' | 'acquisition' | 'manual' | 'inbound';

/** A row of signals: the one definition (screens that add columns extend it). */
export interface SignalRow {
  id: number;
  workspace_id: number;
  account_id: number | null;
  contact_id: number | null;
  type: SignalKind;
  subtype: string | null;
  title: string;
  summary: string;
  url: string | null;
  facts: Record<string, unknown>;
  fingerprint: string;
  dedup_key: string | null;
  status: string;
  match: Record<string, unknown>;
  error: string | null;
  occurred_at: Date | null;
  detected_at: Date;
  updated_at: Date;
  /** The play that chose (or, for manual enrollment, was picked for) this signal's contacts. */
  play_id: number | null;
  /** Manual enrollment: the contacts a rep picked. */
  target_contact_ids: number[];
}

interface SignalInput {
  accountId: number | null;
  contactId: number | null;
  type: string;
  subtype: string | null;
  title: string;
  summary: string;
  url: string | null;
  facts: Record<string, unknown>;
  fingerprint: string;
  dedupKey: string;
  status: string;
  match: Record<string, unknown>;
  occurredAt: Date;
}

/** Serialises work on one dedup key inside a transaction (two sources reporting at once). */
export const lockDedupKey = (workspaceId: number, key: string): Sql => ({
  text: `SELECT pg_advisory_xact_lock(hashtext($1))`,
  values: [`signal:${workspaceId}:${key}`],
});

export const findDuplicate = (
  workspaceId: number,
  dedupKey: string,
  occurredAt: Date,
  windowDays: number,
): Sql<SignalRow> => ({
  text: `SELECT * FROM signals WHERE workspace_id = $1 AND dedup_key = $2
            AND occurred_at BETWEEN $3::timestamptz - make_interval(days => $4) AND $3::timestamptz + make_interval(days => $4)
          ORDER BY occurred_at LIMIT 1`,
  values: [workspaceId, dedupKey, occurredAt, windowDays],
});

/** Inserts unless the fingerprint exists; no row back means it did. */
export const insertSignal = (workspaceId: number, s: SignalInput, now: Date): Sql<SignalRow> => ({
  text: `INSERT INTO signals (workspace_id, account_id, contact_id, type, subtype, title, summary, url, facts, fingerprint,
                             dedup_key, status, match, occurred_at, detected_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
         ON CONFLICT (workspace_id, fingerprint) DO NOTHING RETURNING *`,
  values: [
    workspaceId,
    s.accountId,
    s.contactId,
    s.type,
    s.subtype,
    s.title,
    s.summary,
    s.url,
    JSON.stringify(s.facts),
    s.fingerprint,
    s.dedupKey,
    s.status,
    JSON.stringify(s.match),
    s.occurredAt,
    now,
  ],
});

export const findSignalByFingerprint = (workspaceId: number, fingerprint: string): Sql<SignalRow> => ({
  text: `SELECT * FROM signals WHERE workspace_id = $1 AND fingerprint = $2`,
  values: [workspaceId, fingerprint],
});

export const insertObservation = (o: {
  signalId: number;
  sourceId: number | null;
  url: string;
  title: string;
  raw: Record<string, unknown>;
  at: Date;
}): Sql<{ id: number }> => ({
  text: `INSERT INTO signal_observations (signal_id, source_id, url, title, raw, observed_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (signal_id, coalesce(source_id, 0), url) DO NOTHING RETURNING id`,
  values: [o.signalId, o.sourceId, o.url, o.title, JSON.stringify(o.raw), o.at],
});

/** Adds roles to a hiring signal's list when another matching role is reported. */
export const appendRole = (signalId: number, role: string): Sql<{ id: number }> => ({
  text: `UPDATE signals
            SET facts = jsonb_set(facts, '{roles}', coalesce(facts->'roles', '[]'::jsonb) || to_jsonb($2::text)),
                updated_at = now()
          WHERE id = $1 AND NOT coalesce(facts->'roles', '[]'::jsonb) @> to_jsonb($2::text) RETURNING id`,
  values: [signalId, role],
});

const ACTIVE_SEQUENCE = `('drafting', 'pending_review', 'snoozed', 'active', 'paused')`;
const STARTED_SIGNAL = `('new', 'researching', 'researched', 'drafting', 'drafted', 'needs_contact')`;

/** A signal that started work, or a sequence still running, on this account within the cooldown. */
export const accountInCooldown = (accountId: number, now: Date, cooldownDays: number): Sql<{ cooling: boolean }> => ({
  text: `SELECT EXISTS (SELECT 1 FROM signals WHERE account_id = $1 AND status IN ${STARTED_SIGNAL}
                          AND detected_at > $2::timestamptz - make_interval(days => $3))
             OR EXISTS (SELECT 1 FROM sequences WHERE account_id = $1 AND status IN ${ACTIVE_SEQUENCE}) AS cooling`,
  values: [accountId, now, cooldownDays],
});

export const findSignal = (workspaceId: number, id: number): Sql<SignalRow & { account_name: string | null }> => ({
  text: `SELECT s.*, a.name AS account_name FROM signals s LEFT JOIN accounts a ON a.id = s.account_id
          WHERE s.workspace_id = $1 AND s.id = $2`,
  values: [workspaceId, id],
});

/** By id alone, for jobs and pages that reached the signal through a workspace-scoped row. */
export const findSignalInAnyWorkspace = (id: number): Sql<SignalRow> => ({
  text: `SELECT * FROM signals WHERE id = $1`,
  values: [id],
});

export const listSignals = (
  workspaceId: number,
  o: { status?: string; type?: string; accountId?: number; limit: number; offset: number },
): Sql<SignalRow & { account_name: string | null; sources: number; total: number }> => ({
  text: `SELECT s.*, a.name AS account_name, count(*) OVER ()::int AS total,
                (SELECT count(*) FROM signal_observations o WHERE o.signal_id = s.id)::int AS sources
           FROM signals s LEFT JOIN accounts a ON a.id = s.account_id
          WHERE s.workspace_id = $1 AND ($2::text IS NULL OR s.status = $2) AND ($3::text IS NULL OR s.type = $3)
            AND ($4::bigint IS NULL OR s.account_id = $4)
          ORDER BY s.detected_at DESC, s.id DESC LIMIT $5 OFFSET $6`,
  values: [workspaceId, o.status ?? null, o.type ?? null, o.accountId ?? null, o.limit, o.offset],
});

export const listObservations = (signalId: number): Sql => ({
  text: `SELECT o.*, src.name AS source_name, src.kind AS source_kind FROM signal_observations o
           LEFT JOIN signal_sources src ON src.id = o.source_id WHERE o.signal_id = $1 ORDER BY o.observed_at, o.id`,
  values: [signalId],
});

/** Accounts as matching needs them, for building the index once per batch. */
export interface MatchAccount {
  id: number;
  name: string;
  domain: string | null;
  aliases: string[];
}

export const matchableAccounts = (workspaceId: number): Sql<MatchAccount> => ({
  text: `SELECT id, name, domain, aliases FROM accounts WHERE workspace_id = $1`,
  values: [workspaceId],
});

/** The accounts carrying a tag (any case): those that use a competitor (signals/competitors.ts). */
export const accountsTagged = (workspaceId: number, tag: string): Sql<{ id: number; name: string }> => ({
  text: `SELECT id, name FROM accounts
          WHERE workspace_id = $1 AND EXISTS (SELECT 1 FROM unnest(tags) t WHERE lower(t) = lower($2))
          ORDER BY id`,
  values: [workspaceId, tag],
});

/** Changes to the index's inputs: rebuild when this differs. */
export const accountsVersion = (workspaceId: number): Sql<{ n: number; at: string; max_id: number }> => ({
  text: `SELECT count(*)::int AS n, coalesce(max(updated_at), 'epoch')::text AS at, coalesce(max(id), 0)::int AS max_id
           FROM accounts WHERE workspace_id = $1`,
  values: [workspaceId],
});

/** Contact changes (from re-imports) not yet turned into signals, with what detection needs. */
export interface PendingChange {
  id: number;
  contact_id: number;
  field: string;
  old_value: string | null;
  new_value: string | null;
  source: string;
  at: Date;
  workspace_id: number;
  account_id: number | null;
  first_name: string;
  last_name: string;
  title: string;
  is_champion: boolean;
  previous_company: string | null;
  account_name: string | null;
  account_domain: string | null;
}

export const pendingContactChanges = (limit = 500): Sql<PendingChange> => ({
  text: `SELECT ch.id, ch.contact_id, ch.field, ch.old_value, ch.new_value, ch.source, ch.at,
                c.workspace_id, c.account_id, c.first_name, c.last_name, c.title, c.is_champion, c.previous_company,
                a.name AS account_name, a.domain AS account_domain
           FROM contact_changes ch JOIN contacts c ON c.id = ch.contact_id LEFT JOIN accounts a ON a.id = c.account_id
          WHERE ch.processed_at IS NULL ORDER BY ch.id LIMIT $1`,
  values: [limit],
});

export const markContactChangesProcessed = (ids: number[]): Sql => ({
  text: `UPDATE contact_changes SET processed_at = now() WHERE id = ANY($1::bigint[]) AND processed_at IS NULL`,
  values: [ids],
});

export const findContactForJobChange = (
  workspaceId: number,
  email: string | null,
  linkedinUrl: string | null,
): Sql<{
  id: number;
  account_id: number | null;
  is_champion: boolean;
  account_name: string | null;
  title: string;
}> => ({
  text: `SELECT c.*, a.name AS account_name FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id
          WHERE c.workspace_id = $1 AND (($2::text IS NOT NULL AND lower(c.email) = lower($2))
                OR ($3::text IS NOT NULL AND lower(rtrim(c.linkedin_url, '/')) = lower(rtrim($3, '/'))))
          ORDER BY (lower(c.email) = lower(coalesce($2, ''))) DESC LIMIT 1`,
  values: [workspaceId, email, linkedinUrl],
});

export const moveContact = (
  contactId: number,
  accountId: number,
  title: string | null,
  previousCompany: string | null,
): Sql<ContactRow> => ({
  text: `UPDATE contacts SET account_id = $2, title = coalesce($3, title),
                           previous_company = coalesce($4, previous_company), updated_at = now()
          WHERE id = $1 RETURNING *`,
  values: [contactId, accountId, title, previousCompany],
});

/** A job change at the same employer (a promotion): the new title, kept in contact_changes by the caller. */
export const retitleContact = (contactId: number, title: string): Sql<ContactRow> => ({
  text: `UPDATE contacts SET title = $2, updated_at = now() WHERE id = $1 RETURNING *`,
  values: [contactId, title],
});

/** A person settles an unmatched or ambiguous signal: only from those states. */
export const settleSignalAccount = (
  workspaceId: number,
  signalId: number,
  accountId: number,
  status: string,
  by: number,
): Sql<SignalRow> => ({
  text: `UPDATE signals SET account_id = $3, status = $4, updated_at = now(),
                match = match || jsonb_build_object('status', 'matched', 'via', 'person', 'settledBy', $5::bigint)
          WHERE workspace_id = $1 AND id = $2 AND status IN ('unmatched', 'ambiguous') RETURNING *`,
  values: [workspaceId, signalId, accountId, status, by],
});

/** Companies in unmatched signals, most frequent first: candidates for "add as account?". */
export interface UnmatchedCompany {
  company: string;
  signals: number;
  last_seen: Date;
  signal_ids: number[];
}

export const unmatchedCompanyCounts = (workspaceId: number, limit = 100): Sql<UnmatchedCompany> => ({
  text: `SELECT coalesce(nullif(match->>'company', ''), title) AS company, count(*)::int AS signals,
                max(detected_at) AS last_seen, array_agg(id ORDER BY detected_at DESC) AS signal_ids
           FROM signals WHERE workspace_id = $1 AND status = 'unmatched'
          GROUP BY 1 ORDER BY 2 DESC, 3 DESC LIMIT $2`,
  values: [workspaceId, limit],
});

/** Whether this account already has a signal reported at this URL (by any source). */
export const seenForAccount = (accountId: number, url: string): Sql<{ seen: number }> => ({
  text: `SELECT 1 AS seen FROM signals s WHERE s.account_id = $1
            AND (s.url = $2 OR EXISTS (SELECT 1 FROM signal_observations o WHERE o.signal_id = s.id AND o.url = $2)) LIMIT 1`,
  values: [accountId, url],
});

/** Unmatched signals with what matching reads, newest first: re-matched when accounts change. */
interface Unmatched {
  id: number;
  title: string;
  summary: string;
  url: string | null;
  facts: Record<string, unknown>;
  match: Record<string, unknown>;
}

export const unmatchedForRematch = (workspaceId: number, limit: number): Sql<Unmatched> => ({
  text: `SELECT id, title, summary, url, facts, match FROM signals
          WHERE workspace_id = $1 AND status = 'unmatched' ORDER BY id DESC LIMIT $2`,
  values: [workspaceId, limit],
});

/** Workspaces holding unmatched signals. */
export const workspacesWithUnmatched = (): Sql<{ id: number }> => ({
  text: `SELECT DISTINCT workspace_id AS id FROM signals WHERE status = 'unmatched'`,
  values: [],
});

/** A re-match found the account (or several): only from 'unmatched', so a person's choice stands. */
export const rematchSignal = (
  workspaceId: number,
  signalId: number,
  accountId: number | null,
  status: string,
  match: Record<string, unknown>,
): Sql<SignalRow> => ({
  text: `UPDATE signals SET account_id = $3, status = $4, match = $5, updated_at = now()
          WHERE workspace_id = $1 AND id = $2 AND status = 'unmatched' RETURNING *`,
  values: [workspaceId, signalId, accountId, status, JSON.stringify(match)],
});
