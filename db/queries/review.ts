// The reps' review queue and the draft view. Who may see a draft is part of every query:
// `viewer` null means the whole workspace (managers, RevOps, admins), else a rep's user id,
// who sees sequences they own or whose account they own.
import type { Sql } from '../types.js';

export const SIGNAL_TYPES = ['funding', 'job_change', 'news', 'hiring', 'acquisition', 'manual', 'inbound'] as const;
export const AGES = ['1d', '7d', '30d', 'older'] as const;
export type Age = (typeof AGES)[number];

export interface QueueFilter {
  type?: string;
  ownerId?: number;
  age?: Age;
  flagged?: boolean;
  q?: string;
}

export interface QueueRow {
  id: number;
  version: number;
  status: string;
  drafter: string | null;
  gate_failure_count: number;
  owner_id: number | null;
  owner_name: string | null;
  signal_id: number;
  signal_type: string;
  signal_title: string;
  detected_at: Date;
  account_id: number | null;
  account_name: string | null;
  contact_name: string | null;
  contact_email: string | null;
  subject: string | null;
  age: Age;
}

// Age buckets count back from `now`, passed in so tests and the bench use a fixed clock, by the
// hour of detection (UTC): the hour is what the counter rows keep (migration 0013).
const ageOf = (hour: string) => `CASE WHEN ${hour} >= $2::timestamptz - interval '1 day' THEN '1d'
                      WHEN ${hour} >= $2::timestamptz - interval '7 days' THEN '7d'
                      WHEN ${hour} >= $2::timestamptz - interval '30 days' THEN '30d' ELSE 'older' END`;
const AGE_SQL = ageOf(`date_trunc('hour', s.signal_detected_at, 'UTC')`);

// Drafts a gate flagged come first (drafting/README.md): they need a closer read, not a quick
// approve. The signal's type and time are copied onto the sequence, so this order is one index
// (sequences_pending_review_idx) and a page is a walk that stops at the page.
const QUEUE_ORDER = `s.flagged DESC, s.signal_detected_at DESC, s.signal_id DESC, s.id DESC`;

const visible = (n: number) => `($${n}::bigint IS NULL OR s.owner_id = $${n} OR a.owner_id = $${n})`;

interface Cols {
  type: string;
  owner: string;
  age: string;
  flagged: string;
}
const RAW: Cols = { type: 's.signal_type', owner: 's.owner_id', age: AGE_SQL, flagged: 's.flagged' };
const BASE: Cols = { type: 'type', owner: 'owner_id', age: 'age', flagged: 'flagged' };

/** The filters other than `skip` (so a count says what choosing that value would show). */
function where(f: QueueFilter, values: unknown[], cols: Cols, skip?: keyof QueueFilter): string {
  const parts: string[] = [];
  const add = (clause: (n: number) => string, v: unknown) => {
    values.push(v);
    parts.push(clause(values.length));
  };
  if (f.type && skip !== 'type') add((n) => `${cols.type} = $${n}`, f.type);
  if (f.ownerId && skip !== 'ownerId') add((n) => `${cols.owner} = $${n}`, f.ownerId);
  if (f.age && skip !== 'age') add((n) => `${cols.age} = $${n}`, f.age);
  if (f.flagged && skip !== 'flagged') parts.push(cols.flagged);
  return parts.length ? ' AND ' + parts.join(' AND ') : '';
}

/**
 * Search over account, contact, signal title and step subjects: each column through its trigram
 * index (migration 0013), the matching sequences gathered once, before the queue's own filters.
 * Returns the CTE (with its trailing comma) and the condition, or nothing without a search.
 */
function search(f: QueueFilter, values: unknown[]): { cte: string; cond: string } {
  if (!f.q) return { cte: '', cond: '' };
  values.push(`%${f.q.replace(/[\\%_]/g, (m) => '\\' + m)}%`);
  const n = values.length;
  return {
    cte: `matches AS MATERIALIZED (
            SELECT s2.id FROM accounts x JOIN sequences s2 ON s2.account_id = x.id
             WHERE x.workspace_id = $1 AND x.name ILIKE $${n}
            UNION SELECT s2.id FROM signals x JOIN sequences s2 ON s2.signal_id = x.id
             WHERE x.workspace_id = $1 AND x.title ILIKE $${n}
            UNION SELECT s2.id FROM contacts x JOIN sequences s2 ON s2.contact_id = x.id
             WHERE x.workspace_id = $1 AND (x.email ILIKE $${n} OR (x.first_name || ' ' || x.last_name) ILIKE $${n})
            UNION SELECT st.sequence_id FROM sequence_steps st WHERE st.subject ILIKE $${n}),`,
    cond: ' AND s.id IN (SELECT id FROM matches)',
  };
}

const FROM = `FROM sequences s
  JOIN signals sig ON sig.id = s.signal_id
  LEFT JOIN accounts a ON a.id = s.account_id
 WHERE s.workspace_id = $1 AND sig.workspace_id = $1 AND s.status = 'pending_review' AND ${visible(3)}`;

/**
 * One page of drafts waiting for review, flagged first, then newest signal first. No total here: counting every
 * match would stop the index walk from ending at the page; `queueCounts` gives the total.
 */
export function listQueue(
  workspaceId: number,
  now: Date,
  viewer: number | null,
  f: QueueFilter,
  limit: number,
  offset: number,
): Sql {
  const values: unknown[] = [workspaceId, now, viewer];
  const q = search(f, values);
  const w = where(f, values, RAW) + q.cond;
  values.push(limit, offset);
  const n = values.length;
  return {
    text: `WITH ${q.cte} page AS (
             SELECT s.id, s.version, s.status, s.drafter, jsonb_array_length(s.gate_failures) AS gate_failure_count,
                    s.owner_id, s.signal_id, s.signal_type, sig.title AS signal_title, s.signal_detected_at AS detected_at,
                    s.account_id, a.name AS account_name, s.contact_id, s.flagged, ${AGE_SQL} AS age
               ${FROM}${w}
              ORDER BY ${QUEUE_ORDER}
              LIMIT $${n - 1} OFFSET $${n})
           SELECT page.*, u.name AS owner_name, nullif(trim(c.first_name || ' ' || c.last_name), '') AS contact_name,
                  c.email AS contact_email,
                  (SELECT st.subject FROM sequence_steps st WHERE st.sequence_id = page.id ORDER BY st.position LIMIT 1) AS subject
             FROM page LEFT JOIN users u ON u.id = page.owner_id LEFT JOIN contacts c ON c.id = page.contact_id
            ORDER BY page.flagged DESC, page.detected_at DESC, page.signal_id DESC, page.id DESC`,
    values,
  };
}

/** The five facets of `base` (type, owner_id, age, flagged, n), each under the other filters. */
function facets(f: QueueFilter, values: unknown[]): string {
  const part = (facet: string, expr: string, skip?: keyof QueueFilter) =>
    `SELECT '${facet}' AS facet, (${expr})::text AS value, sum(n)::int AS n FROM base
      WHERE true${where(f, values, BASE, skip)} GROUP BY 2 HAVING sum(n) > 0`;
  return [
    part('type', 'type', 'type'),
    part('owner', 'owner_id', 'ownerId'),
    part('age', 'age', 'age'),
    part('flagged', 'flagged', 'flagged'),
    part('total', `''`),
  ].join('\nUNION ALL\n');
}

/**
 * Counts per filter value, each with the other filters applied, plus the total with all of
 * them: `{ facet, value, n }` rows. Without a search they come from the counter rows the
 * triggers of migration 0013 keep (a few rows per hour of detection, whatever the queue's
 * size); with one, from the matching drafts, read once and grouped five ways.
 */
export function queueCounts(workspaceId: number, now: Date, viewer: number | null, f: QueueFilter): Sql {
  const values: unknown[] = [workspaceId, now, viewer];
  const q = search(f, values);
  const base = q.cte
    ? `WITH ${q.cte} base AS MATERIALIZED (
         SELECT s.signal_type AS type, s.owner_id, ${AGE_SQL} AS age, s.flagged, 1 AS n ${FROM}${q.cond})`
    : `WITH base AS MATERIALIZED (
         SELECT nullif(c.signal_type, '') AS type, nullif(c.owner_id, 0) AS owner_id, ${ageOf('c.detected_hour')} AS age,
                c.flagged, c.n
           FROM review_queue_counts c
          WHERE c.workspace_id = $1 AND c.n <> 0 AND ($3::bigint IS NULL OR c.owner_id = $3 OR c.account_owner_id = $3))`;
  return { text: base + '\n' + facets(f, values), values };
}

/** Returns snoozed drafts whose time has come to the queue (the maintenance tick; GET never writes). */
export const wakeSnoozed = (workspaceId: number | null, now: Date): Sql => ({
  text: `UPDATE sequences SET status = 'pending_review', snoozed_until = NULL, updated_at = now()
          WHERE ($1::bigint IS NULL OR workspace_id = $1) AND status = 'snoozed' AND snoozed_until <= $2 RETURNING id`,
  values: [workspaceId, now],
});

/** The draft the reviewer sees after `afterId` in queue order (flagged first, then newest signal), or the first. */
export const nextInQueue = (workspaceId: number, viewer: number | null, exclude: number[]): Sql => ({
  text: `SELECT s.id FROM sequences s JOIN signals sig ON sig.id = s.signal_id LEFT JOIN accounts a ON a.id = s.account_id
          WHERE s.workspace_id = $1 AND s.status = 'pending_review' AND ${visible(2)} AND NOT (s.id = ANY($3::bigint[]))
          ORDER BY ${QUEUE_ORDER} LIMIT 1`,
  values: [workspaceId, viewer, exclude],
});

/** Neighbours of a draft in queue order, for j/k. */
export const queueNeighbours = (workspaceId: number, viewer: number | null, id: number): Sql => ({
  text: `WITH q AS (
           SELECT s.id, lag(s.id) OVER w AS prev_id, lead(s.id) OVER w AS next_id
             FROM sequences s JOIN signals sig ON sig.id = s.signal_id LEFT JOIN accounts a ON a.id = s.account_id
            WHERE s.workspace_id = $1 AND s.status = 'pending_review' AND ${visible(2)}
           WINDOW w AS (ORDER BY ${QUEUE_ORDER}))
         SELECT prev_id, next_id FROM q WHERE id = $3`,
  values: [workspaceId, viewer, id],
});

export interface DraftRow {
  id: number;
  workspace_id: number;
  status: string;
  version: number;
  owner_id: number | null;
  account_owner_id: number | null;
  drafter: string | null;
  prompt_version: string | null;
  gate_failures: unknown[];
  snoozed_until: Date | null;
  rejected_reason: string | null;
  approved_at: Date | null;
  /** 'each_step': approving the draft approves the opener; every later step comes back for its own approval. */
  approval_mode?: string;
  template_id: number | null;
  signal_id: number | null;
  account_id: number | null;
  contact_id: number | null;
  account_name: string | null;
  account_domain: string | null;
  account_time_zone: string | null;
  contact_first_name: string | null;
  contact_last_name: string | null;
  contact_email: string | null;
  contact_title: string | null;
  contact_time_zone: string | null;
  owner_name: string | null;
  owner_email: string | null;
  owner_time_zone: string | null;
}

export const findDraft = (workspaceId: number, id: number): Sql => ({
  text: `SELECT s.*, a.owner_id AS account_owner_id, a.name AS account_name, a.domain AS account_domain, a.time_zone AS account_time_zone,
                c.first_name AS contact_first_name, c.last_name AS contact_last_name, c.email AS contact_email,
                c.title AS contact_title, c.time_zone AS contact_time_zone,
                u.name AS owner_name, u.email AS owner_email, u.time_zone AS owner_time_zone
           FROM sequences s
           LEFT JOIN accounts a ON a.id = s.account_id
           LEFT JOIN contacts c ON c.id = s.contact_id
           LEFT JOIN users u ON u.id = s.owner_id
          WHERE s.workspace_id = $1 AND s.id = $2`,
  values: [workspaceId, id],
});

export const findSignal = (id: number): Sql => ({ text: `SELECT * FROM signals WHERE id = $1`, values: [id] });

export const listObservations = (signalId: number): Sql => ({
  text: `SELECT o.url, o.title, o.observed_at, src.name AS source_name, src.kind AS source_kind
           FROM signal_observations o LEFT JOIN signal_sources src ON src.id = o.source_id
          WHERE o.signal_id = $1 ORDER BY o.observed_at, o.id`,
  values: [signalId],
});

/** The dossier for the draft's signal and contact (or the signal's account-level dossier). */
export const findDossier = (signalId: number, contactId: number | null): Sql => ({
  text: `SELECT * FROM dossiers WHERE signal_id = $1 AND (contact_id = $2 OR contact_id IS NULL)
          ORDER BY (contact_id IS NULL), id DESC LIMIT 1`,
  values: [signalId, contactId],
});

export interface FactRow {
  id: number;
  kind: string;
  text: string;
  source_url: string;
  quote: string;
  fetched_at: Date;
  flags: string[];
}

export const listFacts = (dossierId: number): Sql => ({
  text: `SELECT id, kind, text, source_url, quote, fetched_at, flags FROM facts WHERE dossier_id = $1 ORDER BY position, id`,
  values: [dossierId],
});

export interface StepRow {
  id: number;
  position: number;
  kind: string;
  delay_days: number;
  new_thread: boolean;
  subject: string;
  body: string;
  drafted_subject: string | null;
  drafted_body: string | null;
  cited_fact_ids: number[];
  status: string;
  scheduled_at: Date | null;
  sent_at: Date | null;
}

export const listSteps = (sequenceId: number): Sql => ({
  text: `SELECT id, position, kind, delay_days, new_thread, subject, body, drafted_subject, drafted_body, cited_fact_ids,
                status, scheduled_at, sent_at
           FROM sequence_steps WHERE sequence_id = $1 ORDER BY position`,
  values: [sequenceId],
});

export const listDraftVersions = (sequenceId: number): Sql => ({
  text: `SELECT v.id, v.version, v.source, v.instruction, v.created_at, u.name AS created_by_name
           FROM draft_versions v LEFT JOIN users u ON u.id = v.created_by
          WHERE v.sequence_id = $1 ORDER BY v.version DESC LIMIT 20`,
  values: [sequenceId],
});

/** The optimistic lock: moves the version on only when the editor saw the current one. */
export const bumpDraftVersion = (id: number, expected: number): Sql => ({
  text: `UPDATE sequences SET version = version + 1, updated_at = now()
          WHERE id = $1 AND version = $2 AND status IN ('pending_review', 'snoozed') RETURNING version`,
  values: [id, expected],
});

export const updateStepText = (sequenceId: number, position: number, subject: string, body: string): Sql => ({
  text: `UPDATE sequence_steps SET subject = $3, body = $4, updated_at = now()
          WHERE sequence_id = $1 AND position = $2 AND status IN ('draft', 'awaiting_approval') RETURNING id`,
  values: [sequenceId, position, subject, body],
});

/** Keeps every edited text; numbered after whatever the drafter stored. */
export const insertEditVersion = (
  sequenceId: number,
  steps: { position: number; subject: string; body: string }[],
  userId: number,
): Sql => ({
  text: `INSERT INTO draft_versions (sequence_id, version, source, steps, created_by)
         VALUES ($1, coalesce((SELECT max(version) FROM draft_versions WHERE sequence_id = $1), 0) + 1, 'edit', $2, $3)
         RETURNING version`,
  values: [sequenceId, JSON.stringify(steps), userId],
});

export const snoozeDraft = (id: number, until: Date): Sql => ({
  text: `UPDATE sequences SET status = 'snoozed', snoozed_until = $2, version = version + 1, updated_at = now()
          WHERE id = $1 AND status = 'pending_review' RETURNING id, snoozed_until`,
  values: [id, until],
});

export const firstScheduled = (sequenceId: number): Sql => ({
  text: `SELECT min(scheduled_at) AS at FROM sequence_steps WHERE sequence_id = $1 AND status = 'scheduled'`,
  values: [sequenceId],
});

/** Owners (users) that appear in the filter, for the owner select. */
export const listOwners = (workspaceId: number): Sql => ({
  text: `SELECT id, name, email FROM users WHERE workspace_id = $1 AND disabled_at IS NULL ORDER BY name, email`,
  values: [workspaceId],
});

export const unsnoozeDraft = (id: number): Sql => ({
  text: `UPDATE sequences SET status = 'pending_review', snoozed_until = NULL, updated_at = now()
          WHERE id = $1 AND status = 'snoozed' RETURNING id`,
  values: [id],
});

export interface ReplyRow {
  id: number;
  sequence_id: number | null;
  contact_id: number | null;
  from_addr: string;
  subject: string;
  visible_text: string | null;
  text_body: string;
  classification: string | null;
  intent: string | null;
  at: Date;
  corrected_by: number | null;
  account_name: string | null;
  contact_name: string | null;
  owner_id: number | null;
  meeting_booked: boolean;
  total: number;
}

/** Inbound mail on my sequences (or everyone's), newest first, with whether a meeting is recorded. */
export const listReplies = (
  workspaceId: number,
  viewer: number | null,
  kinds: string[],
  limit: number,
  offset: number,
): Sql => ({
  text: `SELECT m.id, m.sequence_id, m.contact_id, m.from_addr, m.subject, m.visible_text, left(m.text_body, 4000) AS text_body,
                m.classification, m.classification_details->'intent'->>'intent' AS intent, m.at, m.corrected_by,
                a.name AS account_name, nullif(trim(c.first_name || ' ' || c.last_name), '') AS contact_name, s.owner_id,
                EXISTS (SELECT 1 FROM events e WHERE e.sequence_id = m.sequence_id AND e.type = 'meeting_booked') AS meeting_booked,
                count(*) OVER ()::int AS total
           FROM messages m
           LEFT JOIN sequences s ON s.id = m.sequence_id
           LEFT JOIN accounts a ON a.id = s.account_id
           LEFT JOIN contacts c ON c.id = m.contact_id
          WHERE m.workspace_id = $1 AND m.direction = 'in' AND m.classification = ANY($3::text[])
            AND ($2::bigint IS NULL OR s.owner_id = $2 OR a.owner_id = $2)
          ORDER BY m.at DESC, m.id DESC LIMIT $4 OFFSET $5`,
  values: [workspaceId, viewer, kinds, limit, offset],
});

export const findInbound = (workspaceId: number, id: number): Sql => ({
  text: `SELECT m.id, m.sequence_id, m.contact_id, m.classification, s.owner_id, a.owner_id AS account_owner_id, s.account_id
           FROM messages m LEFT JOIN sequences s ON s.id = m.sequence_id LEFT JOIN accounts a ON a.id = s.account_id
          WHERE m.workspace_id = $1 AND m.id = $2 AND m.direction = 'in'`,
  values: [workspaceId, id],
});

/** A rep's correction: this mail was not a reply. The reply event goes so the funnel stops counting it. */
export const markNotReply = (id: number, userId: number): Sql => ({
  text: `UPDATE messages SET classification = 'other', corrected_by = $2,
                classification_details = classification_details || jsonb_build_object('corrected_from', classification)
          WHERE id = $1 AND direction = 'in' RETURNING id`,
  values: [id, userId],
});

export const deleteReplyEvent = (messageId: number): Sql => ({
  text: `DELETE FROM events WHERE message_ref = $1 AND type = 'reply' RETURNING id`,
  values: [messageId],
});

export interface BulkApproveRow {
  id: number;
  signal_title: string | null;
  account_name: string | null;
  contact_name: string;
  contact_email: string | null;
  subject: string | null;
}

/** What a bulk approval will start, listed on its confirmation page. */
export const draftsToApprove = (workspaceId: number, ids: number[]): Sql => ({
  text: `SELECT s.id, sig.title AS signal_title, a.name AS account_name,
                trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) AS contact_name,
                c.email AS contact_email,
                (SELECT st.subject FROM sequence_steps st WHERE st.sequence_id = s.id ORDER BY st.position LIMIT 1) AS subject
           FROM sequences s
           LEFT JOIN signals sig ON sig.id = s.signal_id
           LEFT JOIN accounts a ON a.id = s.account_id
           LEFT JOIN contacts c ON c.id = s.contact_id
          WHERE s.workspace_id = $1 AND s.id = ANY($2::bigint[])
          ORDER BY s.id`,
  values: [workspaceId, ids],
});
