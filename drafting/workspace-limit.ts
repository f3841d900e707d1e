// How many LLM drafts one workspace has in flight at once, in this process.
import pLimit, { type LimitFunction } from 'p-limit';

const limits = new Map<number, LimitFunction>();

/** Runs `fn` with at most `concurrency` calls in flight for this workspace in this process. */
export function withWorkspaceLimit<T>(workspaceId: number, concurrency: number, fn: () => Promise<T>): Promise<T> {
  let limit = limits.get(workspaceId);
  if (!limit || limit.concurrency !== concurrency) {
    limit = pLimit(concurrency);
    limits.set(workspaceId, limit);
  }
  return limit(fn);
}
