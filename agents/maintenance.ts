import { deleteExpiredSessions, deleteOldLoginAttempts } from '../db/queries/sessions.js';
import { deleteExpiredPages } from '../db/queries/maintenance.js';
import { run } from '../db/index.js';
import { defineAgent } from './runtime.js';

/** Housekeeping every 15 minutes: expired sessions, old login attempts, expired cached pages. */
export const maintenanceAgent = defineAgent({
  queue: 'maintenance',
  cron: '*/15 * * * *',
  async handler(_payload, { db, log }) {
    const sessions = (await run(db, deleteExpiredSessions())).length;
    const attempts = (await run(db, deleteOldLoginAttempts())).length;
    const pages = (await run(db, deleteExpiredPages())).length;
    log.info({ sessions, attempts, pages }, 'maintenance.done');
  },
});
