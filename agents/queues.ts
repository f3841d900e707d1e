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
} as const;

export type QueueKey = keyof typeof Queues;
export type Payload<K extends QueueKey> = z.infer<(typeof Queues)[K]['payload']>;
export const queueNames = Object.values(Queues).map((q) => q.name);
