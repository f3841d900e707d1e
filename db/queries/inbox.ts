// Inbound mail: matching to our sent steps and contacts, storing classified messages, IMAP sync state.
import type { Sql } from '../types.js';

/** Our sent step by one of the Message-IDs a reply refers to, newest reference first. */
export const stepByMessageIds = (
  workspaceId: number,
  messageIds: string[],
): Sql<{
  step_id: number;
  sequence_id: number;
  contact_id: number;
  account_id: number | null;
  email: string;
  time_zone: string | null;
  mailbox_id: number | null;
}> => ({
  text: `SELECT st.id AS step_id, st.mailbox_id, s.id AS sequence_id, s.contact_id, s.account_id, c.email, c.time_zone
           FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id JOIN contacts c ON c.id = s.contact_id
          WHERE s.workspace_id = $1 AND st.message_id = ANY($2::text[])
          ORDER BY st.position DESC LIMIT 1`,
  values: [workspaceId, messageIds],
});

/** The contact by address, with their most recent sequence that could still send (or the latest at all). */
export const contactByEmail = (
  workspaceId: number,
  email: string,
): Sql<{
  contact_id: number;
  email: string;
  account_id: number | null;
  time_zone: string | null;
  sequence_id: number | null;
}> => ({
  text: `SELECT c.id AS contact_id, c.email, c.account_id, c.time_zone,
                (SELECT s.id FROM sequences s WHERE s.contact_id = c.id
                  ORDER BY (s.status IN ('active', 'paused')) DESC, s.id DESC LIMIT 1) AS sequence_id
           FROM contacts c WHERE c.workspace_id = $1 AND lower(c.email) = lower($2)`,
  values: [workspaceId, email],
});

export const isOwnMessage = (workspaceId: number, messageId: string | null, from: string): Sql<{ own: boolean }> => ({
  text: `SELECT EXISTS (SELECT 1 FROM messages WHERE workspace_id = $1 AND direction = 'out' AND message_id = $2)
             OR EXISTS (SELECT 1 FROM mailboxes WHERE workspace_id = $1 AND lower(from_email) = lower($3)) AS own`,
  values: [workspaceId, messageId, from],
});

export const ownAddresses = (workspaceId: number): Sql<{ email: string }> => ({
  text: `SELECT lower(from_email) AS email FROM mailboxes WHERE workspace_id = $1`,
  values: [workspaceId],
});

export const insertInMessage = (m: {
  workspaceId: number;
  mailboxId: number | null;
  sequenceId: number | null;
  stepId: number | null;
  contactId: number | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  from: string;
  to: string;
  subject: string;
  text: string;
  visibleText: string;
  raw: string;
  classification: string;
  details: unknown;
  imapUid: number | null;
  at: Date;
}): Sql<{ id: number }> => ({
  text: `INSERT INTO messages (workspace_id, mailbox_id, sequence_id, step_id, contact_id, direction, message_id, in_reply_to, "references",
                               from_addr, to_addr, subject, text_body, visible_text, raw, classification,
                               classification_details, imap_uid, at)
         VALUES ($1, $2, $3, $4, $5, 'in', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         ON CONFLICT DO NOTHING RETURNING id`,
  values: [
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
    m.visibleText,
    m.raw,
    m.classification,
    JSON.stringify(m.details),
    m.imapUid,
    m.at,
  ],
});

export const findInMessage = (
  id: number,
): Sql<{
  id: number;
  workspace_id: number;
  contact_id: number | null;
  sequence_id: number | null;
  step_id: number | null;
  from_addr: string;
  classification: string | null;
}> => ({
  text: `SELECT * FROM messages WHERE id = $1 AND direction = 'in'`,
  values: [id],
});

export const correctClassification = (id: number, kind: string, userId: number): Sql => ({
  text: `UPDATE messages SET classification = $2, corrected_by = $3,
                classification_details = classification_details || jsonb_build_object('correctedFrom', classification)
          WHERE id = $1 AND direction = 'in' RETURNING *`,
  values: [id, kind, userId],
});

export const saveImapState = (mailboxId: number, uidValidity: number, lastUid: number, now: Date): Sql => ({
  text: `UPDATE mailboxes SET imap_uidvalidity = $2, imap_last_uid = $3, imap_synced_at = $4, imap_error = NULL WHERE id = $1`,
  values: [mailboxId, uidValidity, lastUid, now],
});

export const saveImapError = (mailboxId: number, error: string, now: Date): Sql => ({
  text: `UPDATE mailboxes SET imap_error = $2, imap_synced_at = $3 WHERE id = $1`,
  values: [mailboxId, error, now],
});

export const imapMailboxes = (): Sql<{ id: number }> => ({
  text: `SELECT id FROM mailboxes WHERE archived_at IS NULL AND (imap_host IS NOT NULL OR kind IN ('google', 'microsoft')) ORDER BY id`,
  values: [],
});

export const markWebhookDelivery = (source: string, deliveryId: string): Sql<{ delivery_id: string }> => ({
  text: `INSERT INTO webhook_deliveries (source, delivery_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING delivery_id`,
  values: [source, deliveryId],
});

/** Where the API read path (Gmail historyId, Graph deltaLink) left off. */
export const apiCursor = (mailboxId: number): Sql<{ api_cursor: string | null }> => ({
  text: `SELECT api_cursor FROM mailbox_oauth WHERE mailbox_id = $1`,
  values: [mailboxId],
});

export const saveApiCursor = (mailboxId: number, cursor: string, now: Date): Sql => ({
  text: `WITH c AS (UPDATE mailbox_oauth SET api_cursor = $2 WHERE mailbox_id = $1)
         UPDATE mailboxes SET imap_synced_at = $3, imap_error = NULL WHERE id = $1`,
  values: [mailboxId, cursor, now],
});
