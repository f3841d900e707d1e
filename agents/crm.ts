// The CRM both ways (issue 14): every 15 minutes each connected CRM is read (incremental), every
// minute new activity is queued for it and due writes go out. A job for one workspace (the "Sync
// now" button, a retry) runs just that one. Both handlers are idempotent: cursors and the outbox's
// keys make a second run of the same job a no-op.
import { run } from '../db/index.js';
import { listConnectedCrms } from '../db/queries/crm.js';
import { syncOut } from '../crm/outbound.js';
import { syncIn } from '../crm/sync-in.js';
import { defineAgent } from './runtime.js';

export const crmSyncAgent = defineAgent({
  queue: 'crmSync',
  cron: '*/15 * * * *',
  async handler({ workspaceId, full }, ctx) {
    const ids = workspaceId ? [workspaceId] : (await run(ctx.db, listConnectedCrms())).map((c) => c.workspace_id);
    for (const id of ids) {
      const r = await syncIn(ctx, id, { full });
      ctx.log.info({ workspaceId: id, status: r.status, runId: r.runId }, 'crm.sync.done');
    }
  },
});

export const crmOutAgent = defineAgent({
  queue: 'crmOut',
  cron: '* * * * *',
  async handler({ workspaceId }, ctx) {
    const ids = workspaceId ? [workspaceId] : (await run(ctx.db, listConnectedCrms())).map((c) => c.workspace_id);
    for (const id of ids) {
      const r = await syncOut(ctx, id);
      if (r.collected || r.flush?.claimed)
        ctx.log.info({ workspaceId: id, collected: r.collected, ...r.flush }, 'crm.out.done');
    }
  },
});
