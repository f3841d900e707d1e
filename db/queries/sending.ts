// The send path: claiming a step, choosing a mailbox, recording the outcome, finding due and stuck steps.
import type { Sql } from '../types.js';
import type { ScheduleContextRow, StepRow } from './sequencing.js';

export interface MailboxRow {
  id: number;
  workspace_id: number;
  user_id: number | null;
  kind: 'smtp' | 'outbox' | 'google' | 'microsoft';
  /** For kind google/microsoft: SMTP + IMAP with XOAUTH2, or the provider's HTTP API. */
  oauth_transport: 'smtp' | 'api';
  from_name: string;
  from_email: string;
  smtp_host: string | null;
  smtp_port: number | null;
  smtp_secure: boolean;
  smtp_user: string | null;
  smtp_pass_enc: string | null;
  inbound_secret_enc?: string | null;
  imap_host: string | null;
  imap_port: number | null;
  imap_secure: boolean;
  imap_user: string | null;
  imap_pass_enc: string | null;
  imap_uidvalidity: number | null;
  imap_last_uid: number | null;
  imap_sent_folder: string | null;
  imap_synced_at: Date | null;
  imap_error: string | null;
  dkim_domain: string | null;
  dkim_selector: string | null;
  dkim_key_enc: string | null;
  daily_cap: number;
  min_gap_seconds: number;
  max_gap_seconds: number;
  ramp_per_day: number | null;
  paused_at: Date | null;
  pause_reason: string | null;
  last_sent_at: Date | null;
  next_send_at: Date | null;
  created_at: Date;
}

/** A step locked for claiming, with what the claim re-checks. */
export interface ClaimFactsRow extends ScheduleContextRow {
  step_id: number;
  step_status: string;
  position: number;
  subject: string;
  body: string;
  new_thread: boolean;
  branch: unknown;
  attempts: number;
  scheduled_at: Date | null;
  sequence_id: number;
  sequence_status: string;
  paused_until: Date | null;
  workspace_id: number;
  owner_id: number | null;
  sequence_mailbox_id: number | null;
  account_id: number | null;
  signal_id: number | null;
  contact_id: number;
  contact_email: string;
  contact_name: string;
  contact_status: string;
  suppressed: boolean;
  /** An earlier step is not settled (anything but sent, skipped, cancelled): this one waits, so the thread stays in order. */
  earlier_pending: boolean;
  /** The latest planned time among earlier steps still waiting to go out (scheduled or awaiting approval). */
  earlier_planned_at: Date | null;
  delay_days: number;
  settings: Record<string, unknown>;
  /** The owner's own signature and sender name (users settings page); null: the workspace's, the mailbox's. */
  owner_signature: string | null;
  owner_sender_name: string | null;
}

/** A step is settled once it can no longer go out: a later step may follow it. */
const SETTLED = `('sent', 'skipped', 'cancelled')`;

/**
 * Takes one claim's count back from its mailbox's day (a claim that never reached the server): the
 * day in the mailbox owner's time zone at the claim (mailbox_day(), migration 0035).
 */
const UNCOUNT = `UPDATE mailboxes m SET sent_on_day = greatest(m.sent_on_day - 1, 0)
                   FROM st WHERE m.id = st.mailbox_id AND m.sent_day = mailbox_day(m.user_id, st.claimed_at)`;

/** scheduled → sending, only while every earlier step is settled (the thread stays in order). `attempts` is the claim's token. */
export const markClaimed = (stepId: number, mailboxId: number, messageId: string, now: Date): Sql => ({
  text: `UPDATE sequence_steps st SET status = 'sending', claimed_at = $4, mailbox_id = $2, message_id = $3,
                attempts = attempts + 1, handed_at = NULL, reconcile_at = NULL, updated_at = $4
          WHERE st.id = $1 AND st.status = 'scheduled'
            AND NOT EXISTS (SELECT 1 FROM sequence_steps e WHERE e.sequence_id = st.sequence_id
                             AND e.position < st.position AND e.status NOT IN ${SETTLED})
          RETURNING st.id, st.attempts`,
  values: [stepId, mailboxId, messageId, now],
});

/**
 * The transport is about to hand the message over (MAIL FROM, the API request). Only for this
 * claim (`attempts`): no row means the step was taken back, and nothing must go out.
 */
export const markHandedOver = (stepId: number, attempts: number, now: Date): Sql => ({
  name: 'prospector_mark_handed_over',
  text: `UPDATE sequence_steps SET handed_at = $3 WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING id`,
  values: [stepId, attempts, now],
});

/** A claimed step that provably never reached the server goes back to wait for its time. */
export const releaseUnhanded = (stepId: number, reason: string, now: Date): Sql => ({
  text: `WITH st AS (UPDATE sequence_steps SET status = 'scheduled', last_error = $2, updated_at = $3
                      WHERE id = $1 AND status = 'sending' AND handed_at IS NULL RETURNING id, mailbox_id, claimed_at),
              un AS (${UNCOUNT})
         SELECT id FROM st`,
  values: [stepId, reason, now],
});

export const deferStep = (stepId: number, at: Date, missed: boolean, reason: string, now: Date): Sql => ({
  text: `UPDATE sequence_steps SET scheduled_at = $2, missed_windows = missed_windows + $3::int, last_error = $4, updated_at = $5
          WHERE id = $1 AND status = 'scheduled'`,
  values: [stepId, at, missed ? 1 : 0, reason, now],
});

export const skipStep = (stepId: number, status: 'skipped' | 'cancelled', reason: string, now: Date): Sql => ({
  text: `UPDATE sequence_steps SET status = $2, skip_reason = $3, updated_at = $4 WHERE id = $1 AND status = 'scheduled'`,
  values: [stepId, status, reason, now],
});

export const markSent = (stepId: number, response: string, now: Date): Sql<StepRow> => ({
  text: `UPDATE sequence_steps SET status = 'sent', sent_at = $3, smtp_response = $2, last_error = NULL,
      reconcile_at = NULL, updated_at = $3
          WHERE id = $1 AND status IN ('sending', 'unknown') RETURNING *`,
  values: [stepId, response, now],
});

export const markRetry = (stepId: number, at: Date, error: string, now: Date): Sql => ({
  text: `UPDATE sequence_steps SET status = 'scheduled', scheduled_at = $2, last_error = $3, updated_at = $4
          WHERE id = $1 AND status = 'sending'`,
  values: [stepId, at, error, now],
});

/**
 * The provider refused an OAuth mailbox's saved sign-in before the message was accepted: back to
 * `scheduled` at `at`, the claim (`attempts`, its token) not counted (the mailbox is paused; it waits for a reconnect).
 */
export const holdStep = (stepId: number, attempts: number, at: Date, error: string, now: Date): Sql => ({
  text: `WITH st AS (UPDATE sequence_steps SET status = 'scheduled', scheduled_at = $3, attempts = attempts - 1,
                             handed_at = NULL, last_error = $4, updated_at = $5
                      WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING id, mailbox_id, claimed_at),
              un AS (${UNCOUNT})
         SELECT id FROM st`,
  values: [stepId, attempts, at, error, now],
});

export const markStepOutcome = (stepId: number, status: 'failed' | 'unknown', error: string, now: Date): Sql => ({
  text: `UPDATE sequence_steps SET status = $2, last_error = $3, updated_at = $4 WHERE id = $1 AND status = 'sending' RETURNING id`,
  values: [stepId, status, error, now],
});

/** The server may hold the message: `unknown` until the reconciler has looked its Message-ID up (from `lookAt`). */
export const markAmbiguous = (stepId: number, error: string, lookAt: Date, now: Date): Sql => ({
  text: `UPDATE sequence_steps SET status = 'unknown', last_error = $2, reconcile_at = $3, updated_at = $4
          WHERE id = $1 AND status = 'sending' RETURNING id`,
  values: [stepId, error, lookAt, now],
});

export interface OutMessage {
  workspaceId: number;
  mailboxId: number;
  sequenceId: number;
  stepId: number;
  contactId: number;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  from: string;
  to: string;
  subject: string;
  text: string;
  raw: string;
  outboxPath: string | null;
  at: Date;
}

const OUT_MESSAGE_INSERT = `INSERT INTO messages (workspace_id, mailbox_id, sequence_id, step_id, contact_id,
    direction, message_id, in_reply_to,
                               "references", from_addr, to_addr, subject, text_body, raw, outbox_path, at)
         VALUES ($1, $2, $3, $4, $5, 'out', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT DO NOTHING`;

const outMessageValues = (m: OutMessage): unknown[] => [
  m.workspaceId,
  m.mailboxId,
  m.sequenceId,
  m.stepId,
  m.contactId,
  m.messageId,
  m.inReplyTo,
  m.references,
  m.from,
  m.to,
  m.subject,
  m.text,
  m.raw,
  m.outboxPath,
  m.at,
];

/**
 * The record of a delivered step in one statement: `sent`, the outgoing message, the `sent` event
 * (pointing at the message), the contact touched, and the sequence completed when nothing of it
 * is left to send. The data-modifying parts share one snapshot, so the completion check leaves
 * out this step once the first part has marked it.
 */
export const recordSentSql = (r: {
  stepId: number;
  response: string;
  message: OutMessage;
  event: { accountId: number | null; signalId: number | null; position: number };
}): Sql => {
  const m = r.message;
  return {
    name: 'prospector_record_sent',
    text: `WITH st AS (
             UPDATE sequence_steps SET status = 'sent', sent_at = $15, smtp_response = $16, last_error = NULL,
                    reconcile_at = NULL, updated_at = $15
              WHERE id = $4 AND status IN ('sending', 'unknown') RETURNING id),
           msg AS (${OUT_MESSAGE_INSERT} RETURNING id),
           ev AS (
             INSERT INTO events (workspace_id, type, sequence_id, step_id, contact_id, account_id, signal_id,
                 message_ref, data, occurred_at)
             VALUES ($1, 'sent', $3, $4, $5, $17, $18, (SELECT id FROM msg), $19, $15) ON CONFLICT DO NOTHING RETURNING id),
           ct AS (UPDATE contacts SET last_contacted_at = $15 WHERE id = $5),
           done AS (
             UPDATE sequences SET status = 'completed', stop_reason = coalesce(stop_reason, 'finished'), ended_at = $15, updated_at = $15
              WHERE id = $3 AND status = 'active'
                AND NOT EXISTS (SELECT 1 FROM sequence_steps x WHERE x.sequence_id = $3
                                 AND x.status IN ('draft', 'awaiting_approval', 'scheduled', 'sending', 'unknown')
                                 AND (x.id <> $4 OR NOT EXISTS (SELECT 1 FROM st)))
             RETURNING id)
           SELECT (SELECT count(*) FROM st)::int AS marked, (SELECT id FROM msg) AS message_ref,
                  (SELECT count(*) FROM done)::int AS completed`,
    values: [
      ...outMessageValues(m),
      r.response,
      r.event.accountId,
      r.event.signalId,
      JSON.stringify({ position: r.event.position, mailboxId: m.mailboxId }),
    ],
  };
};

export const insertEvent = (e: {
  workspaceId: number;
  type: string;
  sequenceId?: number | null;
  stepId?: number | null;
  contactId?: number | null;
  accountId?: number | null;
  signalId?: number | null;
  messageRef?: number | null;
  isBot?: boolean;
  data?: unknown;
  at: Date;
}): Sql => ({
  text: `INSERT INTO events (workspace_id, type, sequence_id, step_id, contact_id, account_id, signal_id,
      message_ref, is_bot, data, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING id`,
  values: [
    e.workspaceId,
    e.type,
    e.sequenceId ?? null,
    e.stepId ?? null,
    e.contactId ?? null,
    e.accountId ?? null,
    e.signalId ?? null,
    e.messageRef ?? null,
    e.isBot ?? false,
    JSON.stringify(e.data ?? {}),
    e.at,
  ],
});

export const completeIfDone = (sequenceId: number, now: Date): Sql => ({
  text: `UPDATE sequences SET status = 'completed', stop_reason = coalesce(stop_reason, 'finished'), ended_at = $2, updated_at = $2
          WHERE id = $1 AND status = 'active'
            AND NOT EXISTS (SELECT 1 FROM sequence_steps WHERE sequence_id = $1
                             AND status IN ('draft', 'awaiting_approval', 'scheduled', 'sending', 'unknown'))
          RETURNING id`,
  values: [sequenceId, now],
});

export const pauseMailbox = (mailboxId: number, reason: string, now: Date): Sql => ({
  text: `UPDATE mailboxes SET paused_at = $3, pause_reason = $2 WHERE id = $1 AND paused_at IS NULL RETURNING id`,
  values: [mailboxId, reason, now],
});

/** Hard bounces among the mailbox's last 100 sends. */
export const mailboxBounceRate = (mailboxId: number): Sql<{ total: number; bounced: number }> => ({
  text: `WITH last AS (SELECT id FROM sequence_steps WHERE mailbox_id = $1 AND status IN ('sent', 'failed')
                        ORDER BY claimed_at DESC LIMIT 100)
         SELECT count(*)::int AS total,
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM events e WHERE e.step_id = last.id AND e.type = 'bounce'
                                                 AND e.data->>'hard' = 'true'))::int AS bounced
           FROM last`,
  values: [mailboxId],
});

export const dueSteps = (now: Date, limit: number): Sql<{ id: number }> => ({
  text: `SELECT st.id FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id
          WHERE st.status = 'scheduled' AND st.scheduled_at <= $1 AND s.status = 'active'
          ORDER BY st.scheduled_at LIMIT $2`,
  values: [now, limit],
});

/** Steps for the reconciler: left in `sending` (claimed before `olderThan`), and ambiguous ones due a look-up. */
export const stuckSteps = (
  olderThan: Date,
  now: Date,
  limit: number,
): Sql<Pick<StepRow, 'id' | 'status' | 'message_id' | 'mailbox_id' | 'claimed_at' | 'handed_at'>> => ({
  text: `SELECT st.id, st.status, st.message_id, st.mailbox_id, st.claimed_at, st.handed_at FROM sequence_steps st
          WHERE (st.status = 'sending' AND st.claimed_at < $1) OR (st.status = 'unknown' AND st.reconcile_at <= $2)
          ORDER BY st.claimed_at LIMIT $3`,
  values: [olderThan, now, limit],
});

/** After the look-up: not found (or nowhere to look) stays `unknown` for a person. */
export const doneReconciling = (stepId: number, error: string, now: Date): Sql => ({
  text: `UPDATE sequence_steps SET status = 'unknown', last_error = $2, reconcile_at = NULL, updated_at = $3
          WHERE id = $1 AND status IN ('sending', 'unknown') RETURNING id`,
  values: [stepId, error, now],
});

export const findMailbox = (id: number): Sql<MailboxRow> => ({
  text: `SELECT * FROM mailboxes WHERE id = $1`,
  values: [id],
});
