// The dispatcher's work, apart from the queue: find due steps, reconcile stuck ones, list
// mailboxes to read. The claim is what makes a send exactly-once; enqueuing twice is harmless.
import type { AppContext } from '../context.js';
import { run } from '../db/index.js';
import { imapMailboxes } from '../db/queries/inbox.js';
import { dueSteps } from '../db/queries/sending.js';
import { reconcileStuck, type SentLookup } from './reconcile.js';
import { stepApprovalTick } from './step-approval.js';

interface DispatchDeps {
  enqueueSend(stepId: number): Promise<unknown>;
  enqueueInbox(mailboxId: number): Promise<unknown>;
  now?: Date;
  lookup?: SentLookup;
}

export async function dispatchTick(
  ctx: Pick<AppContext, 'db' | 'log' | 'secrets' | 'config' | 'caches'>,
  deps: DispatchDeps,
) {
  const now = deps.now ?? new Date();
  // First: steps back in their owner's queue, and unapproved ones whose window closed (moved or skipped).
  const approvals = await stepApprovalTick(ctx, { now });
  const due = await run(ctx.db, dueSteps(now, 500));
  for (const s of due) await deps.enqueueSend(s.id);
  const reconciled = await reconcileStuck(ctx, { now, lookup: deps.lookup });
  const boxes = await run(ctx.db, imapMailboxes());
  for (const m of boxes) await deps.enqueueInbox(m.id);
  ctx.log.info({ due: due.length, ...reconciled, mailboxes: boxes.length, approvals }, 'sequencing.dispatched');
  return { due: due.length, reconciled, mailboxes: boxes.length, approvals };
}
