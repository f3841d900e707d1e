import type { Sql } from '../types.js';
import type { SignalRow } from './signals.js';

export interface NeedsContactRow {
  id: number;
  workspace_id: number;
  type: string;
  subtype: string | null;
  title: string;
  url: string | null;
  detected_at: Date;
  account_id: number;
  account_name: string;
  account_domain: string | null;
  account_owner_id: number | null;
  people:
    | {
        role: 'contact' | 'found';
        name: string;
        title?: string | null;
        sourceUrl?: string | null;
        source?: string | null;
      }[]
    | null;
  skipped: { id: number; reason: string }[] | null;
}

/** Signals waiting for a rep to name a contact, newest first; `ownerId` limits to one rep's accounts (and unowned ones). */
export const signalsNeedingContact = (
  workspaceId: number,
  ownerId: number | null,
  limit = 20,
): Sql<NeedsContactRow & { total: number }> => ({
  text: `SELECT s.id, s.workspace_id, s.type, s.subtype, s.title, s.url, s.detected_at,
                a.id AS account_id, a.name AS account_name, a.domain AS account_domain, a.owner_id AS account_owner_id,
                d.people, d.stats->'skippedContacts' AS skipped, count(*) OVER ()::int AS total
           FROM signals s JOIN accounts a ON a.id = s.account_id
           LEFT JOIN LATERAL (SELECT people, stats FROM dossiers WHERE signal_id = s.id ORDER BY id DESC LIMIT 1) d ON true
          WHERE s.workspace_id = $1 AND s.status = 'needs_contact' AND ($2::bigint IS NULL OR a.owner_id = $2 OR a.owner_id IS NULL)
          ORDER BY s.detected_at DESC, s.id DESC LIMIT $3`,
  values: [workspaceId, ownerId, limit],
});

export const findSignalNeedingContact = (
  workspaceId: number,
  signalId: number,
): Sql<NeedsContactRow & { status: SignalRow['status'] }> => ({
  text: `SELECT s.id, s.workspace_id, s.type, s.subtype, s.title, s.url, s.detected_at, s.status,
                a.id AS account_id, a.name AS account_name, a.domain AS account_domain, a.owner_id AS account_owner_id,
                d.people, d.stats->'skippedContacts' AS skipped
           FROM signals s JOIN accounts a ON a.id = s.account_id
           LEFT JOIN LATERAL (SELECT people, stats FROM dossiers WHERE signal_id = s.id ORDER BY id DESC LIMIT 1) d ON true
          WHERE s.workspace_id = $1 AND s.id = $2`,
  values: [workspaceId, signalId],
});

/** The rep named a contact: research runs again for them (the signal stays needs_contact until it does). */
export const targetSignalContact = (signalId: number, contactId: number): Sql<{ id: number }> => ({
  text: `UPDATE signals SET target_contact_ids = ARRAY[$2::bigint], error = NULL, updated_at = now()
          WHERE id = $1 AND status = 'needs_contact' RETURNING id`,
  values: [signalId, contactId],
});
