// draft_slots: the per-workspace drafting limit shared by every process (drafting/workspace-limit.ts).
import type { Sql } from '../types.js';

/**
 * Takes a free slot (none held, or its lease run out) when fewer than `limit` live slots are held:
 * the slot's number, or no row. Two takers of one slot meet at the primary key: the second finds
 * the row live and gets nothing.
 */
export const takeDraftSlot = (
  workspaceId: number,
  limit: number,
  holder: string,
  leaseSeconds: number,
): Sql<{ slot: number }> => ({
  text: `INSERT INTO draft_slots (workspace_id, slot, holder, expires_at)
         SELECT $1, s.slot, $3, now() + make_interval(secs => $4)
           FROM generate_series(0, $2 - 1) AS s(slot)
          WHERE NOT EXISTS (SELECT 1 FROM draft_slots d
                             WHERE d.workspace_id = $1 AND d.slot = s.slot AND d.expires_at > now())
            AND (SELECT count(*) FROM draft_slots d WHERE d.workspace_id = $1 AND d.expires_at > now()) < $2
          ORDER BY s.slot
          LIMIT 1
         ON CONFLICT (workspace_id, slot) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
          WHERE draft_slots.expires_at <= now()
         RETURNING slot`,
  values: [workspaceId, limit, holder, leaseSeconds],
});

/** Extends the holder's lease; no row when the slot is no longer its own. */
export const renewDraftSlot = (
  workspaceId: number,
  slot: number,
  holder: string,
  leaseSeconds: number,
): Sql<{ slot: number }> => ({
  text: `UPDATE draft_slots SET expires_at = now() + make_interval(secs => $4)
          WHERE workspace_id = $1 AND slot = $2 AND holder = $3
         RETURNING slot`,
  values: [workspaceId, slot, holder, leaseSeconds],
});

export const releaseDraftSlot = (workspaceId: number, slot: number, holder: string): Sql => ({
  text: `DELETE FROM draft_slots WHERE workspace_id = $1 AND slot = $2 AND holder = $3`,
  values: [workspaceId, slot, holder],
});
