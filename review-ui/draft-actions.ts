// What a reviewer can do to a draft, shared by the HTML routes and the JSON API so both
// enforce the same roles, the same optimistic lock and the same audit trail.
import { Queues } from '../agents/queues.js';
import type { AppContext } from '../context.js';
import { one, run } from '../db/index.js';
import {
  bumpDraftVersion,
  findDraft,
  firstScheduled,
  insertEditVersion,
  snoozeDraft,
  unsnoozeDraft,
  updateStepText,
  type DraftRow,
} from '../db/queries/review.js';
import { assertGatesConfirmed, failedGates } from '../drafting/confirm-gates.js';
import { OFFLINE_INSTRUCTION } from '../drafting/offline.js';
import { regateSequence } from '../drafting/service.js';
import { AppError } from '../errors.js';
import { approveSequence, rejectSequence } from '../sequencing/approve.js';
import { assertCanAct, assertCanSee } from './access.js';
import { auditRequest } from './audit.js';
import type { CurrentUser } from './auth/session.js';

type Ctx = Pick<AppContext, 'db' | 'boss' | 'log'> & { llm?: AppContext['llm'] };

export async function loadDraft(ctx: Ctx, u: CurrentUser, id: number): Promise<DraftRow> {
  const d = await one(ctx.db, findDraft(u.workspaceId, id));
  if (!d) throw new AppError('NOT_FOUND', 'No such draft.');
  assertCanSee(u, d);
  return d;
}

const audit = (ctx: Ctx, u: CurrentUser, action: string, id: number, data: Record<string, unknown> = {}, ip?: string) =>
  auditRequest(ctx.db, { ...u, ip }, action, { type: 'sequence', id }, data);

export interface StepEdit {
  position: number;
  subject: string;
  body: string;
}

/**
 * Saves edited text when the editor saw the current version; the second of two concurrent
 * editors gets CONFLICT and keeps their text in the browser to copy over.
 */
export async function saveEdit(
  ctx: Ctx,
  u: CurrentUser,
  id: number,
  version: number,
  steps: StepEdit[],
): Promise<{ version: number; savedVersion: number }> {
  const d = await loadDraft(ctx, u, id);
  assertCanAct(u, d);
  const out = await ctx.db.transaction(async (tx) => {
    const bumped = await one(tx, bumpDraftVersion(id, version));
    if (!bumped) return undefined;
    for (const s of steps) await run(tx, updateStepText(id, s.position, s.subject, s.body));
    // The flags follow the text: what the rep fixed is no longer flagged, what they broke is.
    await regateSequence(tx, id);
    const v = await one(tx, insertEditVersion(id, steps, u.id));
    return { version: bumped.version, savedVersion: v!.version };
  });
  if (!out) {
    const now = await one(ctx.db, findDraft(u.workspaceId, id));
    if (now && !['pending_review', 'snoozed'].includes(now.status)) {
      throw new AppError('STATE', `This draft is ${now.status.replace('_', ' ')} now and can no longer be edited.`);
    }
    throw new AppError(
      'CONFLICT',
      'Someone else saved this draft after you opened it. Your text was not saved: copy it, reload to see their version, and edit again.',
      { details: { currentVersion: now?.version } },
    );
  }
  await audit(ctx, u, 'draft.edited', id, { version: out.version });
  return out;
}

/**
 * Approves what the reviewer saw: with `expectedVersion` (the page and the list send it), a
 * draft saved by someone else since is refused, since what is sent must be what was approved.
 * A draft the gates flagged is never approved in bulk, and alone only when `confirmGates` names
 * every gate it failed (the reviewer read them).
 */
export async function approve(
  ctx: Ctx,
  u: CurrentUser,
  id: number,
  opts: { expectedVersion?: number; now?: Date; bulk?: boolean; confirmGates?: string[] } = {},
): Promise<{ firstSendAt: Date | null }> {
  const now = opts.now;
  const d = await loadDraft(ctx, u, id);
  assertCanAct(u, d);
  if (d.status !== 'pending_review' && d.status !== 'snoozed')
    throw new AppError('STATE', `This draft is ${d.status.replace('_', ' ')} already.`);
  if (opts.expectedVersion !== undefined && opts.expectedVersion !== d.version) {
    throw new AppError(
      'CONFLICT',
      'This draft changed after you opened it (someone edited or redrafted it). Reload, read it again, then approve.',
      { details: { currentVersion: d.version } },
    );
  }
  const gates = failedGates(d.gate_failures);
  if (gates.length && opts.bulk)
    throw new AppError(
      'GATE_FAILURES',
      `Flagged by the ${gates.join(', ')} gate${gates.length === 1 ? '' : 's'}: open it and approve it on its own.`,
      { details: { failures: d.gate_failures } },
    );
  assertGatesConfirmed(d.gate_failures, opts.confirmGates, 'draft');
  if (d.status === 'snoozed') await run(ctx.db, unsnoozeDraft(id));
  const r = await approveSequence(ctx, { sequenceId: id, userId: u.id, now });
  await audit(ctx, u, 'draft.approved', id, {
    firstSendAt: r.firstSendAt?.toISOString() ?? null,
    ...(gates.length ? { confirmedGateFailures: gates } : {}),
  });
  return r;
}

export async function reject(ctx: Ctx, u: CurrentUser, id: number, reason: string, now?: Date): Promise<void> {
  const d = await loadDraft(ctx, u, id);
  assertCanAct(u, d);
  if (!reason.trim())
    throw new AppError('VALIDATION', 'Say why you reject this draft; it helps the drafter and your manager.');
  if (reason.trim().length > 1000) throw new AppError('VALIDATION', 'Keep the reason under 1,000 characters.');
  if (d.status === 'snoozed') await run(ctx.db, unsnoozeDraft(id));
  await rejectSequence(ctx, { sequenceId: id, userId: u.id, reason: reason.trim(), now });
  await audit(ctx, u, 'draft.rejected', id, { reason: reason.trim() });
}

export async function regenerate(
  ctx: Ctx,
  u: CurrentUser,
  id: number,
  instruction: string,
): Promise<{ jobId: string | null }> {
  const d = await loadDraft(ctx, u, id);
  assertCanAct(u, d);
  if (d.status !== 'pending_review' && d.status !== 'snoozed')
    throw new AppError('STATE', `This draft is ${d.status.replace('_', ' ')} and cannot be redrafted.`);
  if (instruction.trim().length > 2000)
    throw new AppError('VALIDATION', 'Keep the instruction under 2,000 characters.');
  if (!ctx.llm && instruction.trim()) throw new AppError('STATE', OFFLINE_INSTRUCTION);
  const jobId = await ctx.boss.send(Queues.draft.name, {
    sequenceId: id,
    instruction: instruction.trim() || undefined,
  });
  await audit(ctx, u, 'draft.regenerate_requested', id, { instruction: instruction.trim() });
  return { jobId };
}

export async function snooze(ctx: Ctx, u: CurrentUser, id: number, until: Date): Promise<{ until: Date }> {
  const d = await loadDraft(ctx, u, id);
  assertCanAct(u, d);
  const r = await one(ctx.db, snoozeDraft(id, until));
  if (!r)
    throw new AppError(
      'STATE',
      `Only a draft waiting for review can be snoozed; this one is ${d.status.replace('_', ' ')}.`,
    );
  await audit(ctx, u, 'draft.snoozed', id, { until: until.toISOString() });
  return { until: r.snoozed_until };
}

export async function firstSendOf(ctx: Pick<AppContext, 'db'>, id: number): Promise<Date | null> {
  return (await one(ctx.db, firstScheduled(id)))?.at ?? null;
}
