// The worker's fetch loop on both backends: drains waiting work without napping, wakes on a
// NOTIFY, settles each job on its own, survives its job table going away while a job runs, and
// lets in-flight jobs finish on stop.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Queues } from '../../agents/queues.js';
import { defineAgent, startAgents, type RunningAgents } from '../../agents/runtime.js';
import { settleBackoffMs } from '../../agents/settle.js';
import type { AppContext } from '../../context.js';
import { JOBS_CHANNEL } from '../../db/queries/job-wake.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { eventually } from '../support/eventually.js';

/** A promise the test resolves by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** Never sleeps long enough for a test to see it: a loop that napped after work would stall. */
const NEVER = 3600;

describeEachBackend('worker fetch loop', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  const events: { msg: string; jobId?: string; jobIds?: string[] }[] = [];
  let running: RunningAgents | undefined;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    // A real logger whose lines the test reads: the stable event names are the evidence.
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) events.push(JSON.parse(line));
        done();
      },
    });
    ctx.log = pino({ level: 'debug' }, sink);
  });
  // A test that failed half-way must not leave its loop taking the next test's jobs.
  afterEach(async () => {
    await running?.stop(5000);
    running = undefined;
  });
  afterAll(async () => {
    await ctx?.stop();
  });
  const state = async (queue: string, id: string) => (await ctx.boss.getJobById(queue, id))?.state;
  /** Starts a one-slot maintenance agent running `body`, sends it a job, waits for it to start. */
  async function runOne(body: (signal: AbortSignal) => Promise<void>): Promise<string> {
    const started = gate();
    running = await startAgents(ctx, [
      defineAgent({
        queue: 'maintenance',
        pollingIntervalSeconds: NEVER,
        async handler(_p, { signal }) {
          started.open();
          await body(signal);
        },
      }),
    ] as never);
    const id = await ctx.boss.send(Queues.maintenance.name, {});
    await started.opened;
    return id!;
  }

  it('runs up to `concurrency` jobs at once and drains a backlog without sleeping between fetches', async () => {
    const queue = Queues.signalsTick.name;
    const ids = await Promise.all(Array.from({ length: 9 }, () => ctx.boss.send(queue, {})));
    let now = 0;
    let most = 0;
    let done = 0;
    const release = gate();
    running = await startAgents(ctx, [
      defineAgent({
        queue: 'signalsTick',
        concurrency: 3,
        pollingIntervalSeconds: NEVER,
        async handler() {
          most = Math.max(most, ++now);
          await release.opened;
          now--;
          done++;
        },
      }),
    ] as never);
    await eventually('three jobs at once', () => most === 3);
    release.open();
    await eventually('all nine done', () => done === 9);
    for (const id of ids)
      await eventually(`job ${id} completed`, async () => (await state(queue, id!)) === 'completed');
    expect(most).toBe(3);
    await running!.stop(5000);
  });

  it('settled() resolves once every job started has finished and its outcome is written; the loop keeps fetching', async () => {
    const queue = Queues.signalsTick.name;
    const ids = await Promise.all(Array.from({ length: 5 }, () => ctx.boss.send(queue, {})));
    const order: string[] = [];
    let started = 0;
    const release = gate();
    running = await startAgents(ctx, [
      defineAgent({
        queue: 'signalsTick',
        concurrency: 5,
        pollingIntervalSeconds: NEVER,
        async handler() {
          started++;
          await release.opened;
          order.push('handled');
        },
      }),
    ] as never);
    await eventually('five running', () => started === 5);
    const settled = running.settled().then(() => order.push('settled'));
    release.open();
    await settled;
    expect(order).toEqual(['handled', 'handled', 'handled', 'handled', 'handled', 'settled']);
    // No waiting here: once settled() resolves, the completions are in the job table.
    for (const id of ids) expect(await state(queue, id!)).toBe('completed');
    const more = await ctx.boss.send(queue, {});
    await eventually('a job sent after settled() is handled', () => started === 6);
    await running.settled();
    expect(await state(queue, more!)).toBe('completed');
  });

  it('wakes on a NOTIFY when a job is sent while it sleeps, and fails a bad job on its own', async () => {
    const queue = Queues.dispatch.name;
    const seen: string[] = [];
    // Known before it is sent: the loop may take the job before `send` returns here.
    const bad = randomUUID();
    running = await startAgents(ctx, [
      defineAgent({
        queue: 'dispatch',
        concurrency: 2,
        pollingIntervalSeconds: NEVER,
        async handler(_p, { jobId }) {
          seen.push(jobId);
          if (jobId === bad) throw new Error('this one fails');
        },
      }),
    ] as never);
    const first = await ctx.boss.send(queue, {});
    await eventually(`job ${first} completed`, async () => (await state(queue, first!)) === 'completed');
    // The loop found the queue empty after the first job and sleeps for an hour unless woken.
    const second = await ctx.boss.send(queue, {}, { id: bad, retryLimit: 0 });
    const third = await ctx.boss.send(queue, {});
    await eventually(`job ${second} failed`, async () => (await state(queue, second!)) === 'failed');
    await eventually(`job ${third} completed`, async () => (await state(queue, third!)) === 'completed');
    // One fetch may take both; pg-boss's UPDATE … RETURNING hands a batch back in no set order.
    expect(seen[0]).toBe(first);
    expect(seen.slice(1).sort()).toEqual([second, third].sort());
    await running!.stop(5000);
  });

  it('keeps retrying a completion while the job table is gone, and completes once it is back', async () => {
    const queue = Queues.maintenance.name;
    const release = gate();
    const id = await runOne(() => release.opened);
    await ctx.db.query('ALTER TABLE pgboss.job RENAME TO job_away');
    const retriesBefore = events.filter((e) => e.msg === 'job.settle.retry').length;
    release.open();
    try {
      await eventually(
        'two more settle retries',
        () => events.filter((e) => e.msg === 'job.settle.retry').length >= retriesBefore + 2,
      );
    } finally {
      await ctx.db.query('ALTER TABLE pgboss.job_away RENAME TO job');
    }
    await eventually(`job ${id} completed`, async () => (await state(queue, id!)) === 'completed');
    await running!.stop(5000);
  });

  it('retries a fetch that failed soon, whatever its polling interval, and takes the job once the table is back', async () => {
    // pg-boss's fetch answers "no jobs" when its query fails; a loop that believed it would sleep
    // for its whole polling interval (here an hour) with work waiting.
    const queue = Queues.dispatch.name;
    const seen: string[] = [];
    running = await startAgents(ctx, [
      defineAgent({
        queue: 'dispatch',
        pollingIntervalSeconds: NEVER,
        async handler(_p, { jobId }) {
          seen.push(jobId);
        },
      }),
    ] as never);
    const failedBefore = events.filter((e) => e.msg === 'queue.fetch.failed').length;
    await ctx.db.query('ALTER TABLE pgboss.job RENAME TO job_away');
    try {
      await ctx.db.query('SELECT pg_notify($1, $2)', [JOBS_CHANNEL, queue]);
      await eventually(
        'three more failed fetches',
        () => events.filter((e) => e.msg === 'queue.fetch.failed').length >= failedBefore + 3,
      );
    } finally {
      await ctx.db.query('ALTER TABLE pgboss.job_away RENAME TO job');
    }
    const id = await ctx.boss.send(queue, {});
    await eventually(`job ${id} completed`, async () => (await state(queue, id!)) === 'completed');
    expect(seen).toContain(id);
    await running!.stop(5000);
  });

  it('takes a job sent while its first fetch runs, in the same clock tick', async () => {
    // pg-boss takes a job once its start_after < now(); PGlite's clock counts milliseconds. A job
    // sent while the loop's first fetch runs wakes it, and the fetch it makes at once can fall in
    // the insert's millisecond: that fetch must not be the last before the loop sleeps (an hour).
    for (let i = 0; i < 12; i++) {
      await runOne(async () => {});
      await running!.stop(5000);
      running = undefined;
    }
  });

  it('on stop, lets an in-flight job finish and records it before resolving', async () => {
    const queue = Queues.maintenance.name;
    let finished = false;
    const id = await runOne(async () => {
      await new Promise((r) => setTimeout(r, 300));
      finished = true;
    });
    await running!.stop(10_000);
    expect(finished).toBe(true);
    expect(await state(queue, id!)).toBe('completed');
  });

  it('on stop, aborts a job that outlives the grace period, and the job is failed for a retry', async () => {
    const queue = Queues.maintenance.name;
    const id = await runOne(
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted', { cause: signal.reason }))),
        ),
    );
    await running!.stop(1500);
    expect(await state(queue, id!)).toBe('retry');
  });
});

it('backs off 100 ms doubling to 5 s between attempts to record an outcome', () => {
  expect([0, 1, 2, 5, 6, 50].map(settleBackoffMs)).toEqual([100, 200, 400, 3200, 5000, 5000]);
});
