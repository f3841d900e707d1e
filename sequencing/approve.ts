// Approval starts a sequence: pending_review → active, every step scheduled in the recipient's
// window, all in one transaction so a half-approved sequence cannot exist. An account the CRM holds
// out (crm/guards.ts) is refused here, whichever way the approval comes (page, API, CLI, bulk).
import type { AppContext } from '../context.js';
import { one, run, type Queryable } from '../db/index.js';
import { insertAudit } from '../db/queries/audit.js';
import { awaitStep } from '../db/queries/step-approval.js';
import {
  activateSequence,
  cancelOpenSteps,
  findSequence,
  listSteps,
  rejectSequenceRow,
  scheduleContext,
  scheduleStep,
  type ScheduleContextRow,
  type SequenceRow,
} from '../db/queries/sequencing.js';
import { crmHoldOut } from '../crm/guards.js';
import { AppError } from '../errors.js';
import { holidayChecker } from './holidays.js';
import { planSchedule, policyFromTemplate, resolveZone, type PlannedStep, type WindowPolicy } from './schedule.js';

interface SequenceSchedulePlan {
  zone: string;
  policy: WindowPolicy;
  steps: (PlannedStep & { stepId: number })[];
}

/** The recipient's zone and the template's windows (with the account country's holidays) for a sequence. */
export async function loadSchedulePolicy(
  db: Queryable,
  sequenceId: number,
): Promise<{ zone: string; policy: WindowPolicy }> {
  const row = await one(db, scheduleContext(sequenceId));
  if (!row) throw new AppError('NOT_FOUND', `sequence ${sequenceId} not found`);
  return schedulePolicyOf(row);
}

/** Zone and policy from a row carrying the schedule context columns. */
export function schedulePolicyOf(row: ScheduleContextRow): { zone: string; policy: WindowPolicy } {
  const policy = { ...policyFromTemplate(row.sending_window ? row : null), isHoliday: holidayChecker(row.country) };
  return { zone: resolveZone(row.contact_tz, row.account_tz, row.owner_tz), policy };
}

/** Planned send times for a sequence's unsent steps as if approved at `now` (no jitter): for the review UI. */
export async function previewSchedule(
  db: Queryable,
  sequenceId: number,
  now = new Date(),
): Promise<SequenceSchedulePlan> {
  const { zone, policy } = await loadSchedulePolicy(db, sequenceId);
  const seq = await one(db, findSequence(sequenceId));
  const steps = (await run(db, listSteps(sequenceId))).filter(
    (s) => s.status === 'draft' || s.status === 'awaiting_approval',
  );
  const plan = planSchedule({
    steps: steps.map((s) => ({ position: s.position, delayDays: s.delay_days })),
    now: staggered(now, seq),
    zone,
    policy,
  });
  return { zone, policy, steps: plan.map((p, i) => ({ ...p, stepId: steps[i]!.id })) };
}

/** The earliest first send: a play staggers the contacts it chose at one account by hours. */
function staggered(now: Date, seq: Pick<SequenceRow, 'stagger_hours'> | undefined): Date {
  return new Date(now.getTime() + (seq?.stagger_hours ?? 0) * 3_600_000);
}

/** `boss` is accepted for the callers' convenience; sends are enqueued by the dispatcher. */
export async function approveSequence(
  ctx: Pick<AppContext, 'db' | 'boss' | 'log'> | Pick<AppContext, 'db' | 'log'>,
  input: { sequenceId: number; userId: number; now?: Date; random?: () => number },
): Promise<{ firstSendAt: Date | null }> {
  const now = input.now ?? new Date();
  const result = await ctx.db.transaction(async (tx) => {
    const seq = await one(tx, activateSequence(input.sequenceId, input.userId, now));
    if (!seq) {
      const current = await one(tx, findSequence(input.sequenceId));
      if (!current) throw new AppError('NOT_FOUND', `sequence ${input.sequenceId} not found`);
      throw new AppError('STATE', `sequence ${input.sequenceId} is ${current.status}, not pending review`, {
        details: { status: current.status },
      });
    }
    // A draft written before the CRM held its account out (a deal opened, it became a customer) starts nothing.
    const heldOut = seq.account_id ? await crmHoldOut(tx, seq.workspace_id, seq.account_id) : null;
    if (heldOut)
      throw new AppError('HELD_OUT', `This draft cannot be approved: ${heldOut}.`, { details: { reason: heldOut } });
    const { zone, policy } = await loadSchedulePolicy(tx, seq.id);
    const steps = (await run(tx, listSteps(seq.id))).filter(
      (s) => s.status === 'draft' || s.status === 'awaiting_approval',
    );
    if (!steps.length) throw new AppError('STATE', `sequence ${seq.id} has no steps to approve`);
    const plan = planSchedule({
      steps: steps.map((s) => ({ position: s.position, delayDays: s.delay_days })),
      now: staggered(now, seq),
      zone,
      policy,
      jitterMinutes: 20,
      random: input.random,
    });
    // each_step: the opener is approved here; every later step waits for an approval of its own.
    for (const [i, step] of steps.entries()) {
      await run(
        tx,
        i > 0 && seq.approval_mode === 'each_step'
          ? awaitStep(step.id, plan[i]!.at, now)
          : scheduleStep(step.id, plan[i]!.at, input.userId, now),
      );
    }
    await run(
      tx,
      insertAudit({
        workspaceId: seq.workspace_id,
        userId: input.userId,
        action: 'sequence.approved',
        entityType: 'sequence',
        entityId: seq.id,
        data: { zone },
      }),
    );
    // No job is enqueued here: the dispatcher (every minute) turns due steps into send jobs, and
    // domain code stays free of the queue layer.
    return { firstSendAt: plan[0]?.at ?? null, zone };
  });
  ctx.log.info(
    { sequenceId: input.sequenceId, userId: input.userId, firstSendAt: result.firstSendAt, zone: result.zone },
    'sequence.approved',
  );
  return { firstSendAt: result.firstSendAt };
}

export async function rejectSequence(
  ctx: Pick<AppContext, 'db' | 'log'>,
  input: { sequenceId: number; userId: number; reason?: string; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  await ctx.db.transaction(async (tx) => {
    const seq = await one(tx, rejectSequenceRow(input.sequenceId, input.reason ?? null, now));
    if (!seq) {
      const current = await one(tx, findSequence(input.sequenceId));
      if (!current) throw new AppError('NOT_FOUND', `sequence ${input.sequenceId} not found`);
      throw new AppError('STATE', `sequence ${input.sequenceId} is ${current.status}, not pending review`, {
        details: { status: current.status },
      });
    }
    await run(tx, cancelOpenSteps(seq.id, 'rejected', now));
    await run(
      tx,
      insertAudit({
        workspaceId: seq.workspace_id,
        userId: input.userId,
        action: 'sequence.rejected',
        entityType: 'sequence',
        entityId: seq.id,
        data: { reason: input.reason ?? null },
      }),
    );
  });
  ctx.log.info({ sequenceId: input.sequenceId, userId: input.userId }, 'sequence.rejected');
}
