// Claiming a step: scheduled → sending. One call of claim_step() (migration 0028) locks the step
// and its sequence, reads every fact below and, when the conditions SQL can check hold (sequence
// and contact active, no suppression, every earlier step settled so the thread stays in order,
// its own approval in an each_step sequence, the branch condition), reserves a mailbox with one
// conditional update of its per-day counter and gap and marks the step `sending`. The decision
// itself stays here (claim-rules.ts: windows in time zones, holidays, jitter): when it says no,
// the claim is given back with one conditional update and the decision is applied under the
// step's lock. Two workers racing over one step: the second waits on the lock, then finds it
// taken. The order trigger (migration 0009) refuses an out-of-order claim last.
import { one, run, type Database, type Queryable } from '../db/index.js';
import { completeIfDone, deferStep, skipStep, type ClaimFactsRow, type MailboxRow } from '../db/queries/sending.js';
import { claimStepCall, giveBackClaim, type ClaimStepJson } from '../db/queries/sending-claim.js';
import { holdForApproval } from '../db/queries/step-approval.js';
import type { SecretBox } from '../secret-box.js';
import { schedulePolicyOf } from './approve.js';
import { branchHolds } from './branch.js';
import { decideClaim, type ClaimDecision } from './claim-rules.js';
import { stepMessageId } from './message.js';
import { moveLaterSteps } from './order.js';
import { endSequence } from './outcomes.js';

export interface ClaimedStep {
  facts: ClaimFactsRow;
  mailbox: MailboxRow;
  messageId: string;
  thread: { subject: string; messageIds: string[] } | null;
  subject: string;
}

export type ClaimResult = { decision: ClaimDecision; claimed?: ClaimedStep };

type ThreadRow = { position: number; subject: string; new_thread: boolean; message_id: string | null; status: string };

/** The earlier messages this step answers, or null when it starts a thread. */
export function threadFor(
  prev: ThreadRow[],
  current: { subject: string; new_thread: boolean },
): { subject: string; messageIds: string[] } | null {
  if (current.new_thread) return null;
  let start = 0;
  prev.forEach((p, i) => {
    if (p.new_thread) start = i;
  });
  const inThread = prev.slice(start);
  const subject = inThread[0]?.subject || prev[0]?.subject || current.subject;
  const messageIds = inThread.filter((p) => p.status === 'sent' && p.message_id).map((p) => p.message_id!);
  return { subject, messageIds };
}

const date = (v: string | null | undefined): Date | null => (v ? new Date(v) : null);

/** The facts as the old row types had them (timestamps as Dates). */
function factsOf(j: ClaimStepJson): ClaimFactsRow {
  return {
    ...j,
    scheduled_at: date(j.scheduled_at),
    paused_until: date(j.paused_until),
    earlier_planned_at: date(j.earlier_planned_at),
  };
}

const MAILBOX_DATES = ['paused_at', 'last_sent_at', 'next_send_at', 'created_at', 'imap_synced_at'] as const;

function mailboxOf(row: Record<string, unknown>): MailboxRow {
  const m = { ...row };
  for (const k of MAILBOX_DATES) if (k in m) m[k] = date(m[k] as string | null);
  return m as unknown as MailboxRow;
}

interface Attempt {
  j: ClaimStepJson;
  f: ClaimFactsRow;
  decision: ClaimDecision;
  claimed?: ClaimedStep;
}

/** One claim_step() call and the decision on its facts; `claimed` when SQL claimed and the rules agree. */
async function attempt(
  db: Queryable,
  secrets: Pick<SecretBox, 'sign'>,
  stepId: number,
  now: Date,
  random: () => number,
): Promise<Attempt | null> {
  // The Message-ID up to its domain: the domain is the mailbox's the claim picks.
  const whole = stepMessageId(secrets, stepId, 'sender@domain');
  const prefix = whole.slice(0, whole.lastIndexOf('@') + 1);
  const row = await one(db, claimStepCall(stepId, now, random(), prefix));
  const j = row?.facts;
  if (!j) return null;
  const f = factsOf(j);
  const { zone, policy } = schedulePolicyOf(f);
  const decision = decideClaim(
    {
      stepStatus: f.step_status,
      sequenceStatus: f.sequence_status,
      contactStatus: f.contact_status,
      suppressed: f.suppressed,
      earlierPending: f.earlier_pending,
      earlierPlannedAt: f.earlier_planned_at,
      delayDays: f.delay_days,
      needsOwnApproval: j.approval_mode === 'each_step' && !j.is_first && !j.own_approval,
      earlierAwaiting: j.earlier_awaiting,
      branchOk: branchHolds(f.branch, j.clicks),
      zone,
      policy,
      mailboxes: j.mailboxes.map((m) => ({
        id: m.id,
        paused: !!m.paused_at,
        nextSendAt: date(m.next_send_at),
        sent24h: m.sent_today,
        dailyCap: m.daily_cap,
        rampPerDay: m.ramp_per_day,
        createdAt: new Date(m.created_at),
      })),
    },
    now,
  );
  // An account the CRM holds out now (an open deal or a customer since approval): SQL claimed
  // nothing; the sequence stops with the reason, unless it is already stopping for its own.
  if (j.crm_held_out && decision.kind !== 'noop' && decision.kind !== 'stop')
    return { j, f, decision: { kind: 'stop', reason: j.crm_held_out } };
  if (!j.claimed_mailbox || decision.kind !== 'claim') return { j, f, decision };
  const mailbox = mailboxOf(j.claimed_mailbox);
  const thread = threadFor(j.thread, f);
  return {
    j,
    f,
    decision: { kind: 'claim', mailboxId: mailbox.id },
    claimed: { facts: f, mailbox, messageId: j.message_id!, thread, subject: f.subject || thread?.subject || '' },
  };
}

/** SQL claimed but the rules said no (the window, a holiday): the claim goes back as it was. */
async function giveBack(db: Queryable, a: Attempt, now: Date): Promise<void> {
  const m = a.j.claimed_mailbox;
  if (!m || !a.j.reserved) return;
  await run(
    db,
    giveBackClaim(
      a.f.step_id,
      a.f.attempts + 1,
      Number(m.id),
      a.j.reserved,
      (m.next_send_at as string | null) ?? null,
      now,
    ),
  );
}

/**
 * The claim on `tx` (the caller's transaction: the step's and sequence's locks are held until it
 * commits), with the decision applied when it is not a claim.
 */
export async function claimStep(
  tx: Queryable,
  secrets: Pick<SecretBox, 'sign'>,
  stepId: number,
  now: Date,
  random: () => number = Math.random,
): Promise<ClaimResult> {
  const a = await attempt(tx, secrets, stepId, now, random);
  if (!a) return { decision: { kind: 'noop', reason: 'step not found' } };
  if (a.claimed) return { decision: a.decision, claimed: a.claimed };
  await giveBack(tx, a, now);
  const { f, decision } = a;
  switch (decision.kind) {
    case 'noop':
      return { decision };
    case 'claim':
      // The rules see a mailbox ready that the reservation did not get: a concurrent claim took it first.
      return { decision: { kind: 'noop', reason: 'claimed elsewhere' } };
    case 'stop':
      // A contact who replied, bounced or unsubscribed ends the sequence; a sequence already over cancels the step.
      if (f.sequence_status === 'active') await endSequence(tx, f.sequence_id, 'stopped', decision.reason, now);
      else await run(tx, skipStep(stepId, 'cancelled', decision.reason, now));
      return { decision };
    case 'skip':
      await run(tx, skipStep(stepId, 'skipped', decision.reason, now));
      await run(tx, completeIfDone(f.sequence_id, now));
      return { decision };
    case 'hold':
      await run(tx, holdForApproval(stepId, decision.reason, now));
      return { decision };
    case 'defer': {
      await run(tx, deferStep(stepId, decision.until, decision.missedWindow, decision.reason, now));
      // The steps after it move with it, keeping their delays.
      const { zone, policy } = schedulePolicyOf(f);
      await moveLaterSteps(
        tx,
        { sequenceId: f.sequence_id, position: f.position, at: decision.until },
        zone,
        policy,
        now,
      );
      return { decision };
    }
  }
}

/**
 * The send path's claim: one round trip when the step goes out (claim_step() outside a
 * transaction: its locks last that one statement). Anything else (a noop aside) is decided again
 * under the step's lock in a transaction, as before, so a defer, skip, stop or hold is applied
 * to facts nobody can change meanwhile.
 */
export async function claimForSend(
  db: Database,
  secrets: Pick<SecretBox, 'sign'>,
  stepId: number,
  now: Date,
  random: () => number = Math.random,
): Promise<ClaimResult> {
  const a = await attempt(db, secrets, stepId, now, random);
  if (!a) return { decision: { kind: 'noop', reason: 'step not found' } };
  if (a.claimed) return { decision: a.decision, claimed: a.claimed };
  await giveBack(db, a, now);
  if (a.decision.kind === 'noop') return { decision: a.decision };
  return db.transaction((tx) => claimStep(tx, secrets, stepId, now, random));
}
