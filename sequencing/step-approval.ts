// Per-step approval with the database: a later step of an each_step sequence comes back to its
// owner's queue a lead time before it is due, goes out only once approved on its own, moves to
// the next window when nobody approved it in time, and is skipped after too many missed windows.
import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';
import { one, run, type Queryable } from '../db/index.js';
import { insertAudit } from '../db/queries/audit.js';
import { completeIfDone } from '../db/queries/sending.js';
import { sequenceRefs, stepApprovalState } from '../db/queries/sequencing.js';
import {
  approveStepRow,
  laterOpenSteps,
  lockStepGates,
  lockAwaitingStep,
  markReturned,
  moveAwaiting,
  overdueAwaiting,
  setStepTime,
  skipUnapproved,
  stepChanges,
} from '../db/queries/step-approval.js';
import { assertGatesConfirmed } from '../drafting/confirm-gates.js';
import { AppError } from '../errors.js';
import { loadSchedulePolicy } from './approve.js';
import {
  decideUnapproved,
  describeChanges,
  replanLater,
  stepApprovalSettings,
  type ChangeItem,
} from './step-approval-rules.js';

const DIGEST = /^[0-9a-f]{32}$/;

/** The digest the approval form carries: md5 of subject, U+0001, body (as `TEXT_DIGEST` in SQL). */
export function textDigest(subject: string, body: string): string {
  return createHash('md5').update(`${subject}\u0001${body}`, 'utf8').digest('hex');
}

/**
 * A rep approves one returned step. `digest` is of the text they saw: a step redrafted or edited
 * since is refused (CONFLICT), so what is sent is what was approved. A step the gates flagged
 * (after a refresh) is approved only when `confirmGates` names every gate it failed, as a draft.
 */
export async function approveStep(
  ctx: Pick<AppContext, 'db' | 'log'>,
  input: { stepId: number; userId: number; digest?: string | null; now?: Date; confirmGates?: string[] },
): Promise<{ scheduledAt: Date | null }> {
  if (input.digest && !DIGEST.test(input.digest))
    throw new AppError(
      'VALIDATION',
      'digest: the digest of the text you read (32 hex characters, from GET /steps/:id)',
    );
  const now = input.now ?? new Date();
  const row = await ctx.db.transaction(async (tx) => {
    // The flags of the text being approved; a stale digest or a settled step is refused below instead.
    const locked = await one(tx, lockStepGates(input.stepId));
    const current = locked?.status === 'awaiting_approval' && (!input.digest || input.digest === locked.digest);
    const confirmed = current && locked ? assertGatesConfirmed(locked.gate_failures, input.confirmGates, 'step') : [];
    const r = await one(tx, approveStepRow(input.stepId, input.userId, input.digest ?? null, now));
    if (!r) throw await whyNotApproved(tx, input.stepId, input.digest ?? null);
    const ws = (await one(tx, sequenceRefs(r.sequence_id)))!;
    await run(
      tx,
      insertAudit({
        workspaceId: ws.workspace_id,
        userId: input.userId,
        action: 'step.approved',
        entityType: 'sequence_step',
        entityId: r.id,
        data: { sequenceId: r.sequence_id, ...(confirmed.length ? { confirmedGateFailures: confirmed } : {}) },
      }),
    );
    return r;
  });
  ctx.log.info({ stepId: input.stepId, sequenceId: row.sequence_id, userId: input.userId }, 'sequence.step.approved');
  return { scheduledAt: row.scheduled_at };
}

async function whyNotApproved(tx: Queryable, stepId: number, digest: string | null): Promise<AppError> {
  const st = await one(tx, stepApprovalState(stepId));
  if (!st) return new AppError('NOT_FOUND', 'No such step.');
  if (st.status !== 'awaiting_approval')
    return new AppError('STATE', `This step is ${st.status.replace('_', ' ')}, not waiting for approval.`);
  if (st.sequence_status !== 'active')
    return new AppError('STATE', `The sequence is ${st.sequence_status}; nothing more is sent.`);
  if (st.earlier)
    return new AppError(
      'STATE',
      'An earlier step of this sequence still waits for approval; approve or skip it first.',
    );
  if (digest && textDigest(st.subject, st.body) !== digest) {
    return new AppError(
      'CONFLICT',
      'This step changed after you opened it (edited or refreshed). Reload, read it again, then approve.',
    );
  }
  return new AppError('STATE', 'This step could not be approved.');
}

/** What changed since the sequence was approved, for one step's panel. */
export async function loadChanges(
  db: Queryable,
  stepId: number,
  staleFactDays: number,
  now: Date,
): Promise<ChangeItem[]> {
  return describeChanges(await run(db, stepChanges(stepId, now, staleFactDays)), now);
}

/**
 * The dispatcher's share of per-step approval: mark steps that came back to the queue, then move
 * or skip the ones whose window closed unapproved. Each step is handled in its own transaction.
 */
export async function stepApprovalTick(
  ctx: Pick<AppContext, 'db' | 'log'>,
  opts: { now?: Date; random?: () => number } = {},
) {
  const now = opts.now ?? new Date();
  const returned = await run(ctx.db, markReturned(now, null));
  for (const r of returned)
    ctx.log.info({ stepId: r.id, sequenceId: r.sequence_id, ownerId: r.owner_id }, 'sequence.step.returned');
  let moved = 0,
    skipped = 0;
  for (const { id } of await run(ctx.db, overdueAwaiting(now, 500))) {
    const outcome = await settleUnapproved(ctx, id, now, opts.random);
    if (outcome === 'move') moved++;
    if (outcome === 'skip') skipped++;
  }
  return { returned: returned.length, moved, skipped };
}

async function settleUnapproved(
  ctx: Pick<AppContext, 'db' | 'log'>,
  stepId: number,
  now: Date,
  random?: () => number,
): Promise<'wait' | 'move' | 'skip' | 'none'> {
  const result = await ctx.db.transaction(async (tx) => {
    const st = await one(tx, lockAwaitingStep(stepId));
    if (!st || st.status !== 'awaiting_approval' || st.sequence_status !== 'active' || !st.scheduled_at)
      return { kind: 'none' as const };
    const { zone, policy } = await loadSchedulePolicy(tx, st.sequence_id);
    const settings = stepApprovalSettings(st.settings);
    const d = decideUnapproved({
      scheduledAt: st.scheduled_at,
      missedWindows: st.missed_windows,
      maxMissed: settings.maxMissedWindows,
      zone,
      policy,
      now,
      random,
    });
    if (d.kind === 'wait') return d;
    const later = (await run(tx, laterOpenSteps(st.sequence_id, st.position))).map((s) => ({
      id: s.id,
      delayDays: s.delay_days,
      at: s.scheduled_at,
    }));
    if (d.kind === 'move') {
      await run(tx, moveAwaiting(st.id, d.until, d.missed, now));
      for (const p of replanLater(d.until, later, zone, policy, 'move')) await run(tx, setStepTime(p.id, p.at, now));
    } else {
      await run(tx, skipUnapproved(st.id, d.missed, d.reason, now));
      // The sequence goes on: the next step's delay counts from the skip.
      for (const p of replanLater(now, later, zone, policy, 'skip')) await run(tx, setStepTime(p.id, p.at, now));
      await run(tx, completeIfDone(st.sequence_id, now));
      await run(
        tx,
        insertAudit({
          workspaceId: st.workspace_id,
          userId: null,
          action: 'step.skipped_unapproved',
          entityType: 'sequence_step',
          entityId: st.id,
          data: { missedWindows: d.missed },
        }),
      );
    }
    return { ...d, sequenceId: st.sequence_id };
  });
  if (result.kind === 'move')
    ctx.log.info(
      { stepId, sequenceId: result.sequenceId, until: result.until, missed: result.missed },
      'sequence.step.approval_missed',
    );
  if (result.kind === 'skip')
    ctx.log.info({ stepId, sequenceId: result.sequenceId, missed: result.missed }, 'sequence.step.skipped_unapproved');
  return result.kind;
}
