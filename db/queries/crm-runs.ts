// CRM sync runs, failed records and the outbound activity queue (issue 14).
import type { Sql } from '../types.js';

export interface CrmRunRow {
  id: number;
  kind: string;
  direction: 'in' | 'out';
  mode: 'incremental' | 'full';
  dry_run: boolean;
  status: 'running' | 'done' | 'failed' | 'stopped';
  records_in: number;
  records_out: number;
  failed: number;
  summary: Record<string, unknown>;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

const RUN_COLS = `id::int AS id, kind, direction, mode, dry_run, status, records_in, records_out, failed, summary, error,
  started_at, finished_at`;

export const insertCrmRun = (r: {
  workspaceId: number;
  kind: string;
  direction: string;
  mode: string;
  dryRun: boolean;
}): Sql<CrmRunRow> => ({
  text: `INSERT INTO crm_sync_runs (workspace_id, kind, direction, mode, dry_run) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${RUN_COLS}`,
  values: [r.workspaceId, r.kind, r.direction, r.mode, r.dryRun],
});

export const finishCrmRun = (r: {
  id: number;
  status: string;
  recordsIn: number;
  recordsOut: number;
  failed: number;
  summary: unknown;
  error: string | null;
}): Sql<CrmRunRow> => ({
  text: `UPDATE crm_sync_runs SET status = $2, records_in = $3, records_out = $4, failed = $5, summary = $6::jsonb,
                error = $7, finished_at = now()
          WHERE id = $1 RETURNING ${RUN_COLS}`,
  values: [r.id, r.status, r.recordsIn, r.recordsOut, r.failed, JSON.stringify(r.summary), r.error],
});

/** The last run per direction (dry runs included, marked). */
export const lastCrmRuns = (workspaceId: number): Sql<CrmRunRow> => ({
  text: `SELECT DISTINCT ON (direction) ${RUN_COLS} FROM crm_sync_runs WHERE workspace_id = $1
          ORDER BY direction, started_at DESC, id DESC`,
  values: [workspaceId],
});

// Failures.

export interface CrmFailureRow {
  id: number;
  kind: string;
  direction: 'in' | 'out';
  object: string;
  record_key: string;
  label: string;
  error: string;
  attempts: number;
  status: 'open' | 'retrying' | 'resolved';
  last_at: Date;
}

export const recordCrmFailure = (f: {
  workspaceId: number;
  kind: string;
  direction: string;
  object: string;
  recordKey: string;
  label: string;
  error: string;
  runId: number | null;
}): Sql => ({
  text: `INSERT INTO crm_sync_failures (workspace_id, kind, direction, object, record_key, label, error, run_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (workspace_id, kind, direction, object, record_key) DO UPDATE SET
           label = EXCLUDED.label, error = EXCLUDED.error, run_id = EXCLUDED.run_id, status = 'open',
           attempts = crm_sync_failures.attempts + 1, last_at = now()`,
  values: [f.workspaceId, f.kind, f.direction, f.object, f.recordKey, f.label, f.error, f.runId],
});

export const resolveCrmFailures = (
  workspaceId: number,
  kind: string,
  direction: string,
  object: string,
  keys: string[],
): Sql => ({
  text: `UPDATE crm_sync_failures SET status = 'resolved', last_at = now()
          WHERE workspace_id = $1 AND kind = $2 AND direction = $3 AND object = $4 AND record_key = ANY($5::text[])
            AND status <> 'resolved'`,
  values: [workspaceId, kind, direction, object, keys],
});

export const openCrmFailures = (workspaceId: number, limit: number): Sql<CrmFailureRow> => ({
  text: `SELECT id::int AS id, kind, direction, object, record_key, label, error, attempts, status, last_at
           FROM crm_sync_failures WHERE workspace_id = $1 AND status <> 'resolved' ORDER BY last_at DESC, id DESC LIMIT $2`,
  values: [workspaceId, limit],
});

export const countOpenCrmFailures = (workspaceId: number): Sql<{ n: number }> => ({
  text: `SELECT count(*)::int AS n FROM crm_sync_failures WHERE workspace_id = $1 AND status <> 'resolved'`,
  values: [workspaceId],
});

/** The retry button: an inbound record is fetched again by the next run; an outbound write is due now. */
export const markCrmFailureRetrying = (
  workspaceId: number,
  id: number,
): Sql<Pick<CrmFailureRow, 'id' | 'kind' | 'direction' | 'object' | 'record_key'>> => ({
  text: `UPDATE crm_sync_failures SET status = 'retrying', last_at = now()
          WHERE workspace_id = $1 AND id = $2 AND status = 'open'
          RETURNING id::int AS id, kind, direction, object, record_key`,
  values: [workspaceId, id],
});

// Outbox.

export interface CrmOutboxRow {
  id: number;
  workspace_id: number;
  kind: string;
  idempotency_key: string;
  activity: 'email' | 'meeting' | 'status' | 'opt_out' | 'contact';
  contact_id: number | null;
  payload: Record<string, unknown>;
  status: string;
  attempts: number;
  external_id: string | null;
}

const OUTBOX_COLS = `id::int AS id, workspace_id::int AS workspace_id, kind, idempotency_key, activity,
  contact_id::int AS contact_id, payload, status, attempts, external_id`;

/** Enqueues once per key: a second insert of the same message/event is a no-op. */
export const enqueueCrmWrite = (w: {
  workspaceId: number;
  kind: string;
  key: string;
  activity: string;
  contactId: number | null;
  payload: unknown;
}): Sql<{ id: number }> => ({
  text: `INSERT INTO crm_outbox (workspace_id, kind, idempotency_key, activity, contact_id, payload)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb)
         ON CONFLICT (workspace_id, kind, idempotency_key) DO NOTHING
         RETURNING id::int AS id`,
  values: [w.workspaceId, w.kind, w.key, w.activity, w.contactId, JSON.stringify(w.payload)],
});

/**
 * Due writes, oldest first, leased until `leaseUntil` (a worker that dies mid-call leaves them to be
 * taken again after the lease), so two workers never send the same one at once. Each claim counts an
 * attempt: a row claimed with attempts > 1 was tried before, and its CRM write may have been committed
 * with the answer lost (crm/outbound.ts looks it up before writing again).
 */
export const claimDueCrmWrites = (
  workspaceId: number,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Sql<CrmOutboxRow> => ({
  text: `UPDATE crm_outbox SET next_attempt_at = $3, attempts = attempts + 1
          WHERE id IN (SELECT id FROM crm_outbox
                        WHERE workspace_id = $1 AND status = 'pending' AND next_attempt_at <= $2
                        ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
          RETURNING ${OUTBOX_COLS}`,
  values: [workspaceId, now, leaseUntil, limit],
});

export const crmWriteDone = (id: number, externalId: string | null): Sql => ({
  text: `UPDATE crm_outbox SET status = 'done', external_id = $2, last_error = NULL, done_at = now()
          WHERE id = $1 AND status = 'pending'`,
  values: [id, externalId],
});

export const crmWriteLater = (id: number, error: string, nextAt: Date): Sql => ({
  text: `UPDATE crm_outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1 AND status = 'pending'`,
  values: [id, error, nextAt],
});

export const crmWriteFailed = (id: number, status: 'failed' | 'skipped', error: string): Sql => ({
  text: `UPDATE crm_outbox SET status = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`,
  values: [id, status, error],
});

export const retryCrmWrite = (workspaceId: number, key: string): Sql => ({
  text: `UPDATE crm_outbox SET status = 'pending', next_attempt_at = now()
          WHERE workspace_id = $1 AND idempotency_key = $2 AND status IN ('failed', 'pending')`,
  values: [workspaceId, key],
});

export const crmOutboxCounts = (workspaceId: number): Sql<{ status: string; n: number }> => ({
  text: `SELECT status, count(*)::int AS n FROM crm_outbox WHERE workspace_id = $1 GROUP BY status`,
  values: [workspaceId],
});

export interface OutboundEventRow {
  id: number;
  type: 'sent' | 'reply' | 'meeting_booked' | 'unsubscribe' | 'bounce';
  contact_id: number;
  occurred_at: Date;
  data: Record<string, unknown>;
  message_id: number | null;
  subject: string | null;
  body: string | null;
  from_addr: string | null;
  to_addr: string | null;
  rfc_message_id: string | null;
  thread: string | null;
  email: string;
  contact_external_id: string | null;
  company_external_id: string | null;
}

/** Events to log in the CRM after `afterId` (or, the first time, since the connection was made). */
export const outboundEvents = (
  workspaceId: number,
  kind: string,
  afterId: number | null,
  since: Date,
  limit: number,
  /** One contact's events only (a contact just created in the CRM, crm/create-contacts.ts). */
  contactId: number | null = null,
): Sql<OutboundEventRow> => ({
  text: `SELECT e.id::int AS id, e.type, e.contact_id::int AS contact_id, e.occurred_at, e.data,
                m.id::int AS message_id, m.subject, coalesce(m.visible_text, m.text_body) AS body, m.from_addr, m.to_addr,
                m.message_id AS rfc_message_id, coalesce(m."references"[1], m.in_reply_to, m.message_id) AS thread,
                c.email, cx.external_id AS contact_external_id, ax.external_id AS company_external_id
           FROM events e
           JOIN contacts c ON c.id = e.contact_id
           LEFT JOIN messages m ON m.id = e.message_ref
           LEFT JOIN LATERAL (SELECT x.external_id FROM crm_external_ids x
                               WHERE x.workspace_id = e.workspace_id AND x.kind = $2 AND x.object = 'contact'
                                 AND x.local_id = c.id AND x.merged_into IS NULL AND x.deleted_at IS NULL
                               ORDER BY x.id LIMIT 1) cx ON true
           LEFT JOIN LATERAL (SELECT x.external_id FROM crm_external_ids x
                               WHERE x.workspace_id = e.workspace_id AND x.kind = $2 AND x.object = 'company'
                                 AND x.local_id = c.account_id AND x.merged_into IS NULL AND x.deleted_at IS NULL
                               ORDER BY x.id LIMIT 1) ax ON true
          WHERE e.workspace_id = $1 AND NOT e.is_bot
            AND e.type IN ('sent', 'reply', 'meeting_booked', 'unsubscribe', 'bounce')
            AND CASE WHEN $3::bigint IS NULL THEN e.occurred_at >= $4 ELSE e.id > $3 END
            AND ($6::bigint IS NULL OR e.contact_id = $6)
          ORDER BY e.id LIMIT $5`,
  values: [workspaceId, kind, afterId, since, limit, contactId],
});
