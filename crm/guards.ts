// Guards from the CRM (issue 14). An account the CRM calls a customer, or with an open deal in the
// stages RevOps chose, is held out of sequences, and so is an account whose CRM record was deleted
// (its history stays; its signals stop starting anything). The rule itself is one SQL function,
// crm_hold_out() (migration 0040), so that the send claim (claim_step()) checks exactly what the
// play's contact choice (plays/choose.ts), approval and the draft page show; the sync stops active
// sequences as soon as it learns an account is held out (stopHeldOutSequences).
// CRM opt-outs are not checked here: the sync writes them to `suppressions`, which the send claim
// re-checks before every send.
import { one, run, type Database, type Queryable } from '../db/index.js';
import { accountHoldOut, heldOutSequences } from '../db/queries/crm-guards.js';
import { endSequence } from '../sequencing/outcomes.js';

/** Why a workspace's CRM holds this account out of new sequences, or null (no CRM, or nothing holds it). */
export async function crmHoldOut(db: Queryable, workspaceId: number, accountId: number): Promise<string | null> {
  return (await one(db, accountHoldOut(workspaceId, accountId)))?.reason ?? null;
}

/**
 * Stops the workspace's approved sequences that could still send (active or paused) whose account the
 * CRM now holds out, each with the reason, so the rep sees it before the step's due time. The send
 * claim checks the same rule again at the moment it claims. Returns the sequences stopped.
 */
export async function stopHeldOutSequences(
  db: Database,
  workspaceId: number,
  now: Date,
): Promise<{ sequenceId: number; reason: string }[]> {
  const held = await run(db, heldOutSequences(workspaceId));
  const stopped: { sequenceId: number; reason: string }[] = [];
  for (const h of held)
    if (await db.transaction((tx) => endSequence(tx, h.id, 'stopped', h.reason, now)))
      stopped.push({ sequenceId: h.id, reason: h.reason });
  return stopped;
}
