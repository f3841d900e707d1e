// Queue benchmark: how fast one worker process clears 1,000 no-op jobs, and how long a hop from
// one queue to the next takes, against pg-boss's own best in the same run on the same database.
//
//   npx tsx bench/queue.ts [postgres|pglite|both] [jobs=1000] [batch=100] [rounds=5]
//
// Baselines, each timed to "every job is `completed` in pgboss.job" like ours:
// - pg-boss drain: a tight loop of `fetch(batch)` then `complete(ids)`, no sleeps: the most
//   pg-boss's API does per round trip, and the goal's yardstick (ours >= 0.8x).
// - pg-boss work(): its own worker, `batchSize = batch`, the shortest polling interval it allows.
// Ours: agents/runtime.ts with a no-op agent of `concurrency = batch`, timed from starting the agents
// (their LISTEN connection included) until its handlers have run every job and every completion is
// written (`settled()`; no polling of the database while it runs: on PGlite a poll competes for the
// one connection). Stopping the agents afterwards (UNLISTEN, the fetch loop's exit) is not timed:
// a worker process clears jobs for its whole life and stops once; on a quiet machine the stop was
// 19-30 ms of a ~130 ms run, a quarter of the figure.
// Rounds interleave the methods and, with both backends, the backends, so a change in the machine's
// load hits both sides of a ratio alike; each ratio is taken inside a round, then the median is shown.
// PGlite runs on a data directory, as the embedded default does (`npm start`).
// Hops: a job's handler sends the next queue's job; the hop is send → next handler starting,
// with the next worker idle (woken by NOTIFY), against pg-boss work() at the 2 s polling the
// runtime used before.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type PgBoss from 'pg-boss';
import { startBoss } from '../agents/boss.js';
import { Queues } from '../agents/queues.js';
import { defineAgent, startAgents, type Agent } from '../agents/runtime.js';
import { assembleContext, type AppContext } from '../context.js';
import { migrate } from '../db/migrate.js';
import { openPglite } from '../db/pglite.js';
import { createLogger } from '../log.js';
import { createSecretBox } from '../secret-box.js';
import { testConfig } from '../test/support/context.js';
import { createTestDb, type Backend } from '../test/support/db.js';

const which = process.argv[2] ?? 'both';
const JOBS = Number(process.argv[3] ?? 1000);
const BATCH = Number(process.argv[4] ?? 100);
const ROUNDS = Number(process.argv[5] ?? 5);
const CHAINS = 10;
const Q = Queues.maintenance.name;
const HOPS: string[] = [Queues.maintenance.name, Queues.signalsTick.name, Queues.dispatch.name];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]) => Math.max(...xs);

/** PostgreSQL: a fresh database on the shared server. PGlite: a data directory, like `npm start`. */
async function openDb(backend: Backend) {
  if (backend === 'postgres') return createTestDb(backend, { label: 'bench_queue' });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-queue-'));
  const db = await openPglite(dir);
  await migrate(db);
  return {
    db,
    url: undefined,
    async dispose() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function open(backend: Backend) {
  const t = await openDb(backend);
  const config = testConfig(t);
  const boss = await startBoss(t.db, { databaseUrl: t.url, supervise: false, poolMax: 4 });
  const ctx = assembleContext(
    { db: t.db, boss, config, log: createLogger('silent'), secrets: createSecretBox(TEST_SECRET), llm: undefined },
    async () => {
      await boss.stop({ graceful: false, wait: true, timeout: 5000, close: true });
      await t.dispose();
    },
  );
  return { ctx, close: () => ctx.stop() };
}
const TEST_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';

async function completed(ctx: AppContext, name: string): Promise<number> {
  const r = await ctx.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`,
    [name],
  );
  return r.rows[0]!.n;
}

/**
 * Inserts JOBS jobs, runs `drain` until it reports them all handled and written, and returns
 * jobs/s; then checks the database agrees (waiting, untimed, for a method that settles late).
 */
async function throughput(
  ctx: AppContext,
  /** Resolves when every job is handled and written; it may return its untimed teardown. */
  drain: () => Promise<void | (() => Promise<void>)>,
): Promise<{ rate: number; cpu: number }> {
  await ctx.db.query('DELETE FROM pgboss.job WHERE name = $1', [Q]);
  await ctx.boss.insert(Array.from({ length: JOBS }, () => ({ name: Q, data: {} })));
  const cpu0 = await cpuMs(ctx);
  const t0 = performance.now();
  const teardown = await drain();
  const ms = performance.now() - t0;
  const cpu = cpuUsed(cpu0, await cpuMs(ctx));
  if (teardown) await teardown();
  for (let i = 0; (await completed(ctx, Q)) < JOBS; i++) {
    if (i > 2000) throw new Error('jobs left uncompleted');
    await sleep(5);
  }
  return { rate: (JOBS / ms) * 1000, cpu };
}

/**
 * CPU used so far, ms: this process, plus on PostgreSQL the server processes serving this
 * database (from /proc; the server runs on this machine). A ratio of CPU per job does not move
 * with the machine's load the way throughput does. A backend that exits in between is missed.
 */
type CpuSnapshot = { self: number; backends: Map<number, number> };
const TICK_MS = 10; // USER_HZ = 100 on Linux
async function cpuMs(ctx: AppContext): Promise<CpuSnapshot> {
  const backends = new Map<number, number>();
  if (ctx.db.kind === 'postgres') {
    const r = await ctx.db.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    for (const { pid } of r.rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        backends.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_MS); // utime, stime
      } catch {
        // gone already
      }
    }
  }
  const u = process.cpuUsage();
  return { self: (u.user + u.system) / 1000, backends };
}
function cpuUsed(a: CpuSnapshot, b: CpuSnapshot): number {
  let server = 0;
  for (const [pid, ms] of b.backends) server += ms - (a.backends.get(pid) ?? 0);
  if (process.env.CPU_DEBUG)
    process.stderr.write(`cpu self ${(b.self - a.self).toFixed(0)} server ${server} (${b.backends.size} backends)\n`);
  return b.self - a.self + server;
}

/** Resolves once `n` calls of the returned counter have been made. */
function counter(n: number): { tick: () => void; all: Promise<void> } {
  let seen = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  return { tick: () => void (++seen === n && done()), all };
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
};

// pg-boss's worker completes a batch without awaiting it: timed by polling, as it has no other end.
const bossWork = (ctx: AppContext) => async () => {
  await ctx.boss.work(Q, { batchSize: BATCH, pollingIntervalSeconds: 0.5 }, async () => {});
  while ((await completed(ctx, Q)) < JOBS) await sleep(5);
  await ctx.boss.offWork(Q);
};

const ours = (ctx: AppContext) => async () => {
  const { tick, all } = counter(JOBS);
  const agents = await startAgents(ctx, [
    defineAgent({
      queue: 'maintenance',
      concurrency: BATCH,
      async handler() {
        tick();
      },
    }) as unknown as Agent,
  ]);
  await all;
  await agents.settled(); // every completion written
  return async () => agents.stop(5000);
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

type Method = 'raw' | 'ours' | 'work';
const METHODS: Method[] = ['raw', 'ours', 'work'];
const run = (ctx: AppContext, m: Method) =>
  throughput(ctx, m === 'raw' ? rawDrain(ctx) : m === 'ours' ? ours(ctx) : bossWork(ctx));

const backends: Backend[] = which === 'both' ? ['postgres', 'pglite'] : [which as Backend];
const opened = new Map<Backend, Awaited<ReturnType<typeof open>>>();
for (const b of backends) opened.set(b, await open(b));
const f = (n: number) => n.toFixed(0).padStart(6);
const r2 = (n: number) => n.toFixed(2);
try {
  for (const b of backends) await run(opened.get(b)!.ctx, 'raw'); // warm-up
  type Measured = { rate: number; cpu: number };
  const rounds: Record<Backend, Record<Method, Measured>>[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const round = {} as Record<Backend, Record<Method, Measured>>;
    for (const m of METHODS) {
      for (const b of i % 2 ? [...backends].reverse() : backends) {
        (round[b] ??= {} as Record<Method, Measured>)[m] = await run(opened.get(b)!.ctx, m);
      }
    }
    rounds.push(round);
  }
  const out: string[] = [];
  for (const b of backends) {
    const per = (m: Method) => rounds.map((r) => r[b][m].rate);
    const ratio = (a: Method, c: Method) => rounds.map((r) => r[b][a].rate / r[b][c].rate);
    const cpu = (m: Method) => median(rounds.map((r) => r[b][m].cpu)).toFixed(0);
    out.push(
      `[${b}] ${JOBS} no-op jobs, batch/concurrency ${BATCH}, ${ROUNDS} interleaved rounds (median; per round)`,
      `  pg-boss drain loop  ${f(median(per('raw')))} jobs/s`,
      `  pg-boss work()      ${f(median(per('work')))} jobs/s`,
      `  ours (runtime.ts)   ${f(median(per('ours')))} jobs/s   ratio to drain loop ${r2(median(ratio('ours', 'raw')))} ` +
        `(${ratio('ours', 'raw').map(r2).join(', ')}), to work() ${r2(median(ratio('ours', 'work')))}`,
      `  CPU per ${JOBS} jobs (${b === 'postgres' ? 'this process + server backends' : 'this process'}): ` +
        `drain loop ${cpu('raw')} ms, ours ${cpu('ours')} ms`,
    );
  }
  if (backends.length === 2) {
    const ratios = (m: Method) => rounds.map((r) => r.pglite[m].rate / r.postgres[m].rate);
    const cpuRatio = rounds.map((r) => r.postgres.ours.cpu / r.pglite.ours.cpu);
    out.push(
      `PGlite over PostgreSQL, ours: ${r2(median(ratios('ours')))} (goal >= 0.6; per round ${ratios('ours').map(r2).join(', ')})`,
      `PGlite over PostgreSQL, pg-boss drain loop: ${r2(median(ratios('raw')))} (per round ${ratios('raw').map(r2).join(', ')})`,
      `PostgreSQL's CPU per job over PGlite's, ours: ${r2(median(cpuRatio))} (per round ${cpuRatio.map(r2).join(', ')})`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
  if (!process.env.NO_HOPS) {
    for (const b of backends) {
      const ctx = opened.get(b)!.ctx;
      const hop = await hopsOurs(ctx);
      const hopBoss = await hopsBoss(ctx);
      process.stdout.write(
        `[${b}] hop, idle worker: ours median ${hop.median.toFixed(1)} ms (max ${hop.max.toFixed(1)}), pg-boss work() ` +
          `at 2 s polling median ${hopBoss.median.toFixed(0)} ms (max ${hopBoss.max.toFixed(0)}): ` +
          `ratio ${(hop.median / hopBoss.median).toFixed(3)}\n`,
      );
    }
  }
} finally {
  for (const o of opened.values()) await o.close();
}
