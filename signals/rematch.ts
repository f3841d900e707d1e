// Unmatched signals get another look when accounts change: an account added (by hand, import,
// API or "add as account?") or an alias set may now name the company a signal was about. A
// signal found this way moves on like one matched on arrival (research, or cooldown); one that
// now names several accounts becomes ambiguous for a person to settle. Only 'unmatched' signals
// move, so a person's choice is never undone, and a signal keeps its one row (counted once).
import { one, run } from '../db/index.js';
import {
  accountInCooldown,
  rematchSignal,
  unmatchedForRematch,
  workspacesWithUnmatched,
} from '../db/queries/signals.js';
import { findWorkspace } from '../db/queries/workspaces.js';
import { accountIndex, accountsKey, cooldownDays, type IngestContext } from './ingest.js';
import { matchItem } from './match.js';

interface RematchOutcome {
  matched: number[];
  ambiguous: number[];
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** Re-matches a workspace's unmatched signals (newest `limit`) against its accounts now. */
export async function rematchUnmatched(
  ctx: IngestContext,
  workspaceId: number,
  now: Date,
  limit = 2000,
): Promise<RematchOutcome> {
  const out: RematchOutcome = { matched: [], ambiguous: [] };
  const rows = await run(ctx.db, unmatchedForRematch(workspaceId, limit));
  if (!rows.length) return out;
  const index = await accountIndex(ctx.db, ctx.caches, workspaceId);
  const days = cooldownDays(await one(ctx.db, findWorkspace(workspaceId)));
  for (const s of rows) {
    const company = str(s.match.company);
    const m = matchItem(index, {
      title: s.title,
      summary: s.summary,
      url: s.url,
      links: [],
      company: company ? { name: company } : undefined,
      subject: str(s.facts.company) ?? null,
    });
    if (m.status === 'unmatched') continue;
    await ctx.db.transaction(async (tx) => {
      if (m.status === 'ambiguous') {
        const r = await one(tx, rematchSignal(workspaceId, s.id, null, 'ambiguous', { ...m, rematchedAt: now }));
        if (r) out.ambiguous.push(s.id);
        return;
      }
      const cooling = (await one(tx, accountInCooldown(m.accountId, now, days)))!.cooling;
      const match = { status: 'matched', via: m.via, candidates: m.candidates, others: m.others, rematchedAt: now };
      const r = await one(tx, rematchSignal(workspaceId, s.id, m.accountId, cooling ? 'cooldown' : 'new', match));
      if (!r) return;
      out.matched.push(s.id);
      if (r.status === 'new') await ctx.enqueueResearch(tx, r.id);
    });
  }
  if (out.matched.length + out.ambiguous.length) ctx.log?.info({ workspaceId, ...out }, 'signal.rematched');
  return out;
}

/** The maintenance tick's pass: each workspace whose accounts changed since this process last looked. */
export async function rematchChangedWorkspaces(ctx: IngestContext, now: Date): Promise<number> {
  let moved = 0;
  for (const { id } of await run(ctx.db, workspacesWithUnmatched())) {
    const key = await accountsKey(ctx.db, id);
    if (ctx.caches.rematchSeen.get(id) === key) continue;
    const r = await rematchUnmatched(ctx, id, now);
    ctx.caches.rematchSeen.set(id, key);
    moved += r.matched.length + r.ambiguous.length;
  }
  return moved;
}
