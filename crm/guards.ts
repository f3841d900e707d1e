// Guards from the CRM (issue 14). An account the CRM calls a customer, or with an open deal in the
// stages RevOps chose, is held out of new sequences, and so is an account whose CRM record was
// deleted (its history stays; its signals stop starting anything). The reason, in words, goes to
// the play's contact choice (plays/choose.ts), which shows it with the skipped contacts.
// CRM opt-outs are not checked here: the sync writes them to `suppressions`, which the send claim
// re-checks before every send.
import type { Queryable } from '../db/index.js';
import { one, run } from '../db/index.js';
import { accountCrmFacts, findCrmConnection, type CrmConnectionRow, type HoldOutFactsRow } from '../db/queries/crm.js';
import { effectiveRules, type CrmRules } from './mapping.js';
import { CRM_NAMES } from './provider.js';

/** Pure: why the rules hold these CRM facts out, or null. No stages chosen means every open deal holds. */
export function holdOutReason(crm: string, facts: HoldOutFactsRow[], rules: CrmRules): string | null {
  const live = facts.filter((f) => !f.deleted && !f.merged_into);
  if (facts.length && !live.length) return `deleted in ${crm}`;
  for (const f of live) {
    if (rules.holdCustomers && f.is_customer) return `a customer in ${crm}`;
    const deal = f.deals.find(
      (d) =>
        (!rules.heldStages.length || rules.heldStages.includes(d.stage)) &&
        (!rules.heldTypes.length || (d.type !== null && rules.heldTypes.includes(d.type))),
    );
    if (deal) return `open deal "${deal.name}" in ${crm} (stage ${deal.stage})`;
  }
  return null;
}

/** Why a workspace's CRM holds this account out of new sequences, or null (no CRM, or nothing holds it). */
export async function crmHoldOut(db: Queryable, workspaceId: number, accountId: number): Promise<string | null> {
  const conn = await one<CrmConnectionRow>(db, findCrmConnection(workspaceId));
  if (!conn) return null;
  const facts = await run<HoldOutFactsRow>(db, accountCrmFacts(workspaceId, accountId));
  const why = holdOutReason(CRM_NAMES[conn.kind], facts, effectiveRules(conn.rules));
  return why && `held out by the CRM: ${why}`;
}
