import { sendStep } from '../sequencing/send.js';
import { TransportPool, transportDeps } from '../sequencing/transport.js';
import { defineAgent } from './runtime.js';

// One pool per process: pooled SMTP connections are reused across jobs.
let pool: TransportPool | undefined;

/** Sends one due step: claim with re-checks, send once, record (sequencing/send.ts). */
export const sendAgent = defineAgent({
  queue: 'send',
  concurrency: 4,
  pollingIntervalSeconds: 2,
  async handler({ stepId }, ctx) {
    pool ??= new TransportPool(transportDeps(ctx));
    await sendStep(ctx, stepId, { transports: pool });
  },
});
