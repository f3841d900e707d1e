import { syncMailbox } from '../sequencing/inbox/imap.js';
import { Queues } from './queues.js';
import { defineAgent } from './runtime.js';

const IDLE_SECONDS = 50;

/**
 * Reads one mailbox's new mail over IMAP and acts on replies, auto-replies, bounces and
 * unsubscribes; then, when no other mailbox is waiting for a worker, stays in IDLE (where the
 * server has it) until just before the dispatcher's next tick, so a reply is seen within seconds.
 */
export const inboxAgent = defineAgent({
  queue: 'inbox',
  concurrency: 4,
  async handler({ mailboxId }, ctx) {
    // Jobs still waiting mean more mailboxes than workers: poll and move on instead of holding a slot.
    const waiting = await ctx.boss.getQueueSize(Queues.inbox.name).catch(() => 1);
    await syncMailbox(ctx, mailboxId, { idleSeconds: waiting > 0 ? 0 : IDLE_SECONDS, signal: ctx.signal });
  },
});
