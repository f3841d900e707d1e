// Starts a chosen set of queue handlers and stops them gracefully: stop fetching, let
// in-flight jobs finish (then abort them), close pools.
import type PgBoss from 'pg-boss';
import type { AppContext } from '../context.js';
import { Queues, type Payload, type QueueKey } from './queues.js';

export type AgentContext = AppContext;

export interface Helpers extends AgentContext {
  jobId: string;
  /** Aborted when the process is shutting down and the grace period has run out. */
  signal: AbortSignal;
}

export interface Agent<K extends QueueKey = QueueKey> {
  queue: K;
  handler: (payload: Payload<K>, helpers: Helpers) => Promise<void>;
  /** Jobs fetched and run at once by one process. */
  concurrency?: number;
  pollingIntervalSeconds?: number;
  /** Cron (UTC) on which pg-boss enqueues an empty payload. */
  cron?: string;
}

export function defineAgent<K extends QueueKey>(agent: Agent<K>): Agent<K> {
  return agent;
}

export interface RunningAgents {
  names: string[];
  stop(timeoutMs?: number): Promise<void>;
}

export async function startAgents(ctx: AgentContext, agents: Agent[]): Promise<RunningAgents> {
  const abort = new AbortController();
  for (const agent of agents) {
    const queue = Queues[agent.queue];
    const log = ctx.log.child({ agent: queue.name });
    const run = async (job: PgBoss.Job<unknown>) => {
      const payload = queue.payload.parse(job.data ?? {});
      const started = Date.now();
      log.debug({ jobId: job.id }, 'job.start');
      try {
        await agent.handler(payload as never, {
          ...ctx,
          log: log.child({ jobId: job.id }),
          jobId: job.id,
          signal: abort.signal,
        });
        log.debug({ jobId: job.id, ms: Date.now() - started }, 'job.done');
      } catch (err) {
        log.warn({ jobId: job.id, err }, 'job.failed');
        throw err;
      }
    };
    const concurrency = agent.concurrency ?? 1;
    for (let i = 0; i < concurrency; i++) {
      await ctx.boss.work(
        queue.name,
        { batchSize: 1, pollingIntervalSeconds: agent.pollingIntervalSeconds ?? 2 },
        async (jobs: PgBoss.Job<unknown>[]) => {
          for (const job of jobs) await run(job);
        },
      );
    }
    if (agent.cron) await ctx.boss.schedule(queue.name, agent.cron, {}, { tz: 'UTC' });
  }
  const names = agents.map((a) => Queues[a.queue].name);
  ctx.log.info({ agents: names }, 'agents.started');
  return {
    names,
    async stop(timeoutMs = 30_000) {
      const timer = setTimeout(() => abort.abort(new Error('shutdown')), Math.max(0, timeoutMs - 1000));
      try {
        await Promise.all(names.map((n) => ctx.boss.offWork(n)));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
