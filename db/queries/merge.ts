// Merging two accounts or two contacts: what would move (the confirmation page), the refusal
// (both have live sequences to one person), moving every row that points at the merged-away one,
// the kept one taking its names as aliases, the merge record that old links redirect through.
import type { Sql } from '../types.js';
import type { AccountRow } from './accounts.js';
import type { ContactRow } from './contacts.js';

export type MergeKind = 'account' | 'contact';

/** Sequences that may still send (or be approved to). */
const LIVE = `('drafting', 'pending_review', 'snoozed', 'active', 'paused')`;

export const lockAccounts = (workspaceId: number, ids: number[]): Sql<AccountRow> => ({
  text: `SELECT * FROM accounts WHERE workspace_id = $1 AND id = ANY($2::bigint[]) ORDER BY id FOR UPDATE`,
  values: [workspaceId, ids],
});

export const lockContacts = (workspaceId: number, ids: number[]): Sql<ContactRow> => ({
  text: `SELECT * FROM contacts WHERE workspace_id = $1 AND id = ANY($2::bigint[]) ORDER BY id FOR UPDATE`,
  values: [workspaceId, ids],
});

/** How many rows point at an account, per kind of history. */
export const accountHistory = (
  id: number,
): Sql<{ contacts: number; signals: number; sequences: number; dossiers: number; facts: number; events: number }> => ({
  text: `SELECT (SELECT count(*) FROM contacts WHERE account_id = $1)::int AS contacts,
                (SELECT count(*) FROM signals WHERE account_id = $1)::int AS signals,
                (SELECT count(*) FROM sequences WHERE account_id = $1)::int AS sequences,
                (SELECT count(*) FROM dossiers WHERE account_id = $1)::int AS dossiers,
                (SELECT count(*) FROM facts f JOIN dossiers d ON d.id = f.dossier_id WHERE d.account_id = $1)::int AS facts,
                (SELECT count(*) FROM events WHERE account_id = $1)::int AS events`,
  values: [id],
});

export const contactHistory = (
  id: number,
): Sql<{
  signals: number;
  sequences: number;
  dossiers: number;
  facts: number;
  messages: number;
  events: number;
  changes: number;
}> => ({
  text: `SELECT (SELECT count(*) FROM signals WHERE contact_id = $1 OR $1 = ANY(target_contact_ids))::int AS signals,
                (SELECT count(*) FROM sequences WHERE contact_id = $1)::int AS sequences,
                (SELECT count(*) FROM dossiers WHERE contact_id = $1)::int AS dossiers,
                (SELECT count(*) FROM facts f JOIN dossiers d ON d.id = f.dossier_id WHERE d.contact_id = $1)::int AS facts,
                (SELECT count(*) FROM messages WHERE contact_id = $1)::int AS messages,
                (SELECT count(*) FROM events WHERE contact_id = $1)::int AS events,
                (SELECT count(*) FROM contact_changes WHERE contact_id = $1)::int AS changes`,
  values: [id],
});

/** People with a live sequence from each side: a merge would leave one person with two. */
export const liveClash = (kind: MergeKind, fromId: number, intoId: number): Sql<{ person: string }> => ({
  text:
    kind === 'contact'
      ? `SELECT c.email AS person FROM contacts c
          WHERE c.id = $1 AND EXISTS (SELECT 1 FROM sequences s WHERE s.contact_id = $1 AND s.status IN ${LIVE})
            AND EXISTS (SELECT 1 FROM sequences s WHERE s.contact_id = $2 AND s.status IN ${LIVE})`
      : `SELECT DISTINCT c.email AS person FROM sequences a JOIN sequences b ON b.contact_id = a.contact_id
           JOIN contacts c ON c.id = a.contact_id
          WHERE a.account_id = $1 AND b.account_id = $2 AND a.status IN ${LIVE} AND b.status IN ${LIVE}`,
  values: [fromId, intoId],
});

/** Every row that points at the merged-away account, onto the kept one. */
export const moveAccountRows = (fromId: number, intoId: number): Sql[] =>
  ['contacts', 'signals', 'sequences', 'dossiers', 'events'].map((t) => ({
    text: `UPDATE ${t} SET account_id = $2 WHERE account_id = $1`,
    values: [fromId, intoId],
  }));

/** The kept account takes the other's domain, name and aliases as aliases, its tags, its notes, and an owner if it had none. */
export const absorbAccount = (fromId: number, intoId: number): Sql => ({
  text: `UPDATE accounts i SET
           aliases = ARRAY(SELECT DISTINCT x
                           FROM unnest(i.aliases || f.aliases || ARRAY[f.name] || CASE WHEN f.domain IS NULL
                                       THEN '{}'::text[] ELSE ARRAY[f.domain] END) x
                           WHERE x IS NOT NULL AND x <> '' AND lower(x) <> lower(coalesce(i.domain, '')) AND x <> i.name),
           tags = ARRAY(SELECT DISTINCT t FROM unnest(i.tags || f.tags) t),
           notes = CASE WHEN f.notes = '' THEN i.notes WHEN i.notes = '' THEN f.notes ELSE i.notes || E'\\n\\n' || f.notes END,
           owner_id = coalesce(i.owner_id, f.owner_id), time_zone = coalesce(i.time_zone, f.time_zone),
           country = coalesce(i.country, f.country), updated_at = now()
          FROM accounts f WHERE i.id = $2 AND f.id = $1`,
  values: [fromId, intoId],
});

/** A dossier of the merged-away contact for a signal the kept one also has: its facts join the kept one's. */
export const mergeClashingDossiers = (fromId: number, intoId: number): Sql[] => [
  {
    text: `UPDATE facts f SET dossier_id = k.id FROM dossiers d JOIN dossiers k ON k.signal_id = d.signal_id AND k.contact_id = $2
            WHERE f.dossier_id = d.id AND d.contact_id = $1`,
    values: [fromId, intoId],
  },
  {
    text: `DELETE FROM dossiers d USING dossiers k WHERE d.contact_id = $1 AND k.signal_id = d.signal_id AND k.contact_id = $2`,
    values: [fromId, intoId],
  },
];

export const moveContactRows = (fromId: number, intoId: number): Sql[] => [
  ...['signals', 'sequences', 'dossiers', 'messages', 'events', 'contact_changes'].map((t) => ({
    text: `UPDATE ${t} SET contact_id = $2 WHERE contact_id = $1`,
    values: [fromId, intoId],
  })),
  {
    text: `UPDATE signals SET target_contact_ids = array_replace(target_contact_ids, $1::bigint, $2::bigint)
             WHERE $1 = ANY(target_contact_ids)`,
    values: [fromId, intoId],
  },
];

/**
 * The kept contact takes the other's address and aliases as aliases, fills what it lacks, and the
 * stricter of the two statuses: an opt-out or do-not-contact on either holds for the person.
 */
export const absorbContact = (fromId: number, intoId: number): Sql => ({
  text: `UPDATE contacts i SET
           aliases = ARRAY(SELECT DISTINCT x FROM unnest(i.aliases || f.aliases || ARRAY[f.email]) x WHERE lower(x) <> lower(i.email)),
           account_id = coalesce(i.account_id, f.account_id),
           first_name = CASE WHEN i.first_name = '' THEN f.first_name ELSE i.first_name END,
           last_name = CASE WHEN i.last_name = '' THEN f.last_name ELSE i.last_name END,
           title = CASE WHEN i.title = '' THEN f.title ELSE i.title END,
           time_zone = coalesce(i.time_zone, f.time_zone), linkedin_url = coalesce(i.linkedin_url, f.linkedin_url),
           is_champion = i.is_champion OR f.is_champion,
           status = CASE WHEN f.status IN ('do_not_contact', 'unsubscribed') AND i.status NOT IN ('do_not_contact', 'unsubscribed')
                         THEN f.status ELSE i.status END,
           status_reason = CASE WHEN f.status IN ('do_not_contact', 'unsubscribed') AND i.status NOT IN ('do_not_contact', 'unsubscribed')
                                THEN f.status_reason ELSE i.status_reason END,
           last_contacted_at = greatest(i.last_contacted_at, f.last_contacted_at), updated_at = now()
          FROM contacts f WHERE i.id = $2 AND f.id = $1`,
  values: [fromId, intoId],
});

/** The CRM's record of the merged-away one now names the kept one, so a sync does not bring it back. */
export const moveCrmIds = (kind: MergeKind, fromId: number, intoId: number, workspaceId: number): Sql => ({
  text: `UPDATE crm_external_ids SET local_id = $3 WHERE workspace_id = $1 AND object = $4 AND local_id = $2`,
  values: [workspaceId, fromId, intoId, kind === 'account' ? 'company' : 'contact'],
});

export const deleteMerged = (kind: MergeKind, id: number): Sql => ({
  text: `DELETE FROM ${kind === 'account' ? 'accounts' : 'contacts'} WHERE id = $1`,
  values: [id],
});

export const insertMerge = (m: {
  workspaceId: number;
  kind: MergeKind;
  fromId: number;
  intoId: number;
  snapshot: unknown;
  moved: unknown;
  userId: number;
}): Sql<{ id: number }> => ({
  text: `INSERT INTO merges (workspace_id, kind, from_id, into_id, snapshot, moved, merged_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
  values: [m.workspaceId, m.kind, m.fromId, m.intoId, JSON.stringify(m.snapshot), JSON.stringify(m.moved), m.userId],
});

/** Where a merged-away id lives on now (following merges of merges). */
export const mergedInto = (workspaceId: number, kind: MergeKind, id: number): Sql<{ id: number }> => ({
  text: `WITH RECURSIVE chain(id, depth) AS (
           SELECT into_id, 1 FROM merges WHERE workspace_id = $1 AND kind = $2 AND from_id = $3
           UNION ALL
           SELECT m.into_id, c.depth + 1 FROM merges m JOIN chain c ON m.from_id = c.id
            WHERE m.workspace_id = $1 AND m.kind = $2 AND c.depth < 20)
         SELECT id FROM chain ORDER BY depth DESC LIMIT 1`,
  values: [workspaceId, kind, id],
});
