import { syncMailbox } from '../sequencing/inbox/imap.js';
import { defineAgent } from './runtime.js';

/** Reads one mailbox's new mail over IMAP and acts on replies, auto-replies, bounces and unsubscribes. */
export const inboxAgent = defineAgent({
  queue: 'inbox',
  concurrency: 2,
  async handler({ mailboxId }, ctx) {
    await syncMailbox(ctx, mailboxId);
  },
});
