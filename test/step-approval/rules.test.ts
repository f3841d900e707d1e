// The pure part of per-step approval: which mode applies, the settings' defaults, an unapproved
// step's fate at the end of its window, how later steps move, and the claim's own-approval rule.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { resolveApprovalMode } from '../../plays/approval-mode.js';
import { decideClaim, type ClaimFacts } from '../../sequencing/claim-rules.js';
import { DEFAULT_POLICY, type WindowPolicy } from '../../sequencing/schedule.js';
import {
  decideUnapproved,
  describeChanges,
  replanLater,
  stepApprovalSettings,
  STEP_APPROVAL_DEFAULTS,
} from '../../sequencing/step-approval-rules.js';

const NY = 'America/New_York';
const ny = (iso: string) => DateTime.fromISO(iso, { zone: NY }).toJSDate();
const fmt = (d: Date) => DateTime.fromJSDate(d, { zone: NY }).toFormat('ccc HH:mm');
const WEEKDAYS: WindowPolicy = {
  window: { days: [1, 2, 3, 4, 5], start: '09:00', end: '11:00' },
  fallback: null,
  fallbackAfterDays: 3,
};

describe('approval mode', () => {
  it('a play wins over its template, the template over the workspace; a workspace that never chose approves whole sequences', () => {
    expect(resolveApprovalMode('sequence', 'each_step', { approvalMode: 'each_step' })).toBe('sequence');
    expect(resolveApprovalMode(null, 'each_step', { approvalMode: 'sequence' })).toBe('each_step');
    expect(resolveApprovalMode(null, null, { approvalMode: 'each_step' })).toBe('each_step');
    expect(resolveApprovalMode(null, null, {})).toBe('sequence');
    expect(resolveApprovalMode('bogus', undefined, { approvalMode: 'nonsense' })).toBe('sequence');
  });

  it('settings default to 24 h lead, 3 missed windows, facts stale after 30 days; out-of-range values fall back', () => {
    expect(stepApprovalSettings({})).toEqual(STEP_APPROVAL_DEFAULTS);
    expect(stepApprovalSettings({ stepApprovalLeadHours: 6, maxMissedWindows: '2', staleFactDays: 14 })).toEqual({
      leadHours: 6,
      maxMissedWindows: 2,
      staleFactDays: 14,
    });
    expect(stepApprovalSettings({ stepApprovalLeadHours: -1, maxMissedWindows: 0, staleFactDays: 'x' })).toEqual(
      STEP_APPROVAL_DEFAULTS,
    );
  });
});

describe("an unapproved step at its window's end", () => {
  const due = ny('2026-03-13T09:00'); // a Friday, window 09:00–11:00
  const base = { scheduledAt: due, missedWindows: 0, maxMissed: 3, zone: NY, policy: WEEKDAYS, random: () => 0 };

  it('waits until its window closes, then moves to the next window', () => {
    expect(decideUnapproved({ ...base, now: ny('2026-03-13T08:00') })).toEqual({ kind: 'wait' });
    expect(decideUnapproved({ ...base, now: ny('2026-03-13T10:59') })).toEqual({ kind: 'wait' });
    const d = decideUnapproved({ ...base, now: ny('2026-03-13T11:00') });
    expect(d.kind).toBe('move');
    if (d.kind === 'move') {
      expect(fmt(d.until)).toBe('Mon 09:00');
      expect(d.missed).toBe(1);
    }
  });

  it('is skipped, with the reason, when the third window closes', () => {
    const d = decideUnapproved({ ...base, missedWindows: 2, now: ny('2026-03-13T12:00') });
    expect(d).toEqual({ kind: 'skip', missed: 3, reason: 'not approved in 3 sending windows' });
    expect(decideUnapproved({ ...base, missedWindows: 0, maxMissed: 1, now: ny('2026-03-13T12:00') })).toMatchObject({
      kind: 'skip',
      reason: 'not approved in 1 sending window',
    });
  });
});

describe('later steps', () => {
  const later = [
    { id: 3, delayDays: 1, at: ny('2026-03-16T09:00') },
    { id: 4, delayDays: 2, at: ny('2026-03-24T09:00') },
  ];

  it('after a move, a later step moves only when it would come too soon after the previous one', () => {
    const moved = replanLater(ny('2026-03-16T09:00'), later, NY, WEEKDAYS, 'move');
    expect(moved.map((m) => [m.id, fmt(m.at)])).toEqual([[3, 'Tue 09:00']]);
  });

  it('after a skip, every later step counts its delay from the skip', () => {
    const planned = replanLater(ny('2026-03-17T11:01'), later, NY, WEEKDAYS, 'skip');
    expect(planned.map((m) => [m.id, fmt(m.at)])).toEqual([
      [3, 'Thu 09:00'],
      [4, 'Mon 09:00'],
    ]);
  });
});

describe('the claim', () => {
  const facts: ClaimFacts = {
    stepStatus: 'scheduled',
    sequenceStatus: 'active',
    contactStatus: 'active',
    suppressed: false,
    branchOk: true,
    zone: 'UTC',
    policy: { ...DEFAULT_POLICY, window: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' } },
    mailboxes: [
      { id: 1, paused: false, nextSendAt: null, sent24h: 0, dailyCap: 30, rampPerDay: null, createdAt: new Date(0) },
    ],
  };
  const now = new Date('2026-03-10T10:00:00Z');

  it('holds a step that needs an approval of its own, after the checks that stop the sequence', () => {
    expect(decideClaim({ ...facts, needsOwnApproval: true }, now)).toEqual({
      kind: 'hold',
      reason: 'each_step sequence: this step has no approval of its own',
    });
    expect(decideClaim({ ...facts, needsOwnApproval: true, contactStatus: 'replied' }, now)).toEqual({
      kind: 'stop',
      reason: 'contact replied',
    });
    expect(decideClaim({ ...facts, earlierAwaiting: true }, now).kind).toBe('defer');
    expect(decideClaim(facts, now)).toEqual({ kind: 'claim', mailboxId: 1 });
  });
});

describe('what changed', () => {
  it('lists newest first with a label per kind', () => {
    const now = new Date('2026-03-20T00:00:00Z');
    const items = describeChanges(
      [
        {
          kind: 'contact',
          sub: 'title',
          title: 'VP Sales',
          detail: 'CRO',
          url: null,
          at: new Date('2026-03-18T00:00:00Z'),
        },
        {
          kind: 'signal',
          sub: 'job_change',
          title: 'Dana joins Globex',
          detail: 'x',
          url: 'https://n.example',
          at: new Date('2026-03-19T00:00:00Z'),
        },
        {
          kind: 'stale_fact',
          sub: 'funding',
          title: 'Raised $20M',
          detail: null,
          url: null,
          at: new Date('2026-01-19T00:00:00Z'),
        },
      ],
      now,
    );
    expect(items.map((i) => [i.label, i.text])).toEqual([
      ['New signal', 'job change: Dana joins Globex'],
      ['Contact changed', 'title: VP Sales → CRO'],
      ['Cited fact is old', 'Raised $20M (fetched 60 days ago)'],
    ]);
  });
});
