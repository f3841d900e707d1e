// The CRM hold-out (issue 14): crm_hold_out() of migration 0040, the one implementation of the
// RevOps rule, read for one account or for every sequence of a workspace that could still send.
import type { Sql } from '../types.js';

/** Why the workspace's CRM holds this account out, in words, or null. */
export const accountHoldOut = (workspaceId: number, accountId: number): Sql<{ reason: string | null }> => ({
  text: `SELECT crm_hold_out($1, $2) AS reason`,
  values: [workspaceId, accountId],
});

/**
 * Sequences that could still send (active or paused) whose account the CRM holds out now; drafts not approved
 * yet are left to approval, which refuses them while held.
 */
export const heldOutSequences = (workspaceId: number): Sql<{ id: number; reason: string }> => ({
  text: `SELECT id, reason FROM (
           SELECT s.id::int AS id, crm_hold_out(s.workspace_id, coalesce(s.account_id, c.account_id)) AS reason
             FROM sequences s JOIN contacts c ON c.id = s.contact_id
            WHERE s.workspace_id = $1 AND s.status IN ('active', 'paused')) h
          WHERE reason IS NOT NULL ORDER BY id`,
  values: [workspaceId],
});
