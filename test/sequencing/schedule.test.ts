import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  isSendableAt,
  nextSlot,
  planSchedule,
  resolveZone,
  type WindowPolicy,
} from '../../sequencing/schedule.js';

const everyDay: WindowPolicy = {
  window: { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '11:00' },
  fallback: null,
  fallbackAfterDays: 3,
};
const local = (at: Date | null, zone: string) => DateTime.fromJSDate(at!, { zone });
const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toJSDate();

// Saturday before each change, 09:00 local; the change happens in the night to Sunday.
const DST_TABLE = [
  { zone: 'America/New_York', springSat: '2026-03-07', fallSat: '2026-10-31' },
  { zone: 'Europe/London', springSat: '2026-03-28', fallSat: '2026-10-24' },
  { zone: 'Europe/Berlin', springSat: '2026-03-28', fallSat: '2026-10-24' },
  { zone: 'Australia/Sydney', springSat: '2026-10-03', fallSat: '2026-04-04' },
  { zone: 'America/Santiago', springSat: '2026-09-05', fallSat: '2026-04-04' },
];

describe('planSchedule across DST changes', () => {
  for (const row of DST_TABLE) {
    for (const [kind, sat, hours] of [
      ['spring-forward', row.springSat, 23],
      ['fall-back', row.fallSat, 25],
    ] as const) {
      it(`${row.zone} ${kind}: a daily step stays at 09:00 local and the day is ${hours} h long`, () => {
        const now = at(`${sat}T08:00`, row.zone);
        const plan = planSchedule({
          steps: [0, 1, 2].map((p) => ({ position: p, delayDays: p === 0 ? 0 : 1 })),
          now,
          zone: row.zone,
          policy: everyDay,
        });
        const times = plan.map((p) => local(p.at, row.zone));
        expect(times.map((t) => t.toFormat('HH:mm'))).toEqual(['09:00', '09:00', '09:00']);
        expect(times.map((t) => t.toISODate())).toEqual(
          [0, 1, 2].map((d) => DateTime.fromISO(sat).plus({ days: d }).toISODate()),
        );
        expect((plan[1]!.at!.getTime() - plan[0]!.at!.getTime()) / 3_600_000).toBe(hours);
        expect(times[0]!.offset).not.toBe(times[1]!.offset);
      });
    }
  }

  it('a window opening inside the spring-forward gap starts just after it, not an hour early', () => {
    const policy: WindowPolicy = {
      window: { days: [7], start: '02:30', end: '04:00' },
      fallback: null,
      fallbackAfterDays: 3,
    };
    const slot = nextSlot(at('2026-03-07T12:00', 'America/New_York'), 'America/New_York', policy);
    expect(local(slot, 'America/New_York').toFormat('yyyy-MM-dd HH:mm ZZZZ')).toBe('2026-03-08 03:30 EDT');
  });

  it('a window opening in the repeated fall-back hour starts at its first occurrence', () => {
    const policy: WindowPolicy = {
      window: { days: [7], start: '01:30', end: '03:00' },
      fallback: null,
      fallbackAfterDays: 3,
    };
    const slot = nextSlot(at('2026-10-31T12:00', 'America/New_York'), 'America/New_York', policy);
    expect(slot!.toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('windows and fallback', () => {
  const zone = 'Europe/Berlin';
  it('a step missed after the window closes moves to the next window day, never into the night', () => {
    const slot = nextSlot(at('2026-03-11T11:30', zone), zone, DEFAULT_POLICY); // Wednesday after the window
    expect(local(slot, zone).toFormat('ccc HH:mm')).toBe('Thu 09:00');
    expect(isSendableAt(at('2026-03-12T03:00', zone), zone, DEFAULT_POLICY)).toBe(false);
    expect(isSendableAt(at('2026-03-12T09:30', zone), zone, DEFAULT_POLICY)).toBe(true);
  });

  it('uses the fallback window when the preferred one is more than N days away', () => {
    const fromThursday = nextSlot(at('2026-03-12T17:30', zone), zone, DEFAULT_POLICY);
    expect(local(fromThursday, zone).toFormat('ccc HH:mm')).toBe('Fri 08:00');
    const fromFriday = nextSlot(at('2026-03-13T17:30', zone), zone, DEFAULT_POLICY);
    expect(local(fromFriday, zone).toFormat('ccc HH:mm')).toBe('Mon 08:00');
    const noFallback = nextSlot(at('2026-03-13T17:30', zone), zone, { ...DEFAULT_POLICY, fallback: null });
    expect(local(noFallback, zone).toFormat('ccc HH:mm')).toBe('Tue 09:00');
  });

  it('sends inside an open window at once, and jitter stays inside the window', () => {
    const now = at('2026-03-10T10:00', zone);
    expect(nextSlot(now, zone, DEFAULT_POLICY)!.getTime()).toBe(now.getTime());
    const late = nextSlot(at('2026-03-10T10:55', zone), zone, DEFAULT_POLICY, {
      jitterMinutes: 30,
      random: () => 0.999,
    });
    expect(local(late, zone).toFormat('HH:mm')).toBe('10:58');
    const spread = [0, 0.5, 0.99].map((r) =>
      nextSlot(at('2026-03-10T08:00', zone), zone, DEFAULT_POLICY, { jitterMinutes: 20, random: () => r }),
    );
    expect(spread.map((s) => local(s, zone).toFormat('HH:mm'))).toEqual(['09:00', '09:10', '09:19']);
  });

  it('skips holidays', () => {
    const christmas = (d: DateTime) => d.toFormat('MM-dd') === '12-24';
    const slot = nextSlot(at('2026-12-23T12:00', zone), zone, {
      ...DEFAULT_POLICY,
      fallback: null,
      isHoliday: christmas,
    }); // Wed after the window
    expect(local(slot, zone).toFormat('yyyy-MM-dd')).toBe('2026-12-29');
  });

  it('takes the contact zone, else the account zone, else the rep zone', () => {
    expect(resolveZone('Asia/Tokyo', 'Europe/Paris', 'UTC')).toBe('Asia/Tokyo');
    expect(resolveZone(null, 'Europe/Paris', 'UTC')).toBe('Europe/Paris');
    expect(resolveZone('Not/AZone', undefined, 'America/Chicago')).toBe('America/Chicago');
    expect(resolveZone(null, null, null)).toBe('UTC');
  });
});
