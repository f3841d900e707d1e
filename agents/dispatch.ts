import { dispatchTick } from '../sequencing/dispatch.js';
import { Queues } from './queues.js';
import { defineAgent } from './runtime.js';

/**
 * Every minute: due steps become send jobs (one per step at a time), steps stuck in `sending`
 * are reconciled, and every IMAP mailbox gets a sync job.
 */
export const dispatchAgent = defineAgent({
  queue: 'dispatch',
  cron: '* * * * *',
  async handler(_payload, ctx) {
    await dispatchTick(ctx, {
      enqueueSend: (stepId) =>
        ctx.boss.send(Queues.send.name, { stepId }, { singletonKey: `step:${stepId}`, singletonSeconds: 120 }),
      enqueueInbox: (mailboxId) =>
        ctx.boss.send(Queues.inbox.name, { mailboxId }, { singletonKey: `mailbox:${mailboxId}`, singletonSeconds: 60 }),
    });
  },
});
