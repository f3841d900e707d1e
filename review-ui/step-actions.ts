// What the returned-steps pages and their JSON twins (step-approval-api.ts) share: the workspace's step-approval
// settings, the list a user sees, and one step the user may see.
import type { AppContext } from '../context.js';
import { one, run } from '../db/index.js';
import {
  findStepForApproval,
  listReturned,
  workspaceSettings,
  type AwaitingStepRow,
} from '../db/queries/step-approval.js';
import { AppError } from '../errors.js';
import { stepApprovalSettings } from '../sequencing/step-approval-rules.js';
import { assertCanSee, queueViewer } from './access.js';
import type { CurrentUser } from './auth/session.js';
import { pageParams } from './layout.js';

export async function stepSettings(ctx: Pick<AppContext, 'db'>, workspaceId: number) {
  return stepApprovalSettings((await one(ctx.db, workspaceSettings(workspaceId)))?.settings);
}

export /**
 * Returned steps the user sees, soonest due first. Only reads: the list goes by due time, and the
 * dispatcher's tick (every minute) stamps `returned_at`, so a GET never writes.
 */
async function loadReturned(ctx: Pick<AppContext, 'db'>, u: CurrentUser, now: Date, page = 1, perPage = 50) {
  const settings = await stepSettings(ctx, u.workspaceId);
  const p = pageParams({ page }, perPage);
  const rows = await run(
    ctx.db,
    listReturned(u.workspaceId, queueViewer(u), now, settings.staleFactDays, p.perPage, p.offset),
  );
  return { rows, total: rows[0]?.total ?? 0, page: p.page, perPage: p.perPage };
}

export async function loadStep(
  ctx: Pick<AppContext, 'db'>,
  u: CurrentUser,
  id: number | undefined,
): Promise<AwaitingStepRow> {
  const s = id ? await one(ctx.db, findStepForApproval(u.workspaceId, id)) : undefined;
  if (!s) throw new AppError('NOT_FOUND', 'No such step.');
  assertCanSee(u, s);
  return s;
}
