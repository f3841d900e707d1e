import type { Sql } from '../types.js';

export const insertOutboxMailbox = (m: {
  workspaceId: number;
  userId: number;
  fromName: string;
  fromEmail: string;
}): Sql => ({
  text: `INSERT INTO mailboxes (workspace_id, user_id, kind, from_name, from_email) VALUES ($1, $2, 'outbox', $3, $4) RETURNING *`,
  values: [m.workspaceId, m.userId, m.fromName, m.fromEmail],
});

export const listMailboxes = (workspaceId: number): Sql => ({
  text: `SELECT id, workspace_id, user_id, kind, from_name, from_email, smtp_host, smtp_port, imap_host, imap_port,
                daily_cap, min_gap_seconds, max_gap_seconds, paused_at, pause_reason, last_sent_at
           FROM mailboxes WHERE workspace_id = $1 ORDER BY id`,
  values: [workspaceId],
});
