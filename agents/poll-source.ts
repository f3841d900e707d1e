// Signal polling. `signals.tick` runs every minute (one pg-boss schedule): it claims the
// sources whose own interval (or backoff) has come due and enqueues one `signals.poll` job
// each, and turns re-imported contact changes into job-change signals. `signals.poll` polls
// one source; its fetch errors are stored on the source with backoff, so the job itself
// succeeds and pg-boss does not retry on top of that.
import { run } from '../db/index.js';
import { claimDueSources } from '../db/queries/signal-sources.js';
import { processContactChanges } from '../signals/job-changes.js';
import { pollSource } from '../signals/poll.js';
import { POLLED_KINDS } from '../signals/registry.js';
import { defineAgent } from './runtime.js';
import { Queues } from './queues.js';
import { researchEnqueuer } from './signal-jobs.js';

export const pollSourceAgent = defineAgent({
  queue: 'pollSource',
  concurrency: 2,
  async handler({ sourceId }, ctx) {
    await pollSource({ ...ctx, enqueueResearch: researchEnqueuer(ctx.boss) }, sourceId, new Date(), ctx.signal);
  },
});

export const signalsTickAgent = defineAgent({
  queue: 'signalsTick',
  cron: '* * * * *',
  async handler(_payload, ctx) {
    const due = await run(ctx.db, claimDueSources(POLLED_KINDS));
    for (const { id } of due) {
      // singletonKey + seconds: a source already queued in this minute is not queued twice.
      await ctx.boss.send(
        Queues.pollSource.name,
        { sourceId: id },
        { singletonKey: `source:${id}`, singletonSeconds: 60 },
      );
    }
    const changes = await processContactChanges({ ...ctx, enqueueResearch: researchEnqueuer(ctx.boss) }, new Date());
    if (due.length || changes.changes)
      ctx.log.info(
        { polls: due.length, contactChanges: changes.changes, jobChangeSignals: changes.created },
        'signals.tick',
      );
  },
});
