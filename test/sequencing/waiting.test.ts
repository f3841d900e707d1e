// Why a step waits, decided without a database or a clock: the same order as the claim's rules.
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { describeWindow, waitingReason, type WaitingFacts } from '../../sequencing/waiting.js';

const NOW = new Date('2026-12-01T10:00:00Z'); // a Tuesday
const box = {
  id: 1,
  paused: false,
  pauseReason: null,
  nextSendAt: null,
  sent24h: 0,
  dailyCap: 30,
  rampPerDay: null,
  createdAt: NOW,
  oldestClaim24h: null,
};
const facts = (f: Partial<WaitingFacts> = {}): WaitingFacts => ({
  status: 'scheduled',
  scheduledAt: new Date(NOW.getTime() - 60_000),
  lastError: null,
  sequenceStatus: 'active',
  stopReason: null,
  earlierUnsettled: null,
  zone: 'Europe/Berlin',
  policy: { window: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }, fallback: null, fallbackAfterDays: 3 },
  mailboxes: [box],
  ...f,
});

describe('waitingReason', () => {
  it('names the window in ranges', () => {
    expect(describeWindow({ days: [2, 3, 4], start: '09:00', end: '11:00' })).toBe('Tue–Thu 09:00–11:00');
    expect(describeWindow({ days: [1, 3, 6, 7], start: '08:00', end: '17:00' })).toBe('Mon, Wed, Sat–Sun 08:00–17:00');
  });

  it('goes through the reasons in the claim’s order, each with when it is expected', () => {
    expect(waitingReason(facts(), NOW)).toEqual({
      code: 'due',
      text: 'due: goes out with the next send run',
      expected: NOW,
    });
    expect(waitingReason(facts({ sequenceStatus: 'paused', stopReason: 'replied' }), NOW)).toMatchObject({
      code: 'sequence_paused',
      expected: null,
    });
    expect(waitingReason(facts({ status: 'awaiting_approval' }), NOW).code).toBe('approval');
    expect(waitingReason(facts({ earlierUnsettled: 2 }), NOW).text).toBe(
      'step 2 has not gone yet; this one follows it',
    );
    expect(waitingReason(facts({ mailboxes: [] }), NOW).code).toBe('no_mailbox');
    expect(waitingReason(facts({ mailboxes: [{ ...box, paused: true, pauseReason: 'bounces' }] }), NOW)).toEqual({
      code: 'mailbox_paused',
      text: 'mailbox paused: bounces',
      expected: null,
    });
    const gap = new Date(NOW.getTime() + 120_000);
    expect(waitingReason(facts({ mailboxes: [{ ...box, nextSendAt: gap }] }), NOW)).toMatchObject({
      code: 'gap',
      expected: gap,
    });
    const oldest = new Date(NOW.getTime() - 20 * 3_600_000);
    expect(
      waitingReason(facts({ mailboxes: [{ ...box, dailyCap: 1, sent24h: 1, oldestClaim24h: oldest }] }), NOW),
    ).toMatchObject({
      code: 'cap',
      expected: new Date(oldest.getTime() + 86_400_000),
    });
    const later = new Date(NOW.getTime() + 86_400_000);
    expect(waitingReason(facts({ scheduledAt: later, lastError: 'daily cap reached' }), NOW)).toMatchObject({
      code: 'planned',
      text: 'moved later (daily cap reached); planned inside its sending window (Mon–Fri 09:00–17:00 recipient time)',
      expected: later,
    });
  });

  it('says when the window opens, and a holiday where the recipient is', () => {
    const evening = new Date('2026-12-01T18:00:00Z'); // 19:00 in Berlin
    expect(waitingReason(facts(), evening)).toMatchObject({
      code: 'window',
      expected: new Date('2026-12-02T08:00:00Z'),
    });
    const holiday = (d: DateTime) => d.toISODate() === '2026-12-01';
    const r = waitingReason(facts({ policy: { ...facts().policy, isHoliday: holiday } }), NOW);
    expect(r).toMatchObject({ code: 'holiday', expected: new Date('2026-12-02T08:00:00Z') });
  });
});
