// What replies, bounces, unsubscribes and bookings change: contacts, suppressions, sequences.
import type { Sql } from '../types.js';

export const stopSequenceRow = (
  id: number,
  status: 'stopped' | 'completed',
  reason: string,
  now: Date,
): Sql<{ id: number }> => ({
  text: `UPDATE sequences SET status = $2, stop_reason = $3, ended_at = $4, updated_at = $4
          WHERE id = $1 AND status IN ('active', 'paused', 'pending_review', 'snoozed', 'drafting') RETURNING id`,
  values: [id, status, reason, now],
});

/** The contact's sequences that could still send. */
export const contactSequences = (contactId: number): Sql<{ id: number }> => ({
  text: `SELECT id FROM sequences WHERE contact_id = $1
           AND status IN ('active', 'paused', 'pending_review', 'snoozed', 'drafting') ORDER BY id`,
  values: [contactId],
});

export const pauseAccountSequences = (accountId: number, now: Date): Sql<{ id: number }> => ({
  text: `UPDATE sequences SET status = 'paused', stop_reason = 'someone at the account replied', updated_at = $2
          WHERE account_id = $1 AND status = 'active' RETURNING id`,
  values: [accountId, now],
});

export const setContactStatus = (
  contactId: number,
  status: 'replied' | 'bounced' | 'unsubscribed',
  reason: string,
  now: Date,
): Sql => ({
  // A bounce or unsubscribe outranks a reply; nothing moves a contact back to active here.
  text: `UPDATE contacts SET status = $2, status_reason = $3, updated_at = $4
          WHERE id = $1 AND (status = 'active' OR (status = 'replied' AND $2 <> 'replied'))`,
  values: [contactId, status, reason, now],
});

export const addSuppression = (
  workspaceId: number,
  kind: 'email' | 'domain',
  value: string,
  reason: string,
  source: string,
): Sql => ({
  text: `INSERT INTO suppressions (workspace_id, kind, value, reason, source) VALUES ($1, $2, lower($3), $4, $5) ON CONFLICT DO NOTHING`,
  values: [workspaceId, kind, value, reason, source],
});

export const remainingSteps = (
  sequenceId: number,
): Sql<{ id: number; delay_days: number; scheduled_at: Date | null }> => ({
  // Steps still waiting for their own approval (each_step mode) move too: they keep a planned time.
  text: `SELECT id, delay_days, scheduled_at FROM sequence_steps WHERE sequence_id = $1
           AND status IN ('scheduled', 'awaiting_approval') ORDER BY position`,
  values: [sequenceId],
});

export const rescheduleStep = (stepId: number, at: Date, now: Date): Sql => ({
  // A moved step that was back in a rep's queue leaves it, and comes back near its new time.
  text: `UPDATE sequence_steps SET scheduled_at = $2, updated_at = $3,
                returned_at = CASE WHEN status = 'awaiting_approval' THEN NULL ELSE returned_at END
          WHERE id = $1 AND status IN ('scheduled', 'awaiting_approval')`,
  values: [stepId, at, now],
});

/** A booked meeting is the success ending, also for a sequence a reply already stopped. */
export const completeAsBooked = (id: number, now: Date): Sql<{ id: number }> => ({
  text: `UPDATE sequences SET status = 'completed', stop_reason = 'meeting_booked', ended_at = $2, updated_at = $2
          WHERE id = $1 AND status IN ('active', 'paused', 'stopped', 'pending_review', 'snoozed', 'drafting') RETURNING id`,
  values: [id, now],
});

export const latestContactSequence = (contactId: number): Sql<{ id: number }> => ({
  text: `SELECT id FROM sequences WHERE contact_id = $1 ORDER BY id DESC LIMIT 1`,
  values: [contactId],
});

export const resumeSequenceRow = (id: number, now: Date): Sql<{ workspace_id: number }> => ({
  text: `UPDATE sequences SET status = 'active', stop_reason = NULL, paused_until = NULL, updated_at = $2
          WHERE id = $1 AND status = 'paused' RETURNING workspace_id`,
  values: [id, now],
});

/** A sent step with what a simulated answer to it needs. */
export const sentStepForReply = (
  stepId: number,
): Sql<{
  workspace_id: number;
  mailbox_id: number;
  message_id: string;
  email: string;
  from_email: string;
  subject: string;
}> => ({
  text: `SELECT s.workspace_id, st.mailbox_id, st.message_id, c.email, m.from_email, coalesce(o.subject, st.subject) AS subject
           FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id JOIN contacts c ON c.id = s.contact_id
           JOIN mailboxes m ON m.id = st.mailbox_id
           LEFT JOIN messages o ON o.step_id = st.id AND o.direction = 'out'
          WHERE st.id = $1 AND st.status = 'sent' AND st.message_id IS NOT NULL`,
  values: [stepId],
});

/** A person's decision on a step in `unknown`: it went out, send it again, or drop it. */
export const resolveUnknownStep = (
  stepId: number,
  status: 'sent' | 'scheduled' | 'skipped',
  at: Date | null,
  reason: string,
  now: Date,
): Sql<{ sequence_id: number }> => ({
  text: `UPDATE sequence_steps
            SET status = $2,
                sent_at = CASE WHEN $2 = 'sent' THEN $5 ELSE sent_at END,
                scheduled_at = CASE WHEN $2 = 'scheduled' THEN $3::timestamptz ELSE scheduled_at END,
                skip_reason = CASE WHEN $2 = 'skipped' THEN $4 ELSE skip_reason END,
                last_error = $4, updated_at = $5
          WHERE id = $1 AND status = 'unknown' RETURNING sequence_id`,
  values: [stepId, status, at, reason, now],
});
