// What a reply, auto-reply, bounce, unsubscribe or booked meeting does to sequences, contacts
// and suppressions. Each runs inside the caller's transaction; the claim re-checks the same
// rows, so nothing sent after one of these commits.
import { one, run, type Queryable } from '../db/index.js';
import { cancelOpenSteps } from '../db/queries/sequencing.js';
import { insertEvent, mailboxBounceRate, pauseMailbox } from '../db/queries/sending.js';
import {
  addSuppression,
  completeAsBooked,
  contactSequences,
  latestContactSequence,
  pauseAccountSequences,
  remainingSteps,
  rescheduleStep,
  setContactStatus,
  stopSequenceRow,
} from '../db/queries/outcomes.js';
import { nextSlot, type WindowPolicy } from './schedule.js';
import { DateTime } from 'luxon';

interface Who {
  workspaceId: number;
  contactId: number;
  now: Date;
  messageRef?: number | null;
}

/** Ends a sequence (stopped or completed) and cancels its unsent steps. */
export async function endSequence(
  tx: Queryable,
  sequenceId: number,
  status: 'stopped' | 'completed',
  reason: string,
  now: Date,
): Promise<boolean> {
  const row = await one(tx, stopSequenceRow(sequenceId, status, reason, now));
  if (row) await run(tx, cancelOpenSteps(sequenceId, reason, now));
  return !!row;
}

async function endContactSequences(tx: Queryable, contactId: number, reason: string, now: Date): Promise<number[]> {
  const ids = (await run(tx, contactSequences(contactId))).map((r) => r.id);
  for (const id of ids) await endSequence(tx, id, 'stopped', reason, now);
  return ids;
}

export async function applyBounce(
  tx: Queryable,
  b: Who & {
    email: string;
    hard: boolean;
    status?: string | null;
    diagnostic?: string | null;
    sequenceId?: number | null;
    stepId?: number | null;
    mailboxId?: number | null;
  },
): Promise<{ mailboxPaused: boolean }> {
  await run(
    tx,
    insertEvent({
      workspaceId: b.workspaceId,
      type: 'bounce',
      sequenceId: b.sequenceId,
      stepId: b.stepId,
      contactId: b.contactId,
      messageRef: b.messageRef,
      data: { hard: b.hard, status: b.status ?? null, diagnostic: b.diagnostic ?? null, recipient: b.email },
      at: b.now,
    }),
  );
  if (!b.hard) return { mailboxPaused: false };
  await run(tx, setContactStatus(b.contactId, 'bounced', `hard bounce ${b.status ?? ''}`.trim(), b.now));
  await run(tx, addSuppression(b.workspaceId, 'email', b.email, 'hard bounce', 'bounce'));
  await endContactSequences(tx, b.contactId, 'bounced', b.now);
  return { mailboxPaused: b.mailboxId ? await checkBounceRate(tx, b.mailboxId, b.now) : false };
}

/** Pauses the mailbox when more than 3% of its last 100 sends hard-bounced (so at least 4 bounces). */
async function checkBounceRate(tx: Queryable, mailboxId: number, now: Date): Promise<boolean> {
  const r = (await one(tx, mailboxBounceRate(mailboxId)))!;
  if (r.bounced * 100 <= 3 * Math.max(r.total, 100)) return false;
  return !!(await one(
    tx,
    pauseMailbox(mailboxId, `hard-bounce rate ${r.bounced}/${r.total} over the last sends passed 3%`, now),
  ));
}

export async function applyUnsubscribe(
  tx: Queryable,
  u: Who & { email: string; source: string; sequenceId?: number | null; stepId?: number | null },
): Promise<void> {
  await run(tx, setContactStatus(u.contactId, 'unsubscribed', `unsubscribed (${u.source})`, u.now));
  await run(tx, addSuppression(u.workspaceId, 'email', u.email, 'unsubscribed', u.source));
  await endContactSequences(tx, u.contactId, 'unsubscribed', u.now);
  await run(
    tx,
    insertEvent({
      workspaceId: u.workspaceId,
      type: 'unsubscribe',
      sequenceId: u.sequenceId,
      stepId: u.stepId,
      contactId: u.contactId,
      messageRef: u.messageRef,
      data: { source: u.source },
      at: u.now,
    }),
  );
}

export async function applyReply(
  tx: Queryable,
  r: Who & {
    sequenceId: number | null;
    accountId: number | null;
    intent: string | null;
    pauseAccount: boolean;
  },
): Promise<{ paused: number[] }> {
  await run(tx, setContactStatus(r.contactId, 'replied', 'replied', r.now));
  if (r.sequenceId) await endSequence(tx, r.sequenceId, 'stopped', 'replied', r.now);
  await endContactSequences(tx, r.contactId, 'replied', r.now);
  const paused =
    r.pauseAccount && r.accountId ? (await run(tx, pauseAccountSequences(r.accountId, r.now))).map((x) => x.id) : [];
  await run(
    tx,
    insertEvent({
      workspaceId: r.workspaceId,
      type: 'reply',
      sequenceId: r.sequenceId,
      contactId: r.contactId,
      accountId: r.accountId,
      messageRef: r.messageRef,
      data: { intent: r.intent, pausedSequences: paused },
      at: r.now,
    }),
  );
  return { paused };
}

/**
 * An out-of-office: the remaining steps move to after the return date (else a week from now),
 * keeping their delays; the sequence is not counted as replied.
 */
export async function applyAutoReply(
  tx: Queryable,
  a: Who & {
    sequenceId: number | null;
    returnDate: Date | null;
    zone: string;
    policy: WindowPolicy;
  },
): Promise<{ moved: number; resumeAt: Date }> {
  const resumeAt = a.returnDate && a.returnDate > a.now ? a.returnDate : new Date(a.now.getTime() + 7 * 86_400_000);
  let moved = 0;
  if (a.sequenceId) {
    let prev: Date | null = null;
    for (const s of await run(tx, remainingSteps(a.sequenceId))) {
      const earliest: Date = prev
        ? DateTime.fromJSDate(prev, { zone: a.zone }).plus({ days: s.delay_days }).toJSDate()
        : resumeAt;
      const base = s.scheduled_at && s.scheduled_at > earliest ? s.scheduled_at : earliest;
      const at = nextSlot(base, a.zone, a.policy, { jitterMinutes: 20 });
      if (!at) break;
      await run(tx, rescheduleStep(s.id, at, a.now));
      prev = at;
      moved++;
    }
  }
  await run(
    tx,
    insertEvent({
      workspaceId: a.workspaceId,
      type: 'auto_reply',
      sequenceId: a.sequenceId,
      contactId: a.contactId,
      messageRef: a.messageRef,
      data: { returnDate: a.returnDate, resumeAt, moved },
      at: a.now,
    }),
  );
  return { moved, resumeAt };
}

export async function applyMeetingBooked(
  tx: Queryable,
  m: Who & { sequenceId: number | null; source: string; data?: Record<string, unknown> },
): Promise<void> {
  let ids = m.sequenceId ? [m.sequenceId] : (await run(tx, contactSequences(m.contactId))).map((r) => r.id);
  if (!ids.length) ids = (await run(tx, latestContactSequence(m.contactId))).map((r) => r.id);
  for (const id of ids) {
    if (await one(tx, completeAsBooked(id, m.now))) await run(tx, cancelOpenSteps(id, 'meeting_booked', m.now));
  }
  await run(
    tx,
    insertEvent({
      workspaceId: m.workspaceId,
      type: 'meeting_booked',
      sequenceId: ids[0] ?? null,
      contactId: m.contactId,
      messageRef: m.messageRef,
      data: { source: m.source, ...m.data },
      at: m.now,
    }),
  );
}
