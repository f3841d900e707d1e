// What a rep does by hand: resume a paused sequence, correct an inbound message's
// classification, and (in the embedded default, with no real inbox) simulate a prospect's answer.
import type { AppContext } from '../context.js';
import { one, run } from '../db/index.js';
import { insertAudit } from '../db/queries/audit.js';
import { contactEmail } from '../db/queries/contacts.js';
import { correctClassification, findInMessage } from '../db/queries/inbox.js';
import { resolveUnknownStep, resumeSequenceRow, sentStepForReply } from '../db/queries/outcomes.js';
import { completeIfDone, insertEvent } from '../db/queries/sending.js';
import { sequenceRefs, unknownStep } from '../db/queries/sequencing.js';
import { AppError } from '../errors.js';
import { loadSchedulePolicy } from './approve.js';
import { processInbound, type InboundResult, type IntentClassifier } from './inbox/process.js';
import { applyAutoReply, applyBounce, applyReply, applyUnsubscribe } from './outcomes.js';
import { nextSlot } from './schedule.js';

type Ctx = Pick<AppContext, 'db' | 'log' | 'config' | 'llm'>;

/** paused → active. Steps that fell due meanwhile are moved into the next window at claim time. */
export async function resumeSequence(
  ctx: Ctx,
  input: { sequenceId: number; userId: number; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  await ctx.db.transaction(async (tx) => {
    const seq = await one(tx, resumeSequenceRow(input.sequenceId, now));
    if (!seq) throw new AppError('STATE', `sequence ${input.sequenceId} is not paused`);
    await run(
      tx,
      insertAudit({
        workspaceId: seq.workspace_id,
        userId: input.userId,
        action: 'sequence.resumed',
        entityType: 'sequence',
        entityId: input.sequenceId,
      }),
    );
  });
  ctx.log.info({ sequenceId: input.sequenceId, userId: input.userId }, 'sequence.resumed');
}

type CorrectedKind = 'reply' | 'auto_reply' | 'bounce' | 'unsubscribe' | 'other';

/**
 * A rep's verdict on an inbound message. The stored classification changes (the old one is kept
 * in the details) and the new kind's effect is applied; effects already applied are not undone
 * (a stopped sequence stays stopped: cancelled steps are never revived automatically).
 */
export async function correctInbound(
  ctx: Ctx,
  input: { messageRowId: number; kind: CorrectedKind; userId: number; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  await ctx.db.transaction(async (tx) => {
    const m = await one(tx, findInMessage(input.messageRowId));
    if (!m) throw new AppError('NOT_FOUND', `message ${input.messageRowId} not found`);
    if (m.classification === input.kind) return;
    await run(tx, correctClassification(m.id, input.kind, input.userId));
    await run(
      tx,
      insertAudit({
        workspaceId: m.workspace_id,
        userId: input.userId,
        action: 'message.reclassified',
        entityType: 'message',
        entityId: m.id,
        data: { from: m.classification, to: input.kind },
      }),
    );
    if (!m.contact_id) return;
    const who = { workspaceId: m.workspace_id, contactId: m.contact_id, now, messageRef: m.id };
    const email = (await one(tx, contactEmail(m.contact_id)))!.email;
    switch (input.kind) {
      case 'reply': {
        const seq = m.sequence_id ? await one(tx, sequenceRefs(m.sequence_id)) : undefined;
        await applyReply(tx, {
          ...who,
          sequenceId: m.sequence_id,
          accountId: seq?.account_id ?? null,
          intent: null,
          pauseAccount: true,
        });
        break;
      }
      case 'unsubscribe':
        await applyUnsubscribe(tx, { ...who, email, source: 'corrected', sequenceId: m.sequence_id });
        break;
      case 'bounce':
        await applyBounce(tx, {
          ...who,
          email,
          hard: true,
          status: null,
          diagnostic: 'marked as a bounce by a rep',
          sequenceId: m.sequence_id,
          stepId: m.step_id,
        });
        break;
      case 'auto_reply':
        if (m.sequence_id)
          await applyAutoReply(tx, {
            ...who,
            sequenceId: m.sequence_id,
            returnDate: null,
            ...(await loadSchedulePolicy(tx, m.sequence_id)),
          });
        break;
      case 'other':
        break;
    }
  });
  ctx.log.info({ messageRowId: input.messageRowId, kind: input.kind, userId: input.userId }, 'inbox.message.corrected');
}

/**
 * The embedded default has no inbox: the outbox view can answer a sent step as the prospect
 * would, through the same path as real mail (raw MIME → classify → match → act).
 */
export async function simulateReply(
  ctx: Ctx,
  input: {
    stepId: number;
    body: string;
    subject?: string;
    headers?: Record<string, string>;
    now?: Date;
    intentOf?: IntentClassifier;
  },
): Promise<InboundResult> {
  const s = await one(ctx.db, sentStepForReply(input.stepId));
  if (!s) throw new AppError('STATE', `step ${input.stepId} has not been sent`);
  const now = input.now ?? new Date();
  const raw = [
    `From: <${s.email}>`,
    `To: <${s.from_email}>`,
    `Subject: ${(input.subject ?? `Re: ${s.subject}`).replace(/[\r\n]+/g, ' ')}`,
    `Date: ${now.toUTCString()}`,
    `Message-ID: <sim-${input.stepId}-${now.getTime()}@prospector.local>`,
    `In-Reply-To: ${s.message_id}`,
    `References: ${s.message_id}`,
    ...Object.entries(input.headers ?? {}).map(
      ([k, v]) => `${k.replace(/[^A-Za-z0-9-]/g, '')}: ${v.replace(/[\r\n]+/g, ' ')}`,
    ),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    input.body,
  ].join('\r\n');
  return processInbound(ctx, {
    workspaceId: s.workspace_id,
    mailboxId: s.mailbox_id,
    raw,
    now,
    intentOf: input.intentOf,
  });
}

/**
 * A person decides about a step in `unknown` (it may or may not have gone out): `sent` records it
 * as delivered, `resend` schedules it again in the next window (same Message-ID, which many mail
 * systems de-duplicate if the first copy did arrive), `skip` drops it.
 */
export async function resolveUnknown(
  ctx: Ctx,
  input: { stepId: number; decision: 'sent' | 'resend' | 'skip'; userId: number; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  await ctx.db.transaction(async (tx) => {
    const step = await one(tx, unknownStep(input.stepId));
    if (!step) throw new AppError('STATE', `step ${input.stepId} is not waiting for a decision`);
    const { zone, policy } = await loadSchedulePolicy(tx, step.sequence_id);
    const status = input.decision === 'sent' ? 'sent' : input.decision === 'resend' ? 'scheduled' : 'skipped';
    const at = input.decision === 'resend' ? nextSlot(now, zone, policy, { jitterMinutes: 10 }) : null;
    await run(tx, resolveUnknownStep(input.stepId, status, at, `decided by a person: ${input.decision}`, now));
    const seq = (await one(tx, sequenceRefs(step.sequence_id)))!;
    if (status === 'sent')
      await run(
        tx,
        insertEvent({
          workspaceId: seq.workspace_id,
          type: 'sent',
          sequenceId: step.sequence_id,
          stepId: input.stepId,
          contactId: seq.contact_id,
          data: { confirmedBy: input.userId },
          at: now,
        }),
      );
    await run(tx, completeIfDone(step.sequence_id, now));
    await run(
      tx,
      insertAudit({
        workspaceId: seq.workspace_id,
        userId: input.userId,
        action: 'step.unknown_resolved',
        entityType: 'sequence_step',
        entityId: input.stepId,
        data: { decision: input.decision },
      }),
    );
  });
  ctx.log.info({ stepId: input.stepId, decision: input.decision, userId: input.userId }, 'sequence.step.resolved');
}
