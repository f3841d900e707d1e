// What people do with signals the rules could not place: settle an ambiguous or unmatched
// signal on an account (it then starts research like any other, unless the account is in
// cooldown), and see which unknown companies keep turning up.
import { one, run, type Database } from '../db/index.js';
import { findAccount, findAccountByDomain, insertAccount } from '../db/queries/accounts.js';
import {
  accountInCooldown,
  settleSignalAccount,
  unmatchedCompanyCounts,
  type SignalRow,
  type UnmatchedCompany,
} from '../db/queries/signals.js';
import { findWorkspace } from '../db/queries/workspaces.js';
import { AppError } from '../errors.js';
import { cooldownDays, type IngestContext } from './ingest.js';

export async function assignSignalAccount(
  ctx: IngestContext,
  o: { workspaceId: number; signalId: number; accountId: number; userId: number; now: Date },
): Promise<SignalRow> {
  const account = await one(ctx.db, findAccount(o.workspaceId, o.accountId));
  if (!account) throw new AppError('NOT_FOUND', 'No such account in this workspace.');
  const days = cooldownDays(await one(ctx.db, findWorkspace(o.workspaceId)));
  return ctx.db.transaction(async (tx) => {
    const cooling = (await one(tx, accountInCooldown(o.accountId, o.now, days)))!.cooling;
    const s = await one(
      tx,
      settleSignalAccount(o.workspaceId, o.signalId, o.accountId, cooling ? 'cooldown' : 'new', o.userId),
    );
    if (!s) throw new AppError('STATE', 'Only an unmatched or ambiguous signal can be placed on an account.');
    if (s.status === 'new') await ctx.enqueueResearch(tx, s.id);
    return s;
  });
}

export type { UnmatchedCompany };

export async function unmatchedCompanies(db: Database, workspaceId: number): Promise<UnmatchedCompany[]> {
  return run(db, unmatchedCompanyCounts(workspaceId));
}

/**
 * "Add as account?": creates the account and places the company's unmatched signals on it.
 * When an account already has that domain the signals go on it instead (`existing`).
 */
export async function addAccountFromUnmatched(
  ctx: IngestContext,
  o: { workspaceId: number; userId: number; name: string; domain: string | null; signalIds: number[]; now: Date },
): Promise<{ accountId: number; existing: boolean; settled: SignalRow[] }> {
  let a: { id: number };
  let existing = false;
  try {
    a = (await one(
      ctx.db,
      insertAccount(o.workspaceId, {
        name: o.name,
        domain: o.domain,
        aliases: [],
        ownerId: null,
        timeZone: null,
        country: null,
        tags: ['from-signal'],
      }),
    ))!;
  } catch (cause) {
    const found =
      (cause as { code?: string }).code === '23505' && o.domain
        ? await one(ctx.db, findAccountByDomain(o.workspaceId, o.domain))
        : undefined;
    if (!found) throw cause;
    a = found;
    existing = true;
  }
  const settled = await assignSignals(ctx, { ...o, accountId: a.id });
  return { accountId: a.id, existing, settled };
}

/** "Assign to account" for one or many signals; those already settled elsewhere are skipped. */
export async function assignSignals(
  ctx: IngestContext,
  o: { workspaceId: number; userId: number; accountId: number; signalIds: number[]; now: Date },
): Promise<SignalRow[]> {
  const settled: SignalRow[] = [];
  for (const signalId of o.signalIds) {
    try {
      settled.push(await assignSignalAccount(ctx, { ...o, signalId }));
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'STATE')) throw e;
    }
  }
  return settled;
}
