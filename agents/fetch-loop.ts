// One fetch loop per queue: take up to `concurrency` jobs in one round trip, start each, and
// fetch again as soon as a slot is free; sleep only after a fetch that found nothing (until the
// polling interval ends, or a NOTIFY says a job arrived). pg-boss's own worker sleeps the rest of
// its polling interval after every fetch, even one that returned work, and completes or fails a
// whole batch together; here each job is settled on its own (settle.ts).
import type PgBoss from 'pg-boss';
import type { Logger } from '../log.js';
import { Settler, settleBackoffMs } from './settle.js';

interface FetchLoopOptions {
  boss: PgBoss;
  queue: string;
  concurrency: number;
  idleMs: number;
  log: Logger;
  run: (job: PgBoss.Job<unknown>) => Promise<void>;
}

/** A promise with its resolver, re-armed after each use. */
class Signal {
  private resolve: (() => void) | undefined;
  wait(ms?: number): Promise<void> {
    return new Promise<void>((res) => {
      const timer = ms === undefined ? undefined : setTimeout(res, ms);
      this.resolve = () => {
        clearTimeout(timer);
        res();
      };
    });
  }
  fire(): void {
    const r = this.resolve;
    this.resolve = undefined;
    r?.();
  }
}

/** Longer than the coarsest database clock tick (PGlite: 1 ms). */
const CLOCK_TICK_MS = 2;

export class FetchLoop {
  readonly settler: Settler;
  private readonly running = new Set<Promise<void>>();
  private readonly wake = new Signal();
  private readonly slotFreed = new Signal();
  private notified = false;
  /** Date.now() of the last notification, and of the last one a fetch was retried for. */
  private notifiedAt = 0;
  private retriedFor = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: FetchLoopOptions) {
    this.settler = new Settler(o.boss, o.queue, o.log);
  }

  start(): void {
    this.loop ??= this.fetchLoop();
  }

  /** New work is waiting (a NOTIFY from the database, or a job sent by this process). */
  notify(): void {
    this.notified = true;
    this.notifiedAt = Date.now();
    this.wake.fire();
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** Stop fetching; resolves when the loop has exited (jobs already started keep running). */
  async stopFetching(): Promise<void> {
    this.stopping = true;
    this.wake.fire();
    this.slotFreed.fire();
    await this.loop;
  }

  /** Resolves when every started job has finished (not necessarily been settled). */
  async jobsDone(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  /**
   * One fetch of up to `batchSize` jobs. pg-boss's `fetch` swallows a failed query and answers
   * "no jobs"; the query goes through a wrapper of pg-boss's own connection that notes the error,
   * so a failure is told apart from an empty queue (and retried soon, not after the idle sleep).
   */
  private async fetchBatch(batchSize: number): Promise<{ jobs: PgBoss.Job<unknown>[]; err?: unknown }> {
    const { boss, queue } = this.o;
    const db = boss.getDb();
    let err: unknown;
    const noting: PgBoss.Db = {
      async executeSql(text, values) {
        try {
          return await db.executeSql(text, values);
        } catch (e) {
          err = e;
          throw e;
        }
      },
    };
    try {
      const jobs = await boss.fetch(queue, { batchSize, db: noting });
      return { jobs, err };
    } catch (e) {
      return { jobs: [], err: e };
    }
  }

  private async fetchLoop(): Promise<void> {
    const { concurrency, idleMs, log } = this.o;
    let failures = 0;
    while (!this.stopping) {
      const free = concurrency - this.running.size;
      if (free <= 0) {
        await this.slotFreed.wait();
        // Jobs that finish in the same turn (a batch of quick ones) free their slots together:
        // one fetch for all of them rather than one per job.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      this.notified = false;
      const fetchedAt = Date.now();
      const { jobs, err } = await this.fetchBatch(free);
      if (err !== undefined) {
        // The database is away or the query lost a race: try again soon (100 ms doubling, at most
        // the idle interval), whatever the idle interval is; jobs may well be waiting.
        log.warn({ err, attempt: failures }, 'queue.fetch.failed');
        if (!this.stopping) await this.wake.wait(Math.min(idleMs, settleBackoffMs(failures++)));
        continue;
      }
      failures = 0;
      if (!jobs.length) {
        // pg-boss takes a job once its start_after < now(): a job sent in the same clock tick as
        // the fetch (PGlite's clock counts milliseconds) is not taken yet. A fetch that began
        // within a tick of a notification is tried once more after the tick has passed.
        const tick = this.notifiedAt + CLOCK_TICK_MS;
        if (!this.notified && fetchedAt <= tick && this.retriedFor !== this.notifiedAt) {
          this.retriedFor = this.notifiedAt;
          await new Promise((r) => setTimeout(r, Math.max(1, tick - Date.now() + 1)));
          continue;
        }
        if (!this.notified && !this.stopping) await this.wake.wait(idleMs);
        continue;
      }
      for (const job of jobs) this.startJob(job);
    }
  }

  private startJob(job: PgBoss.Job<unknown>): void {
    const p: Promise<void> = this.runJob(job).finally(() => {
      this.running.delete(p);
      this.slotFreed.fire();
    });
    this.running.add(p);
  }

  private async runJob(job: PgBoss.Job<unknown>): Promise<void> {
    // Like pg-boss: a handler still running when its job expires gives its slot back (the job
    // is failed and retried; handlers are idempotent).
    const expiry = Math.max(1, (job as { expireInSeconds?: number }).expireInSeconds ?? 900) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`handler exceeded the job's expiry of ${expiry} ms`)), expiry);
    });
    try {
      await Promise.race([this.o.run(job), expired]);
      this.settler.complete(job.id);
    } catch (err) {
      this.settler.fail(job.id, err);
    } finally {
      clearTimeout(timer);
    }
  }
}
