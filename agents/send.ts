import { sendStep } from '../sequencing/send.js';
import { defineAgent } from './runtime.js';

/** Sends one due step: claim with re-checks, send once, record (sequencing/send.ts), through the context's transports. */
export const sendAgent = defineAgent({
  queue: 'send',
  concurrency: 4,
  pollingIntervalSeconds: 2,
  async handler({ stepId }, ctx) {
    await sendStep(ctx, stepId, { transports: ctx.transports });
  },
});
