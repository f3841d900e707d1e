// Mailboxes: settings (add, edit, pause), listing, and deletion with what it moves or pauses.
import type { Sql } from '../types.js';
import type { MailboxRow } from './sending.js';

export const insertOutboxMailbox = (m: {
  workspaceId: number;
  userId: number;
  fromName: string;
  fromEmail: string;
}): Sql<MailboxRow> => ({
  text: `INSERT INTO mailboxes (workspace_id, user_id, kind, from_name, from_email) VALUES ($1, $2, 'outbox', $3, $4) RETURNING *`,
  values: [m.workspaceId, m.userId, m.fromName, m.fromEmail],
});

export const listMailboxes = (
  workspaceId: number,
): Sql<{ id: number; from_email: string; user_id: number | null }> => ({
  text: `SELECT id, workspace_id, user_id, kind, from_name, from_email, smtp_host, smtp_port, imap_host, imap_port,
                daily_cap, min_gap_seconds, max_gap_seconds, paused_at, pause_reason, last_sent_at
           FROM mailboxes WHERE workspace_id = $1 AND archived_at IS NULL ORDER BY id`,
  values: [workspaceId],
});

/** Sequences that are not over yet: what a mailbox's deletion must move or pause. */
const OPEN = `('drafting', 'pending_review', 'snoozed', 'active', 'paused')`;

export interface MailboxImpactRow {
  bound_sequences: number;
  bound_steps: number;
  in_flight: number;
  orphaned_sequences: number;
  sent_messages: number;
  referenced: boolean;
}

/**
 * What deleting a mailbox touches: open sequences bound to it and their unsent steps, steps being
 * sent or undecided on it (these block), the owner's unbound open sequences that would be left with
 * no mailbox at all, and whether history points at it (then it is archived, not erased).
 */
export const mailboxImpact = (workspaceId: number, id: number): Sql<MailboxImpactRow> => ({
  text: `SELECT
      (SELECT count(*) FROM sequences s WHERE s.workspace_id = $1 AND s.mailbox_id = $2 AND s.status IN ${OPEN})::int AS bound_sequences,
      (SELECT count(*) FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id
        WHERE s.workspace_id = $1 AND s.mailbox_id = $2 AND s.status IN ${OPEN}
          AND st.status IN ('draft', 'awaiting_approval', 'scheduled'))::int AS bound_steps,
      (SELECT count(*) FROM sequence_steps st WHERE st.mailbox_id = $2 AND st.status IN ('sending', 'unknown'))::int AS in_flight,
      (SELECT count(*) FROM sequences s JOIN mailboxes m ON m.id = $2
        WHERE s.workspace_id = $1 AND s.mailbox_id IS NULL AND m.user_id IS NOT NULL AND s.owner_id = m.user_id
          AND s.status IN ${OPEN}
          AND NOT EXISTS (SELECT 1 FROM mailboxes o WHERE o.user_id = m.user_id AND o.id <> m.id AND o.archived_at IS NULL)
      )::int AS orphaned_sequences,
      (SELECT count(*) FROM messages g WHERE g.mailbox_id = $2 AND g.direction = 'out')::int AS sent_messages,
      (EXISTS (SELECT 1 FROM messages g WHERE g.mailbox_id = $2)
        OR EXISTS (SELECT 1 FROM sequence_steps st WHERE st.mailbox_id = $2)
        OR EXISTS (SELECT 1 FROM sequences s WHERE s.mailbox_id = $2)) AS referenced`,
  values: [workspaceId, id],
});

export const lockMailbox = (workspaceId: number, id: number): Sql<MailboxRow> => ({
  text: `SELECT * FROM mailboxes WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL FOR UPDATE`,
  values: [workspaceId, id],
});

/** The rep's other mailboxes a deleted one's sequences may move to. */
export interface Sibling {
  id: number;
  from_name: string;
  from_email: string;
  kind: string;
  paused_at: Date | null;
  pause_reason: string | null;
}

export const siblingMailboxes = (workspaceId: number, id: number): Sql<Sibling> => ({
  text: `SELECT o.id, o.from_name, o.from_email, o.kind, o.paused_at, o.pause_reason
           FROM mailboxes m JOIN mailboxes o ON o.workspace_id = m.workspace_id AND o.user_id = m.user_id AND o.id <> m.id
          WHERE m.workspace_id = $1 AND m.id = $2 AND o.archived_at IS NULL
          ORDER BY o.id`,
  values: [workspaceId, id],
});

export const moveSequencesToMailbox = (
  workspaceId: number,
  from: number,
  to: number,
  now: Date,
): Sql<{ id: number }> => ({
  text: `UPDATE sequences SET mailbox_id = $3, updated_at = $4
          WHERE workspace_id = $1 AND mailbox_id = $2 AND status IN ${OPEN} RETURNING id`,
  values: [workspaceId, from, to, now],
});

/**
 * Sequences that would send from the mailbox (bound to it, or the owner's unbound ones when it is
 * their last mailbox) lose the binding; the active ones pause with `reason`, which the draft page,
 * the schedule and every waiting step show. Resuming picks the rep's mailboxes again.
 */
export const pauseSequencesOfMailbox = (
  workspaceId: number,
  id: number,
  reason: string,
  now: Date,
): Sql<{ id: number }> => ({
  text: `UPDATE sequences s SET mailbox_id = NULL,
                status = CASE WHEN s.status = 'active' THEN 'paused' ELSE s.status END,
                stop_reason = CASE WHEN s.status IN ('active', 'paused') THEN $3 ELSE s.stop_reason END,
                updated_at = $4
           FROM mailboxes m
          WHERE m.id = $2 AND s.workspace_id = $1 AND s.status IN ${OPEN}
            AND (s.mailbox_id = $2
                 OR (s.mailbox_id IS NULL AND m.user_id IS NOT NULL AND s.owner_id = m.user_id
                     AND NOT EXISTS (SELECT 1 FROM mailboxes o WHERE o.user_id = m.user_id AND o.id <> m.id AND o.archived_at IS NULL)))
          RETURNING s.id`,
  values: [workspaceId, id, reason, now],
});

/** Off every list and out of every claim: no owner, paused, its passwords and IMAP polling gone. */
export const archiveMailbox = (workspaceId: number, id: number, now: Date): Sql<{ id: number }> => ({
  text: `UPDATE mailboxes SET archived_at = $3, user_id = NULL, paused_at = coalesce(paused_at, $3), pause_reason = 'deleted',
                smtp_pass_enc = NULL, imap_pass_enc = NULL, imap_host = NULL, next_send_at = NULL
          WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL RETURNING id`,
  values: [workspaceId, id, now],
});

export const deleteMailboxRow = (workspaceId: number, id: number): Sql<{ id: number }> => ({
  text: `DELETE FROM mailboxes WHERE workspace_id = $1 AND id = $2 RETURNING id`,
  values: [workspaceId, id],
});

/** The settings page's list: with the owner's email. */
export const listMailboxRows = (workspaceId: number): Sql<MailboxRow & { owner_email: string | null }> => ({
  text: `SELECT m.*, u.email AS owner_email FROM mailboxes m LEFT JOIN users u ON u.id = m.user_id
          WHERE m.workspace_id = $1 AND m.archived_at IS NULL ORDER BY m.id`,
  values: [workspaceId],
});

/** A mailbox of the workspace that is not archived (the settings pages). */
export const findActiveMailbox = (workspaceId: number, id: number): Sql<MailboxRow> => ({
  text: `SELECT * FROM mailboxes WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL`,
  values: [workspaceId, id],
});

export interface MailboxInput {
  userId: number | null;
  kind: 'smtp' | 'outbox';
  fromName: string;
  fromEmail: string;
  smtpHost: string | null;
  smtpPort: number | null;
  smtpSecure: boolean;
  smtpUser: string | null;
  smtpPassEnc: string | null;
  imapHost: string | null;
  imapPort: number | null;
  imapSecure: boolean;
  imapUser: string | null;
  imapPassEnc: string | null;
  dailyCap: number;
  minGapSeconds: number;
  maxGapSeconds: number;
}

const MAILBOX_COLS = `user_id, kind, from_name, from_email, smtp_host, smtp_port, smtp_secure, smtp_user, smtp_pass_enc,
  imap_host, imap_port, imap_secure, imap_user, imap_pass_enc, daily_cap, min_gap_seconds, max_gap_seconds`;
const mailboxValues = (m: MailboxInput) => [
  m.userId,
  m.kind,
  m.fromName,
  m.fromEmail,
  m.smtpHost,
  m.smtpPort,
  m.smtpSecure,
  m.smtpUser,
  m.smtpPassEnc,
  m.imapHost,
  m.imapPort,
  m.imapSecure,
  m.imapUser,
  m.imapPassEnc,
  m.dailyCap,
  m.minGapSeconds,
  m.maxGapSeconds,
];

export const insertMailbox = (workspaceId: number, m: MailboxInput): Sql<MailboxRow> => ({
  text: `INSERT INTO mailboxes (workspace_id, ${MAILBOX_COLS})
         VALUES ($1, ${Array.from({ length: 17 }, (_, i) => `$${i + 2}`).join(', ')}) RETURNING *`,
  values: [workspaceId, ...mailboxValues(m)],
});

/** A null sealed password keeps the stored one: the form never shows or resends it. */
export const updateMailbox = (workspaceId: number, id: number, m: MailboxInput): Sql<MailboxRow> => ({
  text: `UPDATE mailboxes SET user_id = $3, kind = $4, from_name = $5, from_email = $6, smtp_host = $7, smtp_port = $8, smtp_secure = $9,
                smtp_user = $10, smtp_pass_enc = coalesce($11, smtp_pass_enc), imap_host = $12, imap_port = $13, imap_secure = $14,
                imap_user = $15, imap_pass_enc = coalesce($16, imap_pass_enc), daily_cap = $17, min_gap_seconds = $18, max_gap_seconds = $19
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [workspaceId, id, ...mailboxValues(m)],
});

export const setMailboxPaused = (workspaceId: number, id: number, reason: string | null): Sql<MailboxRow> => ({
  text: `UPDATE mailboxes SET paused_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END, pause_reason = $3
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [workspaceId, id, reason],
});
