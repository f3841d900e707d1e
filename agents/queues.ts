// Every queue's name and payload schema, in one place. Payloads carry ids only: handlers
// reload and lock their rows, so a job that runs twice or late acts on current state.
import { z } from 'zod';

const id = z.number().int().positive();

export const Queues = {
  /** Housekeeping: expired sessions, old login attempts, stale page cache. */
  maintenance: { name: 'maintenance', payload: z.object({}) },
  /** Poll one signal source. */
  pollSource: { name: 'signals.poll', payload: z.object({ sourceId: id }) },
  /** Every minute: enqueue polls for due sources; turn re-imported contact changes into job-change signals. */
  signalsTick: { name: 'signals.tick', payload: z.object({}) },
  /** Build the dossier for one signal. */
  research: { name: 'research', payload: z.object({ signalId: id }) },
  /**
   * Draft for a researched signal (creates the sequence for the dossier's contact), or redraft an
   * existing sequence with a rep's instruction.
   */
  draft: {
    name: 'draft',
    payload: z
      .object({ signalId: id.optional(), sequenceId: id.optional(), instruction: z.string().max(2000).optional() })
      .refine((p) => !!p.signalId !== !!p.sequenceId, 'exactly one of signalId or sequenceId'),
  },
  /** Send one due step. */
  send: { name: 'send', payload: z.object({ stepId: id }) },
  /** Read one mailbox's new mail. */
  inbox: { name: 'inbox.sync', payload: z.object({ mailboxId: id }) },
  /** Find due steps and steps left in `sending`; enqueue or reconcile them. */
  dispatch: { name: 'sequencing.dispatch', payload: z.object({}) },
  /** Run a stored CSV import. */
  importRun: { name: 'import.run', payload: z.object({ importId: id }) },
  /** CRM → Prospector for one workspace, or (cron, no id) every connected CRM. */
  crmSync: { name: 'crm.sync', payload: z.object({ workspaceId: id.optional(), full: z.boolean().optional() }) },
  /** Prospector → CRM: new activity into crm_outbox, then due outbox rows written (batched, backoff). */
  crmOut: { name: 'crm.out', payload: z.object({ workspaceId: id.optional() }) },
} as const;

export type QueueKey = keyof typeof Queues;

/**
 * How long a job may stay active before pg-boss fails it and retries it elsewhere: the time a
 * job held by a killed worker waits before another worker takes it over. Generous for the slow
 * kinds (a multi-contact dossier, LLM drafting with retries), short for sends. Handlers are
 * idempotent, so a slow job retried while still running does no harm.
 */
export const EXPIRE_SECONDS: Record<string, number> = {
  [Queues.send.name]: 300,
  [Queues.dispatch.name]: 300,
  [Queues.maintenance.name]: 300,
  [Queues.pollSource.name]: 300,
  [Queues.signalsTick.name]: 300,
  [Queues.research.name]: 900,
  [Queues.inbox.name]: 900,
  [Queues.draft.name]: 1800,
  [Queues.importRun.name]: 3600,
  [Queues.crmSync.name]: 3600,
  [Queues.crmOut.name]: 900,
};
export type Payload<K extends QueueKey> = z.infer<(typeof Queues)[K]['payload']>;
export const queueNames = Object.values(Queues).map((q) => q.name);
