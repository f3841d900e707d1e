// The outbox view (messages we sent, as stored with their raw MIME) and the demo's "send now".
import type { Sql } from '../types.js';

export interface OutboxRow {
  id: number;
  sequence_id: number | null;
  step_id: number | null;
  mailbox_id: number | null;
  mailbox_kind: string | null;
  from_addr: string;
  to_addr: string;
  subject: string;
  at: Date;
  message_id: string | null;
  step_position: number | null;
  step_status: string | null;
  sequence_status: string | null;
  stop_reason: string | null;
  owner_id: number | null;
  account_owner_id: number | null;
  account_id: number | null;
  replies: number;
}

const OUTBOX_SELECT = `SELECT m.id, m.sequence_id, m.step_id, m.mailbox_id, mb.kind AS mailbox_kind, m.from_addr,
                m.to_addr, m.subject, m.at, m.message_id,
                st.position AS step_position, st.status AS step_status, s.status AS sequence_status, s.stop_reason,
                s.owner_id, a.owner_id AS account_owner_id, s.account_id,
                (SELECT count(*) FROM messages i WHERE i.direction = 'in' AND i.sequence_id = m.sequence_id)::int AS replies
           FROM messages m
           LEFT JOIN mailboxes mb ON mb.id = m.mailbox_id
           LEFT JOIN sequence_steps st ON st.id = m.step_id
           LEFT JOIN sequences s ON s.id = m.sequence_id
           LEFT JOIN accounts a ON a.id = s.account_id`;

/** Sent messages, newest first; `ownerId` limits a rep to sequences they own or whose account they own. */
export const listOutbox = (
  workspaceId: number,
  ownerId: number | null,
  limit: number,
  offset: number,
): Sql<OutboxRow> => ({
  text: `${OUTBOX_SELECT}
          WHERE m.workspace_id = $1 AND m.direction = 'out' AND ($2::bigint IS NULL OR s.owner_id = $2 OR a.owner_id = $2)
          ORDER BY m.at DESC, m.id DESC LIMIT $3 OFFSET $4`,
  values: [workspaceId, ownerId, limit, offset],
});

export const countOutbox = (workspaceId: number, ownerId: number | null): Sql<{ n: number }> => ({
  text: `SELECT count(*)::int AS n FROM messages m LEFT JOIN sequences s ON s.id = m.sequence_id LEFT JOIN accounts a ON a.id = s.account_id
          WHERE m.workspace_id = $1 AND m.direction = 'out' AND ($2::bigint IS NULL OR s.owner_id = $2 OR a.owner_id = $2)`,
  values: [workspaceId, ownerId],
});

export const findOutMessage = (workspaceId: number, id: number): Sql<OutboxRow & { raw: string | null }> => ({
  text: `SELECT x.*, m.raw FROM (${OUTBOX_SELECT} WHERE m.workspace_id = $1 AND m.id = $2 AND m.direction = 'out') x
           JOIN messages m ON m.id = x.id`,
  values: [workspaceId, id],
});

/** What came back on a sequence (replies, auto-replies, bounces), oldest first. */
export const inboundOnSequence = (
  sequenceId: number,
): Sql<{
  id: number;
  from_addr: string;
  subject: string;
  classification: string | null;
  visible_text: string | null;
  at: Date;
}> => ({
  text: `SELECT id, from_addr, subject, classification, visible_text, at
           FROM messages WHERE sequence_id = $1 AND direction = 'in' ORDER BY at, id`,
  values: [sequenceId],
});

export const isDemoWorkspace = (workspaceId: number): Sql<{ demo: boolean }> => ({
  text: `SELECT (settings->>'demo') = 'true' AS demo FROM workspaces WHERE id = $1`,
  values: [workspaceId],
});

/** The next unsent step of each active sequence (what "send now" sends); `ownerId` keeps a rep to the sequences they may act on. */
export const nextScheduledSteps = (
  workspaceId: number,
  ownerId: number | null = null,
): Sql<{ id: number; sequence_id: number }> => ({
  text: `SELECT DISTINCT ON (st.sequence_id) st.id, st.sequence_id
           FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id
           LEFT JOIN accounts a ON a.id = s.account_id
          WHERE s.workspace_id = $1 AND s.status = 'active' AND st.status = 'scheduled'
            AND ($2::bigint IS NULL OR s.owner_id = $2 OR a.owner_id = $2)
          ORDER BY st.sequence_id, st.position`,
  values: [workspaceId, ownerId],
});

export const findTemplateByName = (workspaceId: number, name: string): Sql<{ id: number }> => ({
  text: `SELECT id FROM sequence_templates WHERE workspace_id = $1 AND name = $2 ORDER BY id LIMIT 1`,
  values: [workspaceId, name],
});

/** Archived at once: plays and the settings list never offer it; it only carries the open window. */
export const insertArchivedTemplate = (
  workspaceId: number,
  name: string,
  description: string,
  window: unknown,
): Sql<{ id: number }> => ({
  text: `INSERT INTO sequence_templates (workspace_id, name, description, steps, sending_window, fallback_window, is_default, archived_at)
         VALUES ($1, $2, $3, '[]'::jsonb, $4, NULL, false, now()) RETURNING id`,
  values: [workspaceId, name, description, JSON.stringify(window)],
});

/**
 * Moves a scheduled step to now under the open window (demo only; the claim still re-checks
 * everything else); returns the sequence's own template, which `restoreTemplate` puts back.
 */
export const openStepNow = (
  stepId: number,
  templateId: number,
  now: Date,
): Sql<{ previous_template_id: number | null }> => ({
  text: `WITH prev AS (SELECT sq.id, sq.template_id FROM sequences sq
                      WHERE sq.id = (SELECT sequence_id FROM sequence_steps WHERE id = $1) AND sq.status = 'active'),
              s AS (UPDATE sequences SET template_id = $2 WHERE id IN (SELECT id FROM prev) RETURNING id)
         UPDATE sequence_steps SET scheduled_at = $3 WHERE id = $1 AND status = 'scheduled' AND sequence_id IN (SELECT id FROM s)
         RETURNING id, (SELECT template_id FROM prev) AS previous_template_id`,
  values: [stepId, templateId, now],
});

/** After the demo's step went (or did not): the sequence's later steps keep their own windows. */
export const restoreTemplate = (sequenceId: number, demoTemplateId: number, templateId: number | null): Sql => ({
  text: `UPDATE sequences SET template_id = $3 WHERE id = $1 AND template_id = $2`,
  values: [sequenceId, demoTemplateId, templateId],
});

/** Steps "send now" could not send, with why and when they are expected to go. */
export interface WaitingStepRow {
  id: number;
  status: string;
  scheduled_at: Date | null;
  last_error: string | null;
  skip_reason: string | null;
  step_no: number;
  first_name: string | null;
  last_name: string | null;
  email: string;
}

export const waitingSteps = (workspaceId: number, stepIds: number[], ownerId: number | null): Sql<WaitingStepRow> => ({
  text: `SELECT st.id, st.status, st.scheduled_at, st.last_error, st.skip_reason,
                (SELECT count(*) FROM sequence_steps e WHERE e.sequence_id = st.sequence_id AND e.position <= st.position)::int AS step_no,
                c.first_name, c.last_name, c.email
           FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id JOIN contacts c ON c.id = s.contact_id
           LEFT JOIN accounts a ON a.id = s.account_id
          WHERE s.workspace_id = $1 AND st.id = ANY($2::bigint[])
            AND ($3::bigint IS NULL OR s.owner_id = $3 OR a.owner_id = $3)
          ORDER BY st.scheduled_at NULLS LAST, st.id`,
  values: [workspaceId, stepIds, ownerId],
});
