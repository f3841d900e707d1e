// What to do with a due step, decided from facts read under lock. Pure, so every rule is
// tested without a database or a clock.
import { DateTime } from 'luxon';
import { isSendableAt, nextSlot, type WindowPolicy } from './schedule.js';

export interface MailboxFacts {
  id: number;
  paused: boolean;
  nextSendAt: Date | null;
  sent24h: number;
  dailyCap: number;
  rampPerDay: number | null;
  createdAt: Date;
}

export interface ClaimFacts {
  stepStatus: string;
  sequenceStatus: string;
  contactStatus: string;
  suppressed: boolean;
  /**
   * An earlier step is not settled: anything but sent, skipped or cancelled (still scheduled after
   * a 4xx, a pause, a cap or a missed window; sending; unknown; waiting for its approval).
   */
  earlierPending?: boolean;
  /** When the latest unsettled earlier step is planned to go out (none while it is sending or unknown). */
  earlierPlannedAt?: Date | null;
  /** This step's delay after the one before it, in days. */
  delayDays?: number;
  /** each_step: a step after the opener that has no approval of its own. */
  needsOwnApproval?: boolean;
  /** An earlier step still waits for its own approval. */
  earlierAwaiting?: boolean;
  /** Result of the step's branch condition; true when it has none. */
  branchOk: boolean;
  zone: string;
  policy: WindowPolicy;
  mailboxes: MailboxFacts[];
}

export type ClaimDecision =
  | { kind: 'claim'; mailboxId: number }
  | { kind: 'noop'; reason: string }
  | { kind: 'stop'; reason: string } // the sequence must not continue: cancel what is left
  | { kind: 'skip'; reason: string } // this step only (branch not taken)
  | { kind: 'hold'; reason: string } // back to awaiting_approval: it needs its own approval
  | { kind: 'defer'; until: Date; missedWindow: boolean; reason: string };

const DAY_MS = 86_400_000;

/** Today's cap: the daily cap, or less while a new mailbox ramps up (+N per day since it was added). */
export function effectiveCap(m: Pick<MailboxFacts, 'dailyCap' | 'rampPerDay' | 'createdAt'>, now: Date): number {
  if (!m.rampPerDay || m.rampPerDay <= 0) return m.dailyCap;
  const days = Math.max(0, Math.floor((now.getTime() - m.createdAt.getTime()) / DAY_MS));
  return Math.min(m.dailyCap, m.rampPerDay * (days + 1));
}

function later(a: Date, b: Date): Date {
  return a > b ? a : b;
}

export function decideClaim(f: ClaimFacts, now: Date): ClaimDecision {
  if (f.stepStatus !== 'scheduled') return { kind: 'noop', reason: `step is ${f.stepStatus}` };
  if (f.sequenceStatus === 'paused') return { kind: 'noop', reason: 'sequence paused' };
  if (f.sequenceStatus !== 'active') return { kind: 'stop', reason: `sequence ${f.sequenceStatus}` };
  if (f.contactStatus !== 'active') return { kind: 'stop', reason: `contact ${f.contactStatus}` };
  if (f.suppressed) return { kind: 'stop', reason: 'suppressed' };
  if (f.needsOwnApproval) return { kind: 'hold', reason: 'each_step sequence: this step has no approval of its own' };
  if (!f.branchOk) return { kind: 'skip', reason: 'branch condition not met' };

  const retryAt = (from: Date) =>
    nextSlot(from, f.zone, f.policy, { jitterMinutes: 10 }) ?? new Date(from.getTime() + DAY_MS);
  if (f.earlierPending || f.earlierAwaiting) {
    // Never before the earlier step: at least its delay after that step's planned time, else look again in an hour.
    const inAnHour = new Date(now.getTime() + 3_600_000);
    const afterEarlier = f.earlierPlannedAt
      ? DateTime.fromJSDate(f.earlierPlannedAt, { zone: f.zone })
          .plus({ days: Math.max(0, f.delayDays ?? 0) })
          .toJSDate()
      : null;
    return {
      kind: 'defer',
      until: retryAt(later(afterEarlier ?? inAnHour, inAnHour)),
      missedWindow: false,
      reason: 'an earlier step is not settled yet',
    };
  }
  if (!isSendableAt(now, f.zone, f.policy)) {
    return { kind: 'defer', until: retryAt(now), missedWindow: true, reason: 'outside the sending window' };
  }

  const open = f.mailboxes.filter((m) => !m.paused);
  if (!open.length) {
    const why = f.mailboxes.length ? 'every mailbox of the sender is paused' : 'the sender has no mailbox';
    return { kind: 'defer', until: retryAt(new Date(now.getTime() + 3_600_000)), missedWindow: false, reason: why };
  }
  const withRoom = open.filter((m) => m.sent24h < effectiveCap(m, now));
  if (!withRoom.length) {
    return {
      kind: 'defer',
      until: retryAt(new Date(now.getTime() + 3_600_000)),
      missedWindow: false,
      reason: 'daily cap reached',
    };
  }
  const ready = withRoom.filter((m) => !m.nextSendAt || m.nextSendAt <= now);
  if (!ready.length) {
    const soonest = withRoom.map((m) => m.nextSendAt!).sort((a, b) => a.getTime() - b.getTime())[0]!;
    const until = later(soonest, now);
    return isSendableAt(until, f.zone, f.policy)
      ? { kind: 'defer', until, missedWindow: false, reason: 'waiting for the gap between sends' }
      : { kind: 'defer', until: retryAt(until), missedWindow: true, reason: 'waiting for the gap between sends' };
  }
  // Rotation: the least used mailbox today, then the one idle longest.
  const pick = [...ready].sort(
    (a, b) => a.sent24h - b.sent24h || (a.nextSendAt?.getTime() ?? 0) - (b.nextSendAt?.getTime() ?? 0),
  )[0]!;
  return { kind: 'claim', mailboxId: pick.id };
}

/** Seconds until the mailbox may send again: uniform in [min, max]. */
export function randomGap(min: number, max: number, random: () => number = Math.random): number {
  const lo = Math.max(0, Math.min(min, max));
  const hi = Math.max(lo, max);
  return lo + Math.floor(random() * (hi - lo + 1));
}
