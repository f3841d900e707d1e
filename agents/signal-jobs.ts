// How signals/ starts research: one pg-boss job per signal, sent through the transaction that
// inserts the signal, with a job id derived from the signal id so a retry cannot add a second.
import { createHash } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { Queryable } from '../db/index.js';
import type { EnqueueResearch } from '../signals/ingest.js';
import { bossAdapter } from './boss.js';
import { Queues } from './queues.js';

/** A uuid-shaped id, the same for the same signal. */
export function researchJobId(signalId: number): string {
  const h = createHash('sha256').update(`research:signal:${signalId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function researchEnqueuer(boss: PgBoss): EnqueueResearch {
  return async (tx: Queryable, signalId: number) => {
    await boss.send(Queues.research.name, { signalId }, { id: researchJobId(signalId), db: bossAdapter(tx) });
  };
}
