// CSV export: one page of a workspace's accounts, contacts, signals or sequences after an id
// (keyset), so a large table is streamed a page at a time and never held in memory.
import type { Sql } from '../types.js';

export type ExportKind = 'accounts' | 'contacts' | 'signals' | 'sequences';

const SELECTS: Record<ExportKind, string> = {
  accounts: `SELECT a.id, a.name, a.domain, array_to_string(a.aliases, '; ') AS aliases, u.email AS owner, a.time_zone, a.country,
                    array_to_string(a.tags, '; ') AS tags, a.notes, a.created_at, a.updated_at
               FROM accounts a LEFT JOIN users u ON u.id = a.owner_id
              WHERE a.workspace_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3`,
  contacts: `SELECT c.id, c.account_id, a.name AS account, a.domain AS account_domain, c.first_name, c.last_name, c.email, c.title,
                    c.status, c.status_reason, c.time_zone, c.linkedin_url, c.is_champion, c.previous_company,
                    c.last_contacted_at, c.created_at
               FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id
              WHERE c.workspace_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3`,
  signals: `SELECT s.id, s.type, s.subtype, s.title, s.summary, s.url, s.status, s.account_id, a.name AS account,
                   p.name AS play, s.occurred_at, s.detected_at
              FROM signals s LEFT JOIN accounts a ON a.id = s.account_id LEFT JOIN plays p ON p.id = s.play_id
             WHERE s.workspace_id = $1 AND s.id > $2 ORDER BY s.id LIMIT $3`,
  sequences: `SELECT q.id, q.status, q.stop_reason, q.account_id, a.name AS account, c.email AS contact, u.email AS owner,
                     m.from_email AS mailbox, p.name AS play, q.persona, q.signal_id,
                     (SELECT count(*) FROM sequence_steps st WHERE st.sequence_id = q.id)::int AS steps,
                     (SELECT count(*) FROM sequence_steps st WHERE st.sequence_id = q.id AND st.status = 'sent')::int AS steps_sent,
                     (SELECT count(*) FROM messages i WHERE i.sequence_id = q.id AND i.direction = 'in'
                       AND i.classification = 'reply')::int AS replies,
                     EXISTS (SELECT 1 FROM events e WHERE e.sequence_id = q.id AND e.type = 'meeting_booked') AS meeting_booked,
                     q.created_at, q.approved_at, q.started_at, q.ended_at
                FROM sequences q LEFT JOIN accounts a ON a.id = q.account_id LEFT JOIN contacts c ON c.id = q.contact_id
                LEFT JOIN users u ON u.id = q.owner_id LEFT JOIN mailboxes m ON m.id = q.mailbox_id LEFT JOIN plays p ON p.id = q.play_id
               WHERE q.workspace_id = $1 AND q.id > $2 ORDER BY q.id LIMIT $3`,
};

/** The columns of each export, in order (the header row). */
export const EXPORT_COLUMNS: Record<ExportKind, string[]> = {
  accounts: [
    'id',
    'name',
    'domain',
    'aliases',
    'owner',
    'time_zone',
    'country',
    'tags',
    'notes',
    'created_at',
    'updated_at',
  ],
  contacts: [
    'id',
    'account_id',
    'account',
    'account_domain',
    'first_name',
    'last_name',
    'email',
    'title',
    'status',
    'status_reason',
    'time_zone',
    'linkedin_url',
    'is_champion',
    'previous_company',
    'last_contacted_at',
    'created_at',
  ],
  signals: [
    'id',
    'type',
    'subtype',
    'title',
    'summary',
    'url',
    'status',
    'account_id',
    'account',
    'play',
    'occurred_at',
    'detected_at',
  ],
  sequences: [
    'id',
    'status',
    'stop_reason',
    'account_id',
    'account',
    'contact',
    'owner',
    'mailbox',
    'play',
    'persona',
    'signal_id',
    'steps',
    'steps_sent',
    'replies',
    'meeting_booked',
    'created_at',
    'approved_at',
    'started_at',
    'ended_at',
  ],
};

export const exportPage = (
  kind: ExportKind,
  workspaceId: number,
  afterId: number,
  limit: number,
): Sql<Record<string, unknown>> => ({
  text: SELECTS[kind],
  values: [workspaceId, afterId, limit],
});
