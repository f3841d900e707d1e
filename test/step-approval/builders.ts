// An each_step sequence whose opener was approved and whose follow-up is back in the owner's
// queue: built on the review builders (signal, dossier, cited facts), approved through the real
// `approveSequence`, with the follow-up's send time placed `dueInHours` from `now`.
import type { AppContext } from '../../context.js';
import { approveSequence } from '../../sequencing/approve.js';
import type { TestWorkspace } from '../support/builders.js';
import { buildDraft, type BuiltDraft, type DraftSpec } from '../support/review-builders.js';

const hours = (h: number) => new Date(Date.now() + h * 3_600_000);

export async function buildReturnedStep(
  ctx: Pick<AppContext, 'db' | 'log'>,
  spec: DraftSpec & { approvedAt: Date; dueAt: Date },
): Promise<BuiltDraft> {
  const b = await buildDraft(ctx.db, spec);
  await ctx.db.query(`UPDATE sequences SET approval_mode = 'each_step' WHERE id = $1`, [b.sequenceId]);
  await approveSequence(ctx, { sequenceId: b.sequenceId, userId: spec.ownerId, now: spec.approvedAt, random: () => 0 });
  await ctx.db.query(`UPDATE sequence_steps SET scheduled_at = $2 WHERE id = $1 AND status = 'awaiting_approval'`, [
    b.stepIds[1],
    spec.dueAt,
  ]);
  return b;
}

/** A returned step of the workspace's rep, approved `approvedHoursAgo` hours ago and due in `dueInHours`. */
export const returnedStepFor = (
  ctx: Pick<AppContext, 'db' | 'log'>,
  ws: TestWorkspace,
  dueInHours: number,
  approvedHoursAgo = 48,
): Promise<BuiltDraft> =>
  buildReturnedStep(ctx, {
    workspaceId: ws.id,
    ownerId: ws.users.rep.id,
    approvedAt: hours(-approvedHoursAgo),
    dueAt: hours(dueInHours),
  });

/** A new signal on the account and a new title for the contact, both after the approval. */
export async function somethingChanged(
  ctx: Pick<AppContext, 'db'>,
  b: BuiltDraft,
  workspaceId: number,
  at: Date,
): Promise<void> {
  await ctx.db.query(
    `INSERT INTO signals (workspace_id, account_id, type, title, summary, fingerprint, detected_at) ` +
      `VALUES ($1, $2, 'hiring', 'Acme is hiring 12 SDRs', 'Twelve new sales roles.', $3, $4)`,
    [workspaceId, b.accountId, `fp-changed-${b.sequenceId}`, at],
  );
  await ctx.db.query(
    `INSERT INTO contact_changes (contact_id, field, old_value, new_value, source, at) ` +
      `VALUES ($1, 'title', 'VP Sales', 'Chief Revenue Officer', 'import', $2)`,
    [b.contactId, at],
  );
  await ctx.db.query(`UPDATE contacts SET title = 'Chief Revenue Officer' WHERE id = $1`, [b.contactId]);
}
