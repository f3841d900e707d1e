// Claiming a step: scheduled → sending in one transaction that re-checks, under row locks, the
// sequence, the contact, suppressions, that every earlier step is settled (sent, skipped,
// cancelled: the thread stays in order), the branch condition, the window and the mailbox's cap
// and gap. Two workers racing over one step: the second waits on the lock, then finds it taken.
// The update itself re-checks the order in SQL, and a trigger (migration 0009) refuses it last.
import { one, run, type Queryable } from '../db/index.js';
import {
  bindSequenceMailbox,
  completeIfDone,
  deferStep,
  lockCandidateMailboxes,
  lockStepFacts,
  markClaimed,
  reserveMailboxGap,
  skipStep,
  threadOf,
  type ClaimFactsRow,
  type MailboxRow,
} from '../db/queries/sending.js';
import { claimApprovalFacts, holdForApproval, type ClaimApprovalRow } from '../db/queries/step-approval.js';
import { humanClickUrls } from '../db/queries/tracking.js';
import type { SecretBox } from '../secret-box.js';
import { schedulePolicyOf } from './approve.js';
import { branchHolds } from './branch.js';
import { decideClaim, randomGap, type ClaimDecision } from './claim-rules.js';
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

export async function claimStep(
  tx: Queryable,
  secrets: Pick<SecretBox, 'sign'>,
  stepId: number,
  now: Date,
  random: () => number = Math.random,
): Promise<ClaimResult> {
  const f = await one<ClaimFactsRow>(tx, lockStepFacts(stepId));
  if (!f) return { decision: { kind: 'noop', reason: 'step not found' } };
  if (f.step_status !== 'scheduled') return { decision: { kind: 'noop', reason: `step is ${f.step_status}` } };
  // Read under the locks just taken: an each_step step after the opener needs an approval of its own.
  const a = (await one<ClaimApprovalRow>(tx, claimApprovalFacts(stepId)))!;
  const { zone, policy } = schedulePolicyOf(f);
  const thread = threadFor(await run<ThreadRow>(tx, threadOf(f.sequence_id, f.position)), f);
  const clicks = f.branch ? (await run<{ url: string }>(tx, humanClickUrls(f.sequence_id))).map((r) => r.url) : [];
  const mailboxes = await run<MailboxRow & { sent_24h: number }>(
    tx,
    lockCandidateMailboxes({
      workspaceId: f.workspace_id,
      ownerId: f.owner_id,
      mailboxId: f.sequence_mailbox_id,
      now,
    }),
  );
  const decision = decideClaim(
    {
      stepStatus: f.step_status,
      sequenceStatus: f.sequence_status,
      contactStatus: f.contact_status,
      suppressed: f.suppressed,
      earlierPending: f.earlier_pending,
      earlierPlannedAt: f.earlier_planned_at,
      delayDays: f.delay_days,
      needsOwnApproval: a.approval_mode === 'each_step' && !a.is_first && !a.own_approval,
      earlierAwaiting: a.earlier_awaiting,
      branchOk: branchHolds(f.branch, clicks),
      zone,
      policy,
      mailboxes: mailboxes.map((m) => ({
        id: m.id,
        paused: !!m.paused_at,
        nextSendAt: m.next_send_at,
        sent24h: m.sent_24h,
        dailyCap: m.daily_cap,
        rampPerDay: m.ramp_per_day,
        createdAt: m.created_at,
      })),
    },
    now,
  );

  switch (decision.kind) {
    case 'noop':
      return { decision };
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
    case 'defer':
      await run(tx, deferStep(stepId, decision.until, decision.missedWindow, decision.reason, now));
      // The steps after it move with it, keeping their delays.
      await moveLaterSteps(
        tx,
        { sequenceId: f.sequence_id, position: f.position, at: decision.until },
        zone,
        policy,
        now,
      );
      return { decision };
    case 'claim': {
      const mailbox = mailboxes.find((m) => m.id === decision.mailboxId)!;
      const messageId = stepMessageId(secrets, stepId, mailbox.from_email);
      if (!(await one(tx, markClaimed(stepId, mailbox.id, messageId, now))))
        return { decision: { kind: 'noop', reason: 'claimed elsewhere' } };
      if (!f.sequence_mailbox_id) await run(tx, bindSequenceMailbox(f.sequence_id, mailbox.id));
      const gap = randomGap(mailbox.min_gap_seconds, mailbox.max_gap_seconds, random);
      // No gap configured: leave next_send_at empty, so concurrent claims never wait on clock skew.
      await run(tx, reserveMailboxGap(mailbox.id, now, gap > 0 ? new Date(now.getTime() + gap * 1000) : null));
      return {
        decision,
        claimed: { facts: f, mailbox, messageId, thread, subject: f.subject || thread?.subject || '' },
      };
    }
  }
}
