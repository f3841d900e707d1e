// Per-step approval: steps of each_step sequences coming back to their owner's queue, their own
// approval, windows missed for lack of one, "what changed since the sequence was approved",
// and the dashboard's numbers. `viewer` null is the whole workspace, else a rep's user id.
import type { Sql } from '../types.js';
import { crmAccountMatch, crmParam, type CrmFilter } from './dashboard-crm.js';

export type ChangeKind = 'signal' | 'contact' | 'reply' | 'auto_reply' | 'bounce' | 'click' | 'stale_fact';

/** One row of the "what changed" query: columns mean different things per kind (see `stepChanges`). */
export interface ChangeRow {
  kind: ChangeKind;
  sub: string | null;
  title: string | null;
  detail: string | null;
  url: string | null;
  at: Date;
}

/** md5 of subject NUL body: the page carries it, so an approval is of the text the rep saw. */
const TEXT_DIGEST = `md5(st.subject || chr(1) || st.body)`;

// Hours of lead from the workspace's settings, 24 when missing or not a number.
const LEAD_HOURS = `(CASE WHEN w.settings->>'stepApprovalLeadHours' ~ '^[0-9]+(\\.[0-9]+)?$'
                          THEN (w.settings->>'stepApprovalLeadHours')::numeric ELSE 24 END)`;

const visible = (n: number) => `($${n}::bigint IS NULL OR s.owner_id = $${n} OR a.owner_id = $${n})`;

/** Approval of the sequence: a later step of an each_step sequence waits for its own. */
export const awaitStep = (stepId: number, at: Date | null, now: Date): Sql<{ id: number }> => ({
  text: `UPDATE sequence_steps SET status = 'awaiting_approval', scheduled_at = $2, approved_at = NULL, approved_by = NULL, updated_at = $3
          WHERE id = $1 AND status IN ('draft', 'awaiting_approval') RETURNING id`,
  values: [stepId, at, now],
});

/** Steps whose send time is within the lead time: they come back to their owner's queue now. */
export const markReturned = (
  now: Date,
  workspaceId: number | null,
): Sql<{ id: number; sequence_id: number; owner_id: number | null }> => ({
  text: `UPDATE sequence_steps st SET returned_at = $1
           FROM sequences s JOIN workspaces w ON w.id = s.workspace_id
          WHERE s.id = st.sequence_id AND st.status = 'awaiting_approval' AND st.returned_at IS NULL AND s.status = 'active'
            AND st.scheduled_at - ${LEAD_HOURS} * interval '1 hour' <= $1
            AND ($2::bigint IS NULL OR s.workspace_id = $2)
         RETURNING st.id, st.sequence_id, s.owner_id`,
  values: [now, workspaceId],
});

export const overdueAwaiting = (now: Date, limit: number): Sql<{ id: number }> => ({
  text: `SELECT st.id FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id
          WHERE st.status = 'awaiting_approval' AND st.scheduled_at <= $1 AND s.status = 'active'
          ORDER BY st.scheduled_at LIMIT $2`,
  values: [now, limit],
});

interface AwaitingLockRow {
  id: number;
  sequence_id: number;
  position: number;
  status: string;
  scheduled_at: Date | null;
  missed_windows: number;
  sequence_status: string;
  workspace_id: number;
  settings: Record<string, unknown>;
}

export const lockAwaitingStep = (stepId: number): Sql<AwaitingLockRow> => ({
  text: `SELECT st.id, st.sequence_id, st.position, st.status, st.scheduled_at, st.missed_windows,
                s.status AS sequence_status, s.workspace_id, w.settings
           FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id JOIN workspaces w ON w.id = s.workspace_id
          WHERE st.id = $1 FOR UPDATE OF st, s`,
  values: [stepId],
});

export const moveAwaiting = (stepId: number, until: Date, missed: number, now: Date): Sql<{ id: number }> => ({
  text: `UPDATE sequence_steps SET scheduled_at = $2, missed_windows = $3,
                                 last_error = 'not approved before its sending window closed', updated_at = $4
          WHERE id = $1 AND status = 'awaiting_approval' RETURNING id`,
  values: [stepId, until, missed, now],
});

export const skipUnapproved = (stepId: number, missed: number, reason: string, now: Date): Sql<{ id: number }> => ({
  text: `UPDATE sequence_steps SET status = 'skipped', missed_windows = $2, skip_reason = $3, skip_code = 'not_approved', updated_at = $4
          WHERE id = $1 AND status = 'awaiting_approval' RETURNING id`,
  values: [stepId, missed, reason, now],
});

export const laterOpenSteps = (
  sequenceId: number,
  position: number,
): Sql<{ id: number; delay_days: number; scheduled_at: Date | null }> => ({
  text: `SELECT id, delay_days, scheduled_at FROM sequence_steps
          WHERE sequence_id = $1 AND position > $2 AND status IN ('awaiting_approval', 'scheduled') ORDER BY position`,
  values: [sequenceId, position],
});

export const setStepTime = (stepId: number, at: Date, now: Date): Sql => ({
  text: `UPDATE sequence_steps SET scheduled_at = $2, updated_at = $3 WHERE id = $1 AND status IN ('awaiting_approval', 'scheduled')`,
  values: [stepId, at, now],
});

/**
 * A step's own approval: only of the text the rep saw (`digest`), on an active sequence, and not
 * before an earlier step is settled (the thread stays in order).
 */
export const approveStepRow = (
  stepId: number,
  userId: number,
  digest: string | null,
  now: Date,
): Sql<{ id: number; sequence_id: number; scheduled_at: Date | null }> => ({
  text: `UPDATE sequence_steps st SET status = 'scheduled', approved_at = $4, approved_by = $2, last_error = NULL, updated_at = $4
          WHERE st.id = $1 AND st.status = 'awaiting_approval' AND ($3::text IS NULL OR ${TEXT_DIGEST} = $3)
            AND EXISTS (SELECT 1 FROM sequences s WHERE s.id = st.sequence_id AND s.status = 'active')
            AND NOT EXISTS (SELECT 1 FROM sequence_steps e WHERE e.sequence_id = st.sequence_id AND e.position < st.position
                             AND e.status IN ('awaiting_approval', 'draft'))
          RETURNING st.id, st.sequence_id, st.scheduled_at`,
  values: [stepId, userId, digest, now],
});

/** The gates' verdict on a step and its text's digest, the row locked so a refresh cannot change them before the approval. */
export const lockStepGates = (stepId: number): Sql<{ gate_failures: unknown; status: string; digest: string }> => ({
  text: `SELECT st.gate_failures, st.status, ${TEXT_DIGEST} AS digest FROM sequence_steps st WHERE st.id = $1 FOR UPDATE`,
  values: [stepId],
});

/** A scheduled step found without its own approval goes back to wait for one. */
export const holdForApproval = (stepId: number, reason: string, now: Date): Sql => ({
  text: `UPDATE sequence_steps SET status = 'awaiting_approval', last_error = $2, updated_at = $3 WHERE id = $1 AND status = 'scheduled'`,
  values: [stepId, reason, now],
});

/**
 * Everything that changed since the sequence was approved, as `ChangeRow`s, for step `st` of
 * sequence `s` (aliases bound by the caller). `$now` and `$stale` are parameter numbers.
 * Columns: kind, sub, title, detail, url, at — per kind: signal (type, title, summary, url);
 * contact (field, old, new); reply/auto_reply (from, subject, text); bounce (hard, status,
 * diagnostic); click (url); stale_fact (fact kind, text, quote, source, fetched_at).
 */
function changesSql(now: number, stale: number): string {
  return `SELECT 'signal'::text AS kind, sg.type AS sub, sg.title, sg.summary AS detail, sg.url, sg.detected_at AS at
            FROM signals sg WHERE sg.workspace_id = s.workspace_id AND sg.id IS DISTINCT FROM s.signal_id
             AND (sg.account_id = s.account_id OR sg.contact_id = s.contact_id) AND sg.detected_at > s.approved_at
          UNION ALL
          SELECT 'contact', cc.field, cc.old_value, cc.new_value, NULL, cc.at
            FROM contact_changes cc WHERE cc.contact_id = s.contact_id AND cc.at > s.approved_at
          UNION ALL
          SELECT m.classification, m.from_addr, m.subject, left(coalesce(m.visible_text, m.text_body), 300), NULL, m.at
            FROM messages m LEFT JOIN contacts mc ON mc.id = m.contact_id LEFT JOIN sequences ms ON ms.id = m.sequence_id
           WHERE m.workspace_id = s.workspace_id AND m.direction = 'in' AND m.classification IN ('reply', 'auto_reply')
             AND m.at > s.approved_at AND (m.sequence_id = s.id OR ms.account_id = s.account_id OR mc.account_id = s.account_id)
          UNION ALL
          SELECT 'bounce', e.data->>'hard', e.data->>'status', e.data->>'diagnostic', NULL, e.occurred_at
            FROM events e LEFT JOIN contacts ec ON ec.id = e.contact_id
           WHERE e.workspace_id = s.workspace_id AND e.type = 'bounce' AND e.occurred_at > s.approved_at
             AND (e.sequence_id = s.id OR ec.account_id = s.account_id)
          UNION ALL
          SELECT 'click', NULL, NULL, NULL, e.data->>'url', e.occurred_at
            FROM events e WHERE e.sequence_id = s.id AND e.type = 'click' AND NOT e.is_bot AND e.occurred_at > s.approved_at
          UNION ALL
          SELECT 'stale_fact', f.kind, f.text, f.quote, f.source_url, f.fetched_at
            FROM facts f WHERE f.id = ANY(st.cited_fact_ids) AND f.fetched_at < $${now}::timestamptz - $${stale}::int * interval '1 day'`;
}

export const stepChanges = (stepId: number, now: Date, staleDays: number): Sql<ChangeRow> => ({
  text: `SELECT x.* FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id,
                LATERAL (${changesSql(2, 3)}) x
          WHERE st.id = $1 ORDER BY x.at DESC LIMIT 100`,
  values: [stepId, now, staleDays],
});

export interface ReturnedStepRow {
  id: number;
  sequence_id: number;
  position: number;
  step_number: number;
  kind: string;
  subject: string;
  body: string;
  scheduled_at: Date | null;
  returned_at: Date | null;
  missed_windows: number;
  digest: string;
  changes: number;
  flagged: number;
  owner_id: number | null;
  owner_name: string | null;
  account_name: string | null;
  contact_name: string | null;
  contact_email: string | null;
  thread_subject: string | null;
  total: number;
}

const RETURNED_COLS = `st.id, st.sequence_id, st.position, st.kind,
  (SELECT count(*) FROM sequence_steps e WHERE e.sequence_id = st.sequence_id AND e.position <= st.position)::int
    AS step_number, st.subject, st.body, st.scheduled_at, st.returned_at, st.missed_windows,
  ${TEXT_DIGEST} AS digest, jsonb_array_length(st.gate_failures) AS flagged, s.owner_id, u.name AS owner_name, a.name AS account_name,
  nullif(trim(c.first_name || ' ' || c.last_name), '') AS contact_name, c.email AS contact_email,
  (SELECT f.subject FROM sequence_steps f WHERE f.sequence_id = s.id ORDER BY f.position LIMIT 1) AS thread_subject`;

const RETURNED_FROM = `FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id JOIN workspaces w ON w.id = s.workspace_id
  LEFT JOIN accounts a ON a.id = s.account_id LEFT JOIN contacts c ON c.id = s.contact_id LEFT JOIN users u ON u.id = s.owner_id`;

/** Steps back in the queue (due within the lead time), soonest first, with how many changes each has. */
export const listReturned = (
  workspaceId: number,
  viewer: number | null,
  now: Date,
  staleDays: number,
  limit: number,
  offset: number,
): Sql<ReturnedStepRow> => ({
  text: `SELECT ${RETURNED_COLS}, (SELECT count(*) FROM (${changesSql(3, 4)}) x)::int AS changes, count(*) OVER ()::int AS total
           ${RETURNED_FROM}
          WHERE s.workspace_id = $1 AND s.status = 'active' AND st.status = 'awaiting_approval' AND ${visible(2)}
            AND st.scheduled_at - ${LEAD_HOURS} * interval '1 hour' <= $3
          ORDER BY st.scheduled_at, st.id LIMIT $5 OFFSET $6`,
  values: [workspaceId, viewer, now, staleDays, limit, offset],
});

/**
 * Whether a step of the workspace may be back for approval now: the queue page reads the list only
 * then, so its planning (the changed-facts subquery) is not paid on every page load.
 */
export const returnedStepWaiting = (workspaceId: number, now: Date): Sql<{ waiting: number }> => ({
  text: `SELECT 1 AS waiting ${RETURNED_FROM}
          WHERE s.workspace_id = $1 AND s.status = 'active' AND st.status = 'awaiting_approval'
            AND st.scheduled_at - ${LEAD_HOURS} * interval '1 hour' <= $2
          LIMIT 1`,
  values: [workspaceId, now],
});

export interface AwaitingStepRow extends ReturnedStepRow {
  status: string;
  delay_days: number;
  new_thread: boolean;
  cited_fact_ids: number[];
  gate_failures: unknown[];
  approved_at: Date | null;
  sequence_status: string;
  sequence_approved_at: Date | null;
  approval_mode: string;
  account_id: number | null;
  account_owner_id: number | null;
  contact_id: number | null;
  contact_title: string | null;
  signal_id: number | null;
  workspace_id: number;
  contact_tz: string | null;
  account_tz: string | null;
  owner_tz: string | null;
  skip_reason: string | null;
}

export const findStepForApproval = (workspaceId: number, stepId: number): Sql<AwaitingStepRow> => ({
  text: `SELECT ${RETURNED_COLS}, 0 AS changes, 1 AS total, st.status, st.delay_days, st.new_thread,
                st.cited_fact_ids, st.gate_failures, st.approved_at,
                st.skip_reason, s.status AS sequence_status, s.approved_at AS sequence_approved_at, s.approval_mode, s.account_id,
                a.owner_id AS account_owner_id, s.contact_id, c.title AS contact_title, s.signal_id, s.workspace_id,
                c.time_zone AS contact_tz, a.time_zone AS account_tz, u.time_zone AS owner_tz
           ${RETURNED_FROM}
          WHERE s.workspace_id = $1 AND st.id = $2`,
  values: [workspaceId, stepId],
});

/** The step after `id` in the returned list (for j and after an approval). */
export const nextReturned = (
  workspaceId: number,
  viewer: number | null,
  now: Date,
  exclude: number[],
): Sql<{ id: number }> => ({
  text: `SELECT st.id ${RETURNED_FROM}
          WHERE s.workspace_id = $1 AND s.status = 'active' AND st.status = 'awaiting_approval' AND ${visible(2)}
            AND st.scheduled_at - ${LEAD_HOURS} * interval '1 hour' <= $3 AND NOT (st.id = ANY($4::bigint[]))
          ORDER BY st.scheduled_at, st.id LIMIT 1`,
  values: [workspaceId, viewer, now, exclude],
});

/** A rep's edit of a returned step, only over the text they saw. */
export const editAwaitingStep = (
  stepId: number,
  digest: string,
  subject: string,
  body: string,
  now: Date,
): Sql<{ digest: string }> => ({
  text: `UPDATE sequence_steps st SET subject = $3, body = $4, updated_at = $5
          WHERE st.id = $1 AND st.status = 'awaiting_approval' AND ${TEXT_DIGEST} = $2 RETURNING ${TEXT_DIGEST} AS digest`,
  values: [stepId, digest, subject, body, now],
});

/** A refreshed step's text and the gates' verdict, over the text the refresh started from. */
export const stepStatus = (stepId: number): Sql<{ sequence_id: number; status: string }> => ({
  text: 'SELECT sequence_id, status FROM sequence_steps WHERE id = $1',
  values: [stepId],
});

export const saveRefreshedStep = (
  stepId: number,
  digest: string,
  s: { subject: string; body: string; citedFactIds: number[]; failures: unknown[] },
  now: Date,
): Sql<{ digest: string }> => ({
  text: `UPDATE sequence_steps st SET subject = $3, body = $4, cited_fact_ids = $5, gate_failures = $6, updated_at = $7
          WHERE st.id = $1 AND st.status = 'awaiting_approval' AND ${TEXT_DIGEST} = $2 RETURNING ${TEXT_DIGEST} AS digest`,
  values: [stepId, digest, s.subject, s.body, s.citedFactIds, JSON.stringify(s.failures), now],
});

export const insertRefreshVersion = (
  sequenceId: number,
  instruction: string,
  steps: unknown[],
  gateResults: unknown,
  userId: number | null,
): Sql<{ version: number }> => ({
  text: `INSERT INTO draft_versions (sequence_id, version, source, instruction, steps, gate_results, created_by)
         VALUES ($1, coalesce((SELECT max(version) FROM draft_versions WHERE sequence_id = $1), 0) + 1, 'refresh', $2, $3, $4, $5)
         RETURNING version`,
  values: [sequenceId, instruction, JSON.stringify(steps), JSON.stringify(gateResults), userId],
});

export const workspaceSettings = (workspaceId: number): Sql<{ settings: Record<string, unknown> }> => ({
  text: `SELECT settings FROM workspaces WHERE id = $1`,
  values: [workspaceId],
});

export interface KindLatencyRow {
  kind: string;
  approved: number;
  median_ms: number | null;
  avg_ms: number | null;
}

/**
 * Approval latency per step kind: an opener from its draft landing in review to the sequence's
 * approval; a later step of an each_step sequence from coming back to the queue to its own approval.
 */
export const approvalLatencyByKind = (
  workspaceId: number,
  from: Date,
  to: Date,
  crm: CrmFilter = null,
): Sql<KindLatencyRow> => ({
  text: `WITH l AS (
           SELECT st.kind, extract(epoch FROM st.approved_at - coalesce(st.returned_at, s.created_at)) * 1000 AS ms
             FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id
            WHERE s.workspace_id = $1 AND st.approved_at >= $2 AND st.approved_at < $3 AND st.approved_by IS NOT NULL
              AND (st.returned_at IS NOT NULL OR NOT EXISTS
                   (SELECT 1 FROM sequence_steps e WHERE e.sequence_id = s.id AND e.position < st.position))
              AND ${crmAccountMatch('s.account_id', 4)})
         SELECT kind, count(*)::int AS approved,
                (percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::float8 AS median_ms, avg(ms)::float8 AS avg_ms
           FROM l GROUP BY kind ORDER BY kind`,
  values: [workspaceId, from, to, crmParam(crm)],
});

export interface UnapprovedShareRow {
  kind: string;
  needed: number;
  skipped: number;
}

/** Of the steps that needed their own approval and were settled in the range, how many were skipped for lack of it. */
export const unapprovedSkips = (
  workspaceId: number,
  from: Date,
  to: Date,
  crm: CrmFilter = null,
): Sql<UnapprovedShareRow> => ({
  text: `SELECT st.kind, count(*)::int AS needed, count(*) FILTER (WHERE st.skip_code = 'not_approved')::int AS skipped
           FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id
          WHERE s.workspace_id = $1 AND st.returned_at IS NOT NULL AND st.updated_at >= $2 AND st.updated_at < $3
            AND (st.approved_at IS NOT NULL OR st.skip_code = 'not_approved') AND ${crmAccountMatch('s.account_id', 4)}
          GROUP BY st.kind ORDER BY st.kind`,
  values: [workspaceId, from, to, crmParam(crm)],
});

/** A template's approval mode; null follows the workspace's setting. */
export const setTemplateApprovalMode = (workspaceId: number, templateId: number, mode: string | null): Sql => ({
  text: `UPDATE sequence_templates SET approval_mode = $3 WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, templateId, mode],
});
