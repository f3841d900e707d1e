// Per-step approval, the pure part: the workspace's settings for it, what happens to a step
// nobody approved in its window, how the later steps move, and the "what changed since approval" list. No database, no clock of its own.
import { DateTime } from 'luxon';
import type { ChangeKind, ChangeRow } from '../db/queries/step-approval.js';
import { nextOpening, nextSlot, type WindowPolicy } from './schedule.js';

interface StepApprovalSettings {
  /** Hours before its send time a step comes back to its owner's queue. */
  leadHours: number;
  /** Windows a step may miss for lack of approval before it is skipped. */
  maxMissedWindows: number;
  /** A cited fact fetched longer ago than this is flagged as stale. */
  staleFactDays: number;
}

export const STEP_APPROVAL_DEFAULTS: StepApprovalSettings = { leadHours: 24, maxMissedWindows: 3, staleFactDays: 30 };

const num = (v: unknown, min: number, max: number, dflt: number) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) && n >= min && n <= max ? n : dflt;
};

/** The workspace's settings (jsonb), with defaults for what is missing or out of range. */
export function stepApprovalSettings(settings: Record<string, unknown> | null | undefined): StepApprovalSettings {
  const s = settings ?? {};
  return {
    leadHours: num(s.stepApprovalLeadHours, 0, 24 * 14, STEP_APPROVAL_DEFAULTS.leadHours),
    maxMissedWindows: Math.round(num(s.maxMissedWindows, 1, 20, STEP_APPROVAL_DEFAULTS.maxMissedWindows)),
    staleFactDays: Math.round(num(s.staleFactDays, 1, 3650, STEP_APPROVAL_DEFAULTS.staleFactDays)),
  };
}

type UnapprovedDecision =
  { kind: 'wait' } | { kind: 'move'; until: Date; missed: number } | { kind: 'skip'; missed: number; reason: string };

/**
 * A step whose send time came without an approval: it may still be approved until its window
 * closes; then it moves to the next window, and after `maxMissed` missed windows it is skipped.
 */
export function decideUnapproved(f: {
  scheduledAt: Date;
  missedWindows: number;
  maxMissed: number;
  zone: string;
  policy: WindowPolicy;
  now: Date;
  random?: () => number;
}): UnapprovedDecision {
  if (f.now < f.scheduledAt) return { kind: 'wait' };
  const opening = nextOpening(f.scheduledAt, f.zone, f.policy);
  const end = opening ? opening.end.toJSDate() : f.scheduledAt;
  if (f.now < end) return { kind: 'wait' };
  const missed = f.missedWindows + 1;
  if (missed >= f.maxMissed) {
    return { kind: 'skip', missed, reason: `not approved in ${missed} sending window${missed === 1 ? '' : 's'}` };
  }
  const from = end > f.now ? end : f.now;
  const until =
    nextSlot(from, f.zone, f.policy, { jitterMinutes: 20, random: f.random }) ?? new Date(from.getTime() + 86_400_000);
  return { kind: 'move', until, missed };
}

interface LaterStep {
  id: number;
  delayDays: number;
  at: Date | null;
}

/**
 * New times for the steps after one that moved or was skipped. After a skip every later step is
 * planned again from the skip (its delay counts from there); after a move a later step moves only
 * when it would otherwise come before its delay after the previous one.
 */
export function replanLater(
  prev: Date,
  later: LaterStep[],
  zone: string,
  policy: WindowPolicy,
  mode: 'skip' | 'move',
): { id: number; at: Date }[] {
  const out: { id: number; at: Date }[] = [];
  let last = prev;
  for (const s of later) {
    const earliest = DateTime.fromJSDate(last, { zone })
      .plus({ days: Math.max(0, s.delayDays) })
      .toJSDate();
    const keep = mode === 'move' && s.at && s.at >= earliest;
    const at = keep ? s.at! : (nextSlot(earliest, zone, policy) ?? earliest);
    if (!keep) out.push({ id: s.id, at });
    last = at;
  }
  return out;
}

export interface ChangeItem {
  kind: ChangeKind;
  label: string;
  text: string;
  detail: string;
  url: string | null;
  at: Date;
}

const KIND_LABEL: Record<ChangeKind, string> = {
  signal: 'New signal',
  contact: 'Contact changed',
  reply: 'Reply from the account',
  auto_reply: 'Auto-reply from the account',
  bounce: 'Bounce',
  click: 'Click on an earlier step',
  stale_fact: 'Cited fact is old',
};

/** The panel's items, newest first, each with a short label and text (escaped by the view). */
export function describeChanges(rows: ChangeRow[], now: Date): ChangeItem[] {
  const days = (at: Date) => Math.floor((now.getTime() - at.getTime()) / 86_400_000);
  return [...rows]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .map((r) => {
      let text = r.title ?? '';
      let detail = r.detail ?? '';
      switch (r.kind) {
        case 'signal':
          text = `${(r.sub ?? 'signal').replace(/_/g, ' ')}: ${r.title ?? ''}`;
          break;
        case 'contact':
          text = `${(r.sub ?? 'field').replace(/_/g, ' ')}: ${r.title || '(empty)'} → ${r.detail || '(empty)'}`;
          detail = '';
          break;
        case 'reply':
        case 'auto_reply':
          text = `${r.sub ?? ''}${r.title ? ` — “${r.title}”` : ''}`;
          break;
        case 'bounce':
          text = `${r.sub === 'true' ? 'hard' : 'soft'} bounce${r.title ? ` (${r.title})` : ''}`;
          break;
        case 'click':
          text = r.url ?? 'a link';
          break;
        case 'stale_fact':
          text = `${r.title ?? ''} (fetched ${days(r.at)} days ago)`;
          break;
      }
      return { kind: r.kind, label: KIND_LABEL[r.kind], text, detail, url: r.url, at: r.at };
    });
}
