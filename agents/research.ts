// Builds the cited dossier for one signal, replaces any earlier one, and hands the signal to
// drafting. A dead site or a timeout still gives a dossier (with its errors), never a stuck job.
import { createHash } from 'node:crypto';
import { one, run } from '../db/index.js';
import { setSignalPlay } from '../db/queries/plays.js';
import {
  claimSignalForResearch,
  dismissSignal,
  finishSignalResearch,
  noteResearchError,
} from '../db/queries/research.js';
import type { SignalRow } from '../db/queries/signals.js';
import { DbPageCache } from '../research/cache.js';
import { buildDossier } from '../research/dossier.js';
import { planResearch } from '../research/plan.js';
import { researchDeps, saveDossier } from '../research/store.js';
import type { Dossier } from '../research/types.js';
import { bossAdapter } from './boss.js';
import { Queues } from './queues.js';
import { defineAgent, type Helpers } from './runtime.js';

/** The draft job's id follows from the research job's, so a research job run twice enqueues one draft. */
export function draftJobId(researchJobId: string): string {
  const h = createHash('sha256').update(`draft-after-research:${researchJobId}`).digest('hex');
  return (
    `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-` +
    `${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
  );
}

/**
 * Builds and saves a dossier per contact the play chose (or one without a contact: "needs a
 * contact"); undefined when the signal moved on (e.g. dismissed) meanwhile.
 */
async function research(signal: SignalRow, ctx: Helpers) {
  const { db } = ctx;
  const plan = await planResearch(db, signal);
  if (plan.noPlay) {
    const moved = !(await one(db, dismissSignal(signal.id, plan.noPlay)));
    return moved ? undefined : { status: 'dismissed' as const, dossiers: [] as Dossier[], reason: plan.noPlay };
  }
  const deps = researchDeps(ctx.config, ctx.llm, new DbPageCache(db), plan.targets[0]!.settings, ctx.renderer);
  const dossiers: Dossier[] = [];
  // One contact after another: the page cache makes the second read of the same site free.
  for (const target of plan.targets)
    dossiers.push(await buildDossier(target.input, { ...deps, log: ctx.log, signal: ctx.signal }));
  const status = plan.targets.some((t) => t.contact) ? 'researched' : 'needs_contact';
  return db.transaction(async (tx) => {
    if (!(await one(tx, finishSignalResearch(signal.id, status)))) return undefined;
    await run(tx, setSignalPlay(signal.id, plan.playId));
    for (const [i, target] of plan.targets.entries()) {
      await saveDossier(tx, signal, target, dossiers[i]!, {
        replace: i === 0,
        stats: plan.skipped.length ? { skippedContacts: plan.skipped } : {},
      });
    }
    if (status === 'researched') {
      await ctx.boss.send(
        Queues.draft.name,
        { signalId: signal.id },
        { id: draftJobId(ctx.jobId), db: bossAdapter(tx) },
      );
    }
    return { status, dossiers };
  });
}

export const researchAgent = defineAgent({
  queue: 'research',
  concurrency: 2,
  async handler({ signalId }, ctx) {
    const { db, log } = ctx;
    const signal = await one(db, claimSignalForResearch(signalId));
    if (!signal) {
      log.info({ signalId }, 'research.skipped');
      return;
    }
    let done;
    try {
      done = await research(signal, ctx);
    } catch (err) {
      // pg-boss retries the job; meanwhile the signal shows why it is still researching.
      await run(db, noteResearchError(signal.id, (err as Error).message)).catch(() => {});
      throw err;
    }
    if (!done) {
      log.info({ signalId }, 'research.signal.moved');
      return;
    }
    const { dossiers, status } = done;
    log.info(
      {
        signalId,
        status,
        contacts: dossiers.length,
        facts: dossiers.map((d) => d.facts.length),
        errors: dossiers.map((d) => d.errors.length),
      },
      'research.done',
    );
  },
});
