// Why a step that has not gone yet is waiting, and when it is expected to go: the same rules the
// claim applies (claim-rules.ts), read without locks for pages (the draft page, the schedule).
// Pure: facts and `now` in, a code, words and an expected time out.
import { DateTime } from 'luxon';
import { effectiveCap, type MailboxFacts } from './claim-rules.js';
import { isSendableAt, nextSlot, type SendingWindow, type WindowPolicy } from './schedule.js';

export type WaitingCode =
  | 'sequence_paused'
  | 'approval'
  | 'earlier'
  | 'no_mailbox'
  | 'mailbox_paused'
  | 'holiday'
  | 'window'
  | 'cap'
  | 'gap'
  | 'planned'
  | 'due';

export interface WaitingMailbox extends MailboxFacts {
  pauseReason: string | null;
  /** The oldest claim of the last 24 hours: the cap frees a send 24 hours after it. */
  oldestClaim24h: Date | null;
}

export interface WaitingFacts {
  status: string;
  scheduledAt: Date | null;
  /** Why the claim last moved it (stored when it deferred), if it did. */
  lastError: string | null;
  sequenceStatus: string;
  stopReason: string | null;
  /** Number (1-based) of the first earlier step that is not sent, skipped or cancelled. */
  earlierUnsettled: number | null;
  zone: string;
  policy: WindowPolicy;
  /** The mailboxes it may go from: the sequence's own, else its rep's. */
  mailboxes: WaitingMailbox[];
}

export interface Waiting {
  code: WaitingCode;
  text: string;
  /** When it is expected to go; null when a person must act first. */
  expected: Date | null;
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "Tue–Thu 09:00–11:00": days as ranges where they run on. */
export function describeWindow(w: SendingWindow): string {
  const days = [...new Set(w.days)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < days.length;) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
    parts.push(j > i ? `${DAYS[days[i]! - 1]}–${DAYS[days[j]! - 1]}` : DAYS[days[i]! - 1]!);
    i = j + 1;
  }
  return `${parts.join(', ') || 'no day'} ${w.start}–${w.end}`;
}

const slot = (from: Date, f: WaitingFacts) => nextSlot(from, f.zone, f.policy) ?? null;

export function waitingReason(f: WaitingFacts, now: Date): Waiting {
  const window = `${describeWindow(f.policy.window)} recipient time`;
  if (f.sequenceStatus === 'paused')
    return { code: 'sequence_paused', text: `sequence paused: ${f.stopReason ?? 'no reason given'}`, expected: null };
  if (f.status === 'awaiting_approval')
    return { code: 'approval', text: 'awaiting its own approval', expected: f.scheduledAt };
  if (f.earlierUnsettled !== null)
    return {
      code: 'earlier',
      text: `step ${f.earlierUnsettled} has not gone yet; this one follows it`,
      expected: f.scheduledAt,
    };
  if (!f.mailboxes.length) return { code: 'no_mailbox', text: 'the sender has no mailbox', expected: null };
  const open = f.mailboxes.filter((m) => !m.paused);
  if (!open.length) {
    const why = [...new Set(f.mailboxes.map((m) => m.pauseReason ?? 'no reason given'))].join('; ');
    return { code: 'mailbox_paused', text: `mailbox paused: ${why}`, expected: null };
  }
  const at = f.scheduledAt && f.scheduledAt > now ? f.scheduledAt : now;
  if (f.scheduledAt && f.scheduledAt > now) {
    const moved = f.lastError ? `moved later (${f.lastError}); ` : '';
    return { code: 'planned', text: `${moved}planned inside its sending window (${window})`, expected: at };
  }
  const today = DateTime.fromJSDate(now, { zone: f.zone }).startOf('day');
  if (f.policy.isHoliday?.(today))
    return { code: 'holiday', text: 'a public holiday where the recipient is', expected: slot(now, f) };
  if (!isSendableAt(now, f.zone, f.policy))
    return { code: 'window', text: `outside the sending window (${window})`, expected: slot(now, f) };
  const withRoom = open.filter((m) => m.sent24h < effectiveCap(m, now));
  if (!withRoom.length) {
    const frees = open
      .map((m) => (m.oldestClaim24h ? m.oldestClaim24h.getTime() + 86_400_000 : now.getTime()))
      .sort((a, b) => a - b)[0]!;
    const caps = open.map((m) => effectiveCap(m, now)).join(', ');
    return { code: 'cap', text: `daily cap reached (${caps} a day)`, expected: slot(new Date(frees), f) };
  }
  const ready = withRoom.filter((m) => !m.nextSendAt || m.nextSendAt <= now);
  if (!ready.length) {
    const soonest = withRoom.map((m) => m.nextSendAt!.getTime()).sort((a, b) => a - b)[0]!;
    return { code: 'gap', text: 'waiting for the gap between sends', expected: slot(new Date(soonest), f) };
  }
  return { code: 'due', text: 'due: goes out with the next send run', expected: now };
}
