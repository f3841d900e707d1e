import { deleteExpiredSessions, deleteOldLoginAttempts } from '../db/queries/sessions.js';
import { deleteEmptyQueueCounts, deleteExpiredPages } from '../db/queries/maintenance.js';
import { wakeSnoozed } from '../db/queries/review-queue.js';
import { one, run } from '../db/index.js';
import { rematchChangedWorkspaces } from '../signals/rematch.js';
import { researchEnqueuer } from './signal-jobs.js';
import { defineAgent } from './runtime.js';

/**
 * Housekeeping every minute: snoozed drafts whose time has come go back to the review queue
 * (the queue page only reads), unmatched signals re-matched where accounts changed, expired sessions,
 * old login attempts, expired cached pages, the review queue's counter rows that count nothing.
 */
export const maintenanceAgent = defineAgent({
  queue: 'maintenance',
  cron: '* * * * *',
  async handler(_payload, { db, log, boss, caches }) {
    const woken = (await run(db, wakeSnoozed(null, new Date()))).length;
    const rematched = await rematchChangedWorkspaces(
      { db, log, caches, enqueueResearch: researchEnqueuer(boss) },
      new Date(),
    );
    const sessions = (await run(db, deleteExpiredSessions())).length;
    const attempts = (await run(db, deleteOldLoginAttempts())).length;
    const pages = (await run(db, deleteExpiredPages())).length;
    const counters = (await one(db, deleteEmptyQueueCounts()))?.n ?? 0;
    (woken + rematched + sessions + attempts + pages + counters ? log.info : log.debug).call(
      log,
      { woken, rematched, sessions, attempts, pages, counters },
      'maintenance.done',
    );
  },
});
