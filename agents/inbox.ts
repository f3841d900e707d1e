import { syncMailbox } from '../sequencing/inbox/imap.js';
import { defineAgent } from './runtime.js';

/**
 * Reads one mailbox's new mail over IMAP and acts on replies, auto-replies, bounces and
 * unsubscribes; then stays in IDLE (where the server has it) until just before the dispatcher's
 * next tick, so a reply is seen within seconds.
 */
export const inboxAgent = defineAgent({
  queue: 'inbox',
  concurrency: 4,
  async handler({ mailboxId }, ctx) {
    await syncMailbox(ctx, mailboxId, { idleSeconds: 50, signal: ctx.signal });
  },
});
