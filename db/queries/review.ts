// The draft view and what a reviewer does to a draft (edit, snooze), owners for the filters, and
// the replies list. The queue itself is in review-queue.ts.
import type { Sql } from '../types.js';
import type { DossierRow, FactRow } from './research.js';
import type { StepRow } from './sequencing.js';

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
  /** Why the sequence stopped or paused (a reply, an unsubscribe, the CRM holding the account out, ...). */
  stop_reason: string | null;
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

export const findDraft = (workspaceId: number, id: number): Sql<DraftRow> => ({
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

interface ObservationForReviewRow {
  url: string;
  title: string;
  observed_at: Date;
  source_name: string | null;
  source_kind: string | null;
}

export const listObservationsForReview = (signalId: number): Sql<ObservationForReviewRow> => ({
  text: `SELECT o.url, o.title, o.observed_at, src.name AS source_name, src.kind AS source_kind
           FROM signal_observations o LEFT JOIN signal_sources src ON src.id = o.source_id
          WHERE o.signal_id = $1 ORDER BY o.observed_at, o.id`,
  values: [signalId],
});

/** The dossier for the draft's signal and contact (or the signal's account-level dossier). */
export const findDossierForReview = (signalId: number, contactId: number | null): Sql<DossierRow> => ({
  text: `SELECT * FROM dossiers WHERE signal_id = $1 AND (contact_id = $2 OR contact_id IS NULL)
          ORDER BY (contact_id IS NULL), id DESC LIMIT 1`,
  values: [signalId, contactId],
});

/** A fact as the draft page shows it. */
export type ReviewFactRow = Omit<FactRow, 'dossier_id' | 'position'>;

export const listFacts = (dossierId: number): Sql<ReviewFactRow> => ({
  text: `SELECT id, kind, text, source_url, quote, fetched_at, flags FROM facts WHERE dossier_id = $1 ORDER BY position, id`,
  values: [dossierId],
});

/** A step as the draft page shows it. */
export type ReviewStepRow = Pick<
  StepRow,
  | 'id'
  | 'position'
  | 'kind'
  | 'delay_days'
  | 'new_thread'
  | 'subject'
  | 'body'
  | 'drafted_subject'
  | 'drafted_body'
  | 'cited_fact_ids'
  | 'status'
  | 'scheduled_at'
  | 'sent_at'
>;

export const listStepsForReview = (sequenceId: number): Sql<ReviewStepRow> => ({
  text: `SELECT id, position, kind, delay_days, new_thread, subject, body, drafted_subject, drafted_body, cited_fact_ids,
                status, scheduled_at, sent_at
           FROM sequence_steps WHERE sequence_id = $1 ORDER BY position`,
  values: [sequenceId],
});

export const listDraftVersions = (
  sequenceId: number,
): Sql<{
  version: number;
  source: string;
  instruction: string | null;
  created_at: Date;
  created_by_name: string | null;
}> => ({
  text: `SELECT v.id, v.version, v.source, v.instruction, v.created_at, u.name AS created_by_name
           FROM draft_versions v LEFT JOIN users u ON u.id = v.created_by
          WHERE v.sequence_id = $1 ORDER BY v.version DESC LIMIT 20`,
  values: [sequenceId],
});

/** The optimistic lock: moves the version on only when the editor saw the current one. */
export const bumpDraftVersion = (id: number, expected: number): Sql<{ version: number }> => ({
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
): Sql<{ version: number }> => ({
  text: `INSERT INTO draft_versions (sequence_id, version, source, steps, created_by)
         VALUES ($1, coalesce((SELECT max(version) FROM draft_versions WHERE sequence_id = $1), 0) + 1, 'edit', $2, $3)
         RETURNING version`,
  values: [sequenceId, JSON.stringify(steps), userId],
});

export const snoozeDraft = (id: number, until: Date): Sql<{ snoozed_until: Date }> => ({
  text: `UPDATE sequences SET status = 'snoozed', snoozed_until = $2, version = version + 1, updated_at = now()
          WHERE id = $1 AND status = 'pending_review' RETURNING id, snoozed_until`,
  values: [id, until],
});

export const firstScheduled = (sequenceId: number): Sql<{ at: Date | null }> => ({
  text: `SELECT min(scheduled_at) AS at FROM sequence_steps WHERE sequence_id = $1 AND status = 'scheduled'`,
  values: [sequenceId],
});

/** Owners (users) that appear in the filter, for the owner select. */
export const listOwners = (workspaceId: number): Sql<{ id: number; name: string; email: string }> => ({
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
): Sql<ReplyRow> => ({
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

export const findInbound = (
  workspaceId: number,
  id: number,
): Sql<{
  id: number;
  sequence_id: number | null;
  contact_id: number | null;
  classification: string | null;
  owner_id: number | null;
  account_owner_id: number | null;
  account_id: number | null;
}> => ({
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
