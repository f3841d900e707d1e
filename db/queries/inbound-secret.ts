// A mailbox's inbound-mail webhook secret: read for the admin's mailbox page and the CLI, written
// only by a rotation.
import type { Sql } from '../types.js';

export interface InboundSecretRow {
  id: number;
  from_email: string;
  inbound_secret_enc: string | null;
}

export const mailboxInboundSecrets = (workspaceId: number, mailboxId?: number): Sql<InboundSecretRow> => ({
  text: `SELECT id, from_email, inbound_secret_enc FROM mailboxes
          WHERE workspace_id = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY id`,
  values: [workspaceId, mailboxId ?? null],
});

export const setMailboxInboundSecret = (
  workspaceId: number,
  mailboxId: number,
  sealed: string,
): Sql<{ id: number }> => ({
  text: `UPDATE mailboxes SET inbound_secret_enc = $3 WHERE workspace_id = $1 AND id = $2 RETURNING id`,
  values: [workspaceId, mailboxId, sealed],
});
