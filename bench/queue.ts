// Queue benchmark: how fast one worker process clears 1,000 no-op jobs, and how long a hop from
// one queue to the next takes, against pg-boss's own best in the same run on the same database.
//
//   npx tsx bench/queue.ts [postgres|pglite|both] [jobs=1000] [batch=100]
//
// Baselines, each timed to "every job is `completed` in pgboss.job" like ours:
// - pg-boss drain: a tight loop of `fetch(batch)` then `complete(ids)`, no sleeps: the most
//   pg-boss's API does per round trip, and the goal's yardstick (ours >= 0.8x).
// - pg-boss work(): its own worker, `batchSize = batch`, the shortest polling interval it allows.
// Ours: agents/runtime.ts with a no-op agent of `concurrency = batch`.
// Hops: a job's handler sends the next queue's job; the hop is send → next handler starting,
// with the next worker idle (woken by NOTIFY), against pg-boss work() at the 2 s polling the
// runtime used before. With both backends, also PGlite's throughput over PostgreSQL's.
import { performance } from 'node:perf_hooks';
import type PgBoss from 'pg-boss';
import { startBoss } from '../agents/boss.js';
import { Queues } from '../agents/queues.js';
import { defineAgent, startAgents, type Agent } from '../agents/runtime.js';
import { assembleContext, type AppContext } from '../context.js';
import { createLogger } from '../log.js';
import { createSecretBox } from '../secret-box.js';
import { testConfig } from '../test/support/context.js';
import { createTestDb, type Backend } from '../test/support/db.js';

const which = process.argv[2] ?? 'both';
const JOBS = Number(process.argv[3] ?? 1000);
const BATCH = Number(process.argv[4] ?? 100);
const CHAINS = 10;
const Q = Queues.maintenance.name;
const HOPS: string[] = [Queues.maintenance.name, Queues.signalsTick.name, Queues.dispatch.name];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]) => Math.max(...xs);

async function open(backend: Backend) {
  const t = await createTestDb(backend, { label: 'bench_queue' });
  const config = testConfig(t);
  const boss = await startBoss(t.db, { databaseUrl: t.url, supervise: false, poolMax: 4 });
  const ctx = assembleContext(
    { db: t.db, boss, config, log: createLogger('silent'), secrets: createSecretBox(TEST_SECRET), llm: undefined },
    async () => {
      await boss.stop({ graceful: false, wait: true, timeout: 5000, close: true });
      await t.dispose();
    },
  );
  return { ctx, close: () => ctx.close() };
}
const TEST_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';

async function completed(ctx: AppContext, name: string): Promise<number> {
  const r = await ctx.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`,
    [name],
  );
  return r.rows[0]!.n;
}

/** Inserts JOBS jobs, runs `drain`, and returns jobs/s until all are completed. */
async function throughput(ctx: AppContext, drain: () => Promise<() => Promise<void>>): Promise<number> {
  await ctx.db.query('DELETE FROM pgboss.job WHERE name = $1', [Q]);
  await ctx.boss.insert(Array.from({ length: JOBS }, () => ({ name: Q, data: {} })));
  const t0 = performance.now();
  const stop = await drain();
  while ((await completed(ctx, Q)) < JOBS) await sleep(2);
  const ms = performance.now() - t0;
  await stop();
  return (JOBS / ms) * 1000;
}

const rawDrain = (ctx: AppContext) => async () => {
  for (;;) {
    const jobs = await ctx.boss.fetch(Q, { batchSize: BATCH });
    if (!jobs.length) break;
    await ctx.boss.complete(
      Q,
      jobs.map((j) => j.id),
    );
  }
  return async () => {};
};

const bossWork = (ctx: AppContext) => async () => {
  await ctx.boss.work(Q, { batchSize: BATCH, pollingIntervalSeconds: 0.5 }, async () => {});
  return async () => void (await ctx.boss.offWork(Q));
};

const ours = (ctx: AppContext) => async () => {
  const agents = await startAgents(ctx, [
    defineAgent({ queue: 'maintenance', concurrency: BATCH, async handler() {} }) as unknown as Agent,
  ]);
  return () => agents.stop(5000);
};

/** Median and worst hop (ms) over CHAINS chains through the three queues. */
async function hops(
  ctx: AppContext,
  start: (handle: (name: string, job: PgBoss.Job) => void) => Promise<() => Promise<void>>,
) {
  const sentAt = new Map<string, number>();
  const out: number[] = [];
  let chainDone: (() => void) | undefined;
  const stop = await start((name, job) => {
    out.push(performance.now() - sentAt.get(job.id)!);
    const next = HOPS[HOPS.indexOf(name) + 1];
    if (!next) return chainDone?.();
    const t = performance.now();
    void ctx.boss.send(next as string, {}).then((id) => sentAt.set(id!, t));
  });
  for (let i = 0; i < CHAINS; i++) {
    await sleep(50); // every worker idle, asleep in its poll
    const done = new Promise<void>((r) => (chainDone = r));
    const t = performance.now();
    sentAt.set((await ctx.boss.send(HOPS[0]!, {}))!, t);
    await done;
  }
  await stop();
  const hopsOnly = out.filter((_, i) => i % HOPS.length !== 0); // the first job of a chain is no hop
  return { median: median(hopsOnly), max: max(hopsOnly) };
}

const hopsOurs = (ctx: AppContext) =>
  hops(ctx, async (handle) => {
    const agents = await startAgents(
      ctx,
      (['maintenance', 'signalsTick', 'dispatch'] as const).map(
        (queue) =>
          defineAgent({
            queue,
            async handler(_p, { jobId }) {
              handle(Queues[queue].name, { id: jobId } as PgBoss.Job);
            },
          }) as unknown as Agent,
      ),
    );
    return () => agents.stop(5000);
  });

const hopsBoss = (ctx: AppContext) =>
  hops(ctx, async (handle) => {
    for (const name of HOPS) {
      await ctx.boss.work(name, { batchSize: 1, pollingIntervalSeconds: 2 }, async ([job]) =>
        handle(name, job as PgBoss.Job),
      );
    }
    return async () => void (await Promise.all(HOPS.map((n) => ctx.boss.offWork(n))));
  });

async function bench(backend: Backend) {
  const opened = await open(backend);
  const ctx = opened.ctx;
  try {
    await throughput(ctx, rawDrain(ctx)); // warm-up
    const raw: number[] = [];
    const mine: number[] = [];
    const work: number[] = [];
    for (let i = 0; i < 3; i++) {
      raw.push(await throughput(ctx, rawDrain(ctx)));
      mine.push(await throughput(ctx, ours(ctx)));
      work.push(await throughput(ctx, bossWork(ctx)));
    }
    const r = { raw: median(raw), ours: median(mine), work: median(work) };
    const hop = await hopsOurs(ctx);
    const hopBoss = await hopsBoss(ctx);
    const f = (n: number) => n.toFixed(0).padStart(6);
    process.stdout.write(
      [
        `[${backend}] ${JOBS} no-op jobs, batch/concurrency ${BATCH} (median of 3, interleaved)`,
        `  pg-boss drain loop  ${f(r.raw)} jobs/s`,
        `  pg-boss work()      ${f(r.work)} jobs/s`,
        `  ours (runtime.ts)   ${f(r.ours)} jobs/s   ratio to drain loop ${(r.ours / r.raw).toFixed(2)}, to work() ${(r.ours / r.work).toFixed(2)}`,
        `  hop, idle worker: ours median ${hop.median.toFixed(1)} ms (max ${hop.max.toFixed(1)}), pg-boss work() at 2 s polling median ${hopBoss.median.toFixed(0)} ms (max ${hopBoss.max.toFixed(0)}): ratio ${(hop.median / hopBoss.median).toFixed(3)}`,
        '',
      ].join('\n'),
    );
    return r;
  } finally {
    await opened.close();
  }
}

const backends: Backend[] = which === 'both' ? ['postgres', 'pglite'] : [which as Backend];
const results: Record<string, { ours: number }> = {};
for (const b of backends) results[b] = await bench(b);
if (results.postgres && results.pglite) {
  process.stdout.write(
    `PGlite over PostgreSQL, ours: ${(results.pglite.ours / results.postgres.ours).toFixed(2)} (goal >= 0.6)\n`,
  );
}
