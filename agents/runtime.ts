// Starts a chosen set of queue handlers, one fetch loop per queue (fetch-loop.ts), woken by a
// NOTIFY when a job arrives; stops them gracefully: stop fetching, let in-flight jobs finish
// (then abort them), write their outcomes.
import type PgBoss from 'pg-boss';
import type { AppContext } from '../context.js';
import { JOBS_CHANNEL } from '../db/queries/job-wake.js';
import { FetchLoop } from './fetch-loop.js';
import { Queues, type Payload, type QueueKey } from './queues.js';

type AgentContext = AppContext;

export interface Helpers extends AgentContext {
  jobId: string;
  /** Aborted when the process is shutting down and the grace period has run out. */
  signal: AbortSignal;
}

export interface Agent<K extends QueueKey = QueueKey> {
  queue: K;
  handler: (payload: Payload<K>, helpers: Helpers) => Promise<void>;
  /** Jobs run at once by one process; also the most one fetch takes. */
  concurrency?: number;
  /** Sleep after a fetch that found nothing (a NOTIFY ends it early). */
  pollingIntervalSeconds?: number;
  /** Cron (UTC) on which pg-boss enqueues an empty payload. */
  cron?: string;
}

export function defineAgent<K extends QueueKey>(agent: Agent<K>): Agent<K> {
  return agent;
}

export interface RunningAgents {
  names: string[];
  /** Resolves once every job started so far has finished and its outcome is written (fetching goes on). */
  settled(): Promise<void>;
  /** Stop fetching, let in-flight jobs finish (aborting them 1 s before `timeoutMs`), settle them. */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startAgents(ctx: AgentContext, agents: Agent[]): Promise<RunningAgents> {
  const abort = new AbortController();
  const loops = new Map<string, FetchLoop>();
  for (const agent of agents) {
    const queue = Queues[agent.queue];
    const log = ctx.log.child({ agent: queue.name });
    const run = async (job: PgBoss.Job<unknown>) => {
      const started = Date.now();
      log.debug({ jobId: job.id }, 'job.start');
      try {
        const payload = queue.payload.parse(job.data ?? {});
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
    const loop = new FetchLoop({
      boss: ctx.boss,
      queue: queue.name,
      concurrency: agent.concurrency ?? 1,
      idleMs: (agent.pollingIntervalSeconds ?? 2) * 1000,
      log,
      run,
    });
    loops.set(queue.name, loop);
    if (agent.cron) await ctx.boss.schedule(queue.name, agent.cron, {}, { tz: 'UTC' });
  }
  // A job sent by any process wakes the loop of its queue at once instead of at its next poll.
  const unlisten = await ctx.db
    .listen(JOBS_CHANNEL, (name) => loops.get(name)?.notify())
    .catch((err: unknown) => {
      ctx.log.warn({ err }, 'agents.listen.failed');
      return async () => {};
    });
  for (const loop of loops.values()) loop.start();
  const names = [...loops.keys()];
  ctx.log.info({ agents: names }, 'agents.started');
  return {
    names,
    async settled() {
      await Promise.all([...loops.values()].map((l) => l.jobsDone()));
      await Promise.all([...loops.values()].map((l) => l.settler.idle()));
    },
    async stop(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      const timer = setTimeout(() => abort.abort(new Error('shutdown')), Math.max(0, timeoutMs - 1000));
      const until = (p: Promise<unknown>) =>
        Promise.race([p, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
      try {
        await unlisten().catch(() => {});
        await Promise.all([...loops.values()].map((l) => l.stopFetching()));
        await until(Promise.all([...loops.values()].map((l) => l.jobsDone())));
        await until(Promise.all([...loops.values()].map((l) => l.settler.idle())));
      } finally {
        clearTimeout(timer);
        for (const l of loops.values()) l.settler.abandon();
      }
    },
  };
}
