// Records each job's outcome with pg-boss, one job at a time as far as the outcome goes, but
// with as few round trips as possible: completions that pile up while a write is in flight go
// out together in the next statement; failures go one by one (each carries its own error).
// A write that fails because the database went away is retried with backoff for as long as the
// process lives (or until `abandon` at the end of a shutdown): never an unhandled rejection.
// pg-boss's own worker fires complete/fail without awaiting them, which is what killed workers
// on a PostgreSQL restart.
import type PgBoss from 'pg-boss';
import type { Logger } from '../log.js';

/** Wait before retry `attempt` (0-based) of a write that failed: 100 ms doubling, capped at 5 s. */
export function settleBackoffMs(attempt: number): number {
  return Math.min(5000, 100 * 2 ** Math.min(attempt, 16));
}

export class Settler {
  private completed: string[] = [];
  private failed: { id: string; err: unknown }[] = [];
  private flushing: Promise<void> | undefined;
  private abandoned = false;

  constructor(
    private readonly boss: Pick<PgBoss, 'complete' | 'fail'>,
    private readonly queue: string,
    private readonly log: Logger,
  ) {}

  complete(id: string): void {
    this.completed.push(id);
    this.flushing ??= this.drain();
  }

  fail(id: string, err: unknown): void {
    this.failed.push({ id, err });
    this.flushing ??= this.drain();
  }

  /** Resolves once every outcome handed over so far is written (or abandoned). */
  idle(): Promise<void> {
    return this.flushing ?? Promise.resolve();
  }

  /** Stop retrying: the process is going away; unwritten jobs expire and are retried elsewhere. */
  abandon(): void {
    this.abandoned = true;
  }

  private async drain(): Promise<void> {
    // Let every job that finishes in this turn of the event loop join the same statement.
    await new Promise((r) => setImmediate(r));
    for (;;) {
      if (this.abandoned || (!this.completed.length && !this.failed.length)) {
        this.flushing = undefined;
        return;
      }
      if (this.completed.length) {
        const ids = this.completed.splice(0);
        await this.write(() => this.boss.complete(this.queue, ids), { jobIds: ids });
      }
      const failed = this.failed.splice(0);
      for (const { id, err } of failed) {
        await this.write(() => this.boss.fail(this.queue, id, err as object), { jobId: id });
      }
    }
  }

  private async write(fn: () => Promise<unknown>, ids: object): Promise<void> {
    for (let attempt = 0; !this.abandoned; attempt++) {
      try {
        await fn();
        return;
      } catch (err) {
        this.log.warn({ ...ids, err, attempt }, 'job.settle.retry');
        await new Promise((r) => setTimeout(r, settleBackoffMs(attempt)));
      }
    }
    this.log.warn(ids, 'job.settle.abandoned');
  }
}
