// Moving through the review queue one draft at a time: snooze wake-ups, the next draft, a draft's
// neighbours, and what a bulk approval lists.
import type { Sql } from '../types.js';
import { QUEUE_ORDER, visible } from './review-queue-filter.js';

/** Returns snoozed drafts whose time has come to the queue (the maintenance tick; GET never writes). */
export const wakeSnoozed = (workspaceId: number | null, now: Date): Sql => ({
  text: `UPDATE sequences SET status = 'pending_review', snoozed_until = NULL, updated_at = now()
          WHERE ($1::bigint IS NULL OR workspace_id = $1) AND status = 'snoozed' AND snoozed_until <= $2 RETURNING id`,
  values: [workspaceId, now],
});

/** The draft the reviewer sees after `afterId` in queue order (flagged first, then newest signal), or the first. */
export const nextInQueue = (workspaceId: number, viewer: number | null, exclude: number[]): Sql<{ id: number }> => ({
  text: `SELECT s.id FROM sequences s JOIN signals sig ON sig.id = s.signal_id LEFT JOIN accounts a ON a.id = s.account_id
          WHERE s.workspace_id = $1 AND s.status = 'pending_review' AND ${visible(2)} AND NOT (s.id = ANY($3::bigint[]))
          ORDER BY ${QUEUE_ORDER} LIMIT 1`,
  values: [workspaceId, viewer, exclude],
});

const KEY = `(s.flagged, s.signal_detected_at, s.signal_id, s.id)`;
const PENDING = `FROM sequences s JOIN signals sig ON sig.id = s.signal_id LEFT JOIN accounts a ON a.id = s.account_id
  WHERE s.workspace_id = $1 AND s.status = 'pending_review' AND ${visible(2)}`;

/**
 * Neighbours of a draft in queue order, for j/k: one step each way from the draft's own place
 * in the queue's index (every key column runs the same way), not a window over the whole queue.
 * No row when the draft is not in the viewer's queue.
 */
export const queueNeighbours = (
  workspaceId: number,
  viewer: number | null,
  id: number,
): Sql<{ prev_id: number | null; next_id: number | null }> => ({
  text: `WITH cur AS (SELECT s.flagged AS f, s.signal_detected_at AS d, s.signal_id AS g, s.id ${PENDING} AND s.id = $3)
         SELECT (SELECT s.id ${PENDING} AND ${KEY} > (cur.f, cur.d, cur.g, cur.id)
                  ORDER BY s.flagged, s.signal_detected_at, s.signal_id, s.id LIMIT 1) AS prev_id,
                (SELECT s.id ${PENDING} AND ${KEY} < (cur.f, cur.d, cur.g, cur.id) ORDER BY ${QUEUE_ORDER} LIMIT 1) AS next_id
           FROM cur`,
  values: [workspaceId, viewer, id],
});

export interface BulkApproveRow {
  id: number;
  signal_title: string | null;
  account_name: string | null;
  contact_name: string;
  contact_email: string | null;
  subject: string | null;
}

/** What a bulk approval will start, listed on its confirmation page. */
export const draftsToApprove = (workspaceId: number, ids: number[]): Sql<BulkApproveRow> => ({
  text: `SELECT s.id, sig.title AS signal_title, a.name AS account_name,
                trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) AS contact_name,
                c.email AS contact_email,
                (SELECT st.subject FROM sequence_steps st WHERE st.sequence_id = s.id ORDER BY st.position LIMIT 1) AS subject
           FROM sequences s
           LEFT JOIN signals sig ON sig.id = s.signal_id
           LEFT JOIN accounts a ON a.id = s.account_id
           LEFT JOIN contacts c ON c.id = s.contact_id
          WHERE s.workspace_id = $1 AND s.id = ANY($2::bigint[])
          ORDER BY s.id`,
  values: [workspaceId, ids],
});
