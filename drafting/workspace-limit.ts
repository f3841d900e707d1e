// How many LLM drafts one workspace has in flight at once, across every process: a draft takes
// one of the workspace's DRAFT_CONCURRENCY slots (draft_slots) before it calls the model and
// gives it back after. A slot is leased and the lease renewed while the draft runs, so the slot
// of a process killed mid-draft is free again within a lease.
import { randomUUID } from 'node:crypto';
import { one, run, type Queryable } from '../db/index.js';
import { releaseDraftSlot, renewDraftSlot, takeDraftSlot } from '../db/queries/draft-slots.js';

/** How long a slot stays taken without its holder renewing it (renewed every third of it). */
const SLOT_LEASE_SECONDS = 60;
/** Longest wait between two tries for a slot while the workspace's slots are all taken. */
const MAX_POLL_MS = 500;

interface WorkspaceLimitOptions {
  /** Stops waiting for a slot (the job is shutting down). */
  signal?: AbortSignal;
  leaseSeconds?: number;
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const done = () => {
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });

/** Waits for a slot of the workspace (polling with backoff), then runs `fn` holding it. */
export async function withWorkspaceLimit<T>(
  db: Queryable,
  workspaceId: number,
  concurrency: number,
  fn: () => Promise<T>,
  opts: WorkspaceLimitOptions = {},
): Promise<T> {
  const holder = randomUUID();
  const lease = opts.leaseSeconds ?? SLOT_LEASE_SECONDS;
  let slot: number | undefined;
  for (let wait = 50; slot === undefined; wait = Math.min(MAX_POLL_MS, wait * 2)) {
    slot = (await one(db, takeDraftSlot(workspaceId, concurrency, holder, lease)))?.slot;
    // Jitter keeps waiters of several processes from asking in step.
    if (slot === undefined) await pause(wait / 2 + Math.random() * wait, opts.signal);
  }
  const taken = slot;
  const renew = setInterval(
    () => {
      one(db, renewDraftSlot(workspaceId, taken, holder, lease)).catch(() => {});
    },
    (lease * 1000) / 3,
  );
  renew.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await run(db, releaseDraftSlot(workspaceId, taken, holder)).catch(() => {});
  }
}
