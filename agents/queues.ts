// Every queue's name and payload schema, in one place. Payloads carry ids only: handlers
// reload and lock their rows, so a job that runs twice or late acts on current state.
import { z } from 'zod';

const id = z.number().int().positive();

/**
 * What pg-boss applies to every job of a queue (given to createQueue/updateQueue at start).
 * `expireInSeconds`: how long a job may stay active before pg-boss fails it and retries it
 * elsewhere, i.e. how long a job held by a killed worker waits before another worker takes it
 * over. Generous for the slow kinds (a multi-contact dossier, LLM drafting with retries), short
 * for sends. Handlers are idempotent, so a slow job retried while still running does no harm.
 * A handler that throws is retried `retryLimit` times, `retryDelay` seconds apart, with backoff.
 */
export interface QueueOptions {
  expireInSeconds: number;
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
}

const retried = (expireInSeconds: number): QueueOptions => ({
  expireInSeconds,
  retryLimit: 5,
  retryDelay: 30,
  retryBackoff: true,
});

export const Queues = {
  /** Housekeeping: expired sessions, old login attempts, stale page cache. */
  maintenance: { name: 'maintenance', payload: z.object({}), options: retried(300) },
  /** Poll one signal source. */
  pollSource: { name: 'signals.poll', payload: z.object({ sourceId: id }), options: retried(300) },
  /** Every minute: enqueue polls for due sources; turn re-imported contact changes into job-change signals. */
  signalsTick: { name: 'signals.tick', payload: z.object({}), options: retried(300) },
  /** Build the dossier for one signal. */
  research: { name: 'research', payload: z.object({ signalId: id }), options: retried(900) },
  /**
   * Draft for a researched signal (creates the sequence for the dossier's contact), or redraft an
   * existing sequence with a rep's instruction.
   */
  draft: {
    name: 'draft',
    payload: z
      .object({ signalId: id.optional(), sequenceId: id.optional(), instruction: z.string().max(2000).optional() })
      .refine((p) => !!p.signalId !== !!p.sequenceId, 'exactly one of signalId or sequenceId'),
    options: retried(1800),
  },
  /** Send one due step. */
  send: { name: 'send', payload: z.object({ stepId: id }), options: retried(300) },
  /** Read one mailbox's new mail. */
  inbox: { name: 'inbox.sync', payload: z.object({ mailboxId: id }), options: retried(900) },
  /** Find due steps and steps left in `sending`; enqueue or reconcile them. */
  dispatch: { name: 'sequencing.dispatch', payload: z.object({}), options: retried(300) },
  /** Run a stored CSV import. */
  importRun: { name: 'import.run', payload: z.object({ importId: id }), options: retried(3600) },
  /** CRM → Prospector for one workspace, or (cron, no id) every connected CRM. */
  crmSync: {
    name: 'crm.sync',
    payload: z.object({ workspaceId: id.optional(), full: z.boolean().optional() }),
    options: retried(3600),
  },
  /** Prospector → CRM: new activity into crm_outbox, then due outbox rows written (batched, backoff). */
  crmOut: { name: 'crm.out', payload: z.object({ workspaceId: id.optional() }), options: retried(900) },
} as const;

export type QueueKey = keyof typeof Queues;

export type Payload<K extends QueueKey> = z.infer<(typeof Queues)[K]['payload']>;
export const queueNames = Object.values(Queues).map((q) => q.name);
/** Every queue as pg-boss creates it: its name and its options. */
export const queueDefinitions = Object.values(Queues).map((q) => ({ name: q.name, ...q.options }));
