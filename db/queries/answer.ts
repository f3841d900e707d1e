// Answering a reply from the app: the inbound message with its thread and the mailbox it came
// to, the answer stored as an outbound message with no step (it is nobody's sequence step).
import type { Sql } from '../types.js';

export interface AnswerTarget {
  id: number;
  workspace_id: number;
  message_id: string | null;
  references: string[];
  subject: string;
  from_addr: string;
  to_addr: string;
  visible_text: string | null;
  text_body: string;
  at: Date;
  sequence_id: number | null;
  contact_id: number | null;
  account_id: number | null;
  owner_id: number | null;
  account_owner_id: number | null;
  contact_name: string | null;
  account_name: string | null;
  /** The mailbox that received the reply, else the sequence's, else the one its last message went from. */
  mailbox_id: number | null;
}

export const findAnswerTarget = (workspaceId: number, messageId: number): Sql<AnswerTarget> => ({
  text: `SELECT m.id, m.workspace_id, m.message_id, m."references", m.subject, m.from_addr, m.to_addr, m.visible_text,
                left(m.text_body, 20000) AS text_body, m.at, m.sequence_id, m.contact_id,
                coalesce(s.account_id, c.account_id) AS account_id, s.owner_id, a.owner_id AS account_owner_id,
                nullif(trim(c.first_name || ' ' || c.last_name), '') AS contact_name, a.name AS account_name,
                coalesce(m.mailbox_id, s.mailbox_id,
                         (SELECT o.mailbox_id FROM messages o WHERE o.sequence_id = m.sequence_id AND o.direction = 'out'
                             AND o.mailbox_id IS NOT NULL ORDER BY o.at DESC, o.id DESC LIMIT 1)) AS mailbox_id
           FROM messages m
           LEFT JOIN sequences s ON s.id = m.sequence_id
           LEFT JOIN contacts c ON c.id = m.contact_id
           LEFT JOIN accounts a ON a.id = coalesce(s.account_id, c.account_id)
          WHERE m.workspace_id = $1 AND m.id = $2 AND m.direction = 'in'`,
  values: [workspaceId, messageId],
});

export interface SentAnswer {
  id: number;
  subject: string;
  text_body: string;
  at: Date;
  sent_by_name: string | null;
}

/** Answers already written to this reply in the app, oldest first. */
export const answersTo = (workspaceId: number, inReplyTo: string): Sql<SentAnswer> => ({
  text: `SELECT m.id, m.subject, m.text_body, m.at, u.name AS sent_by_name
           FROM messages m LEFT JOIN users u ON u.id = m.sent_by
          WHERE m.workspace_id = $1 AND m.direction = 'out' AND m.in_reply_to = $2 AND m.step_id IS NULL
          ORDER BY m.at, m.id`,
  values: [workspaceId, inReplyTo],
});

export const insertAnswer = (m: {
  workspaceId: number;
  mailboxId: number;
  sequenceId: number | null;
  contactId: number | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  from: string;
  to: string;
  subject: string;
  text: string;
  raw: string;
  outboxPath: string | null;
  sentBy: number;
  at: Date;
}): Sql<{ id: number }> => ({
  text: `INSERT INTO messages (workspace_id, mailbox_id, sequence_id, step_id, contact_id, direction, message_id, in_reply_to,
                               "references", from_addr, to_addr, subject, text_body, raw, outbox_path, sent_by, at)
         VALUES ($1, $2, $3, NULL, $4, 'out', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
  values: [
    m.workspaceId,
    m.mailboxId,
    m.sequenceId,
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
    m.sentBy,
    m.at,
  ],
});
