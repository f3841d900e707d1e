// Whom to research for a signal. In a workspace with plays, the play whose trigger fires picks
// the contacts (plays/choose.ts); a workspace that never configured plays keeps the simple rule:
// the signal's own contact, else the account's most senior active one. The CRM's hold-out
// (crm/guards.ts: a customer, an open deal, deleted there) applies to both: a held-out account's
// contact is skipped with the reason, as a play skips it, and the signal waits for a contact.
import type { Queryable } from '../db/index.js';
import { one, run } from '../db/index.js';
import { findAccount } from '../db/queries/accounts.js';
import { findContact } from '../db/queries/contacts.js';
import { listPlays } from '../db/queries/plays.js';
import type { SignalRow } from '../db/queries/signals.js';
import { crmHoldOut } from '../crm/guards.js';
import { choosePlayContacts, type MxResolver } from '../plays/choose.js';
import { loadResearchTarget, researchSettings, targetFor, type ResearchTarget } from './store.js';
import { findWorkspace } from '../db/queries/workspaces.js';

interface ResearchPlan {
  /** One target per contact to write to; a single contact-less target means "needs a contact". */
  targets: ResearchTarget[];
  playId: number | null;
  /** Why nothing should start (no enabled play fires): the signal is dismissed with this reason. */
  noPlay?: string;
  skipped: { id: number; reason: string }[];
}

export async function planResearch(
  db: Queryable,
  signal: SignalRow,
  opts: { resolveMx?: MxResolver } = {},
): Promise<ResearchPlan> {
  if (!signal.target_contact_ids?.length && !(await run(db, listPlays(signal.workspace_id))).length) {
    const target = await loadResearchTarget(db, signal);
    const heldOut = signal.account_id ? await crmHoldOut(db, signal.workspace_id, signal.account_id) : null;
    if (!heldOut || !target.contact) return { targets: [target], playId: null, skipped: [] };
    return {
      targets: [await targetFor(db, signal, target.account, undefined)],
      playId: null,
      skipped: [{ id: target.contact.id, reason: heldOut }],
    };
  }
  const ws = await one(db, findWorkspace(signal.workspace_id));
  const settings = researchSettings(ws);
  const choice = await choosePlayContacts(db, signal, {
    resolveMx: opts.resolveMx,
    verifyMx: settings.verifyMx ?? true,
  });
  if (choice.noPlay) return { targets: [], playId: null, noPlay: choice.noPlay, skipped: [] };
  const account = signal.account_id ? await one(db, findAccount(signal.workspace_id, signal.account_id)) : undefined;
  const targets: ResearchTarget[] = [];
  for (const c of choice.contacts) {
    const contact = await one(db, findContact(signal.workspace_id, c.id));
    if (contact)
      targets.push(
        await targetFor(db, signal, account, contact, { persona: c.persona, staggerHours: c.startAfterHours }),
      );
  }
  if (!targets.length) targets.push(await targetFor(db, signal, account, undefined));
  return { targets, playId: choice.play?.id ?? null, skipped: choice.skipped };
}
