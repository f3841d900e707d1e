// Sequences and their steps: approval, scheduling, and what the CLI and UI read.
import type { Sql } from '../types.js';

export type SequenceStatus =
  'drafting' | 'pending_review' | 'snoozed' | 'rejected' | 'active' | 'paused' | 'completed' | 'stopped' | 'failed';
export type StepStatus =
  'draft' | 'awaiting_approval' | 'scheduled' | 'sending' | 'sent' | 'failed' | 'skipped' | 'cancelled' | 'unknown';

/** A row of sequences: the one definition. */
export interface SequenceRow {
  id: number;
  workspace_id: number;
  signal_id: number | null;
  account_id: number | null;
  contact_id: number | null;
  template_id: number | null;
  play_id: number | null;
  owner_id: number | null;
  mailbox_id: number | null;
  status: SequenceStatus;
  stop_reason: string | null;
  approval_mode: 'sequence' | 'each_step';
  drafter: string | null;
  prompt_version: string | null;
  gate_failures: unknown[];
  version: number;
  snoozed_until: Date | null;
  approved_at: Date | null;
  approved_by: number | null;
  rejected_reason: string | null;
  paused_until: Date | null;
  started_at: Date | null;
  ended_at: Date | null;
  persona: string | null;
  /** Hours after approval before the first send (a play staggers contacts at one account). */
  stagger_hours: number;
  variant: number | null;
  variant_of: string | null;
  variant_source: string | null;
  arm: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A row of sequence_steps: the one definition. */
export interface StepRow {
  id: number;
  sequence_id: number;
  position: number;
  kind: 'opener' | 'follow_up' | 'breakup';
  delay_days: number;
  new_thread: boolean;
  branch: unknown;
  subject: string;
  body: string;
  drafted_subject: string | null;
  drafted_body: string | null;
  cited_fact_ids: number[];
  status: StepStatus;
  approved_at: Date | null;
  approved_by: number | null;
  scheduled_at: Date | null;
  missed_windows: number;
  claimed_at: Date | null;
  sent_at: Date | null;
  message_id: string | null;
  smtp_response: string | null;
  attempts: number;
  last_error: string | null;
  skip_reason: string | null;
  skip_code: string | null;
  mailbox_id: number | null;
  returned_at: Date | null;
  gate_failures: unknown[];
  handed_at: Date | null;
  reconcile_at: Date | null;
  updated_at: Date;
}

/** Everything scheduling needs about a sequence: its template's windows and the recipient's zone candidates. */
export interface ScheduleContextRow {
  contact_tz: string | null;
  account_tz: string | null;
  owner_tz: string | null;
  country: string | null;
  sending_window: unknown;
  fallback_window: unknown;
  fallback_after_days: number | null;
}

export const findSequence = (id: number): Sql<SequenceRow> => ({
  text: `SELECT * FROM sequences WHERE id = $1`,
  values: [id],
});

export const listSteps = (sequenceId: number): Sql<StepRow> => ({
  text: `SELECT * FROM sequence_steps WHERE sequence_id = $1 ORDER BY position`,
  values: [sequenceId],
});

export const scheduleContext = (sequenceId: number): Sql<ScheduleContextRow> => ({
  text: `SELECT c.time_zone AS contact_tz, a.time_zone AS account_tz, u.time_zone AS owner_tz, a.country,
                t.sending_window, t.fallback_window, t.fallback_after_days
           FROM sequences s
           LEFT JOIN contacts c ON c.id = s.contact_id
           LEFT JOIN accounts a ON a.id = coalesce(s.account_id, c.account_id)
           LEFT JOIN users u ON u.id = s.owner_id
           LEFT JOIN sequence_templates t ON t.id = s.template_id
          WHERE s.id = $1`,
  values: [sequenceId],
});

export const activateSequence = (id: number, userId: number, now: Date): Sql<SequenceRow> => ({
  text: `UPDATE sequences SET status = 'active', approved_at = $3, approved_by = $2, started_at = coalesce(started_at, $3), updated_at = $3
          WHERE id = $1 AND status = 'pending_review' RETURNING *`,
  values: [id, userId, now],
});

export const rejectSequenceRow = (id: number, reason: string | null, now: Date): Sql<SequenceRow> => ({
  text: `UPDATE sequences SET status = 'rejected', rejected_reason = $2, ended_at = $3, updated_at = $3
          WHERE id = $1 AND status = 'pending_review' RETURNING *`,
  values: [id, reason, now],
});

export const scheduleStep = (stepId: number, at: Date | null, userId: number, now: Date): Sql<StepRow> => ({
  text: `UPDATE sequence_steps SET status = 'scheduled', scheduled_at = $2, approved_at = $4, approved_by = $3, updated_at = $4
          WHERE id = $1 AND status IN ('draft', 'awaiting_approval') RETURNING *`,
  values: [stepId, at, userId, now],
});

export const cancelOpenSteps = (sequenceId: number, reason: string, now: Date): Sql<{ id: number }> => ({
  text: `UPDATE sequence_steps SET status = 'cancelled', skip_reason = $2, updated_at = $3
          WHERE sequence_id = $1 AND status IN ('draft', 'awaiting_approval', 'scheduled') RETURNING id`,
  values: [sequenceId, reason, now],
});

/** Whose sequence this is: its workspace, contact and account (events and audit rows need them). */
export const sequenceRefs = (
  id: number,
): Sql<{ workspace_id: number; contact_id: number; account_id: number | null }> => ({
  text: `SELECT workspace_id, contact_id, account_id FROM sequences WHERE id = $1`,
  values: [id],
});

/** A step waiting for a person to say whether it went out (`unknown`), with its sequence. */
export const unknownStep = (stepId: number): Sql<{ sequence_id: number }> => ({
  text: `SELECT sequence_id FROM sequence_steps WHERE id = $1 AND status = 'unknown'`,
  values: [stepId],
});

/** Why a step could not be approved: its state, its sequence's, and whether an earlier step still waits. */
export const stepApprovalState = (
  stepId: number,
): Sql<{ status: string; subject: string; body: string; sequence_status: string; earlier: boolean }> => ({
  text: `SELECT st.status, st.subject, st.body, s.status AS sequence_status,
                EXISTS (SELECT 1 FROM sequence_steps e WHERE e.sequence_id = st.sequence_id AND e.position < st.position
                          AND e.status IN ('awaiting_approval', 'draft')) AS earlier
           FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id WHERE st.id = $1`,
  values: [stepId],
});
