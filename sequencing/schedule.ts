// When a step may go out: the template's sending window in the recipient's time zone, a
// fallback window when the preferred one is too far away, jitter so a batch does not fire on
// one second. Pure: every function takes `now`/`from` and an optional random source.
import { DateTime, IANAZone } from 'luxon';
import { memoize } from '../memo.js';

/** Days are ISO weekdays (1 = Monday … 7 = Sunday); times are local "HH:mm". */
export interface SendingWindow {
  days: number[];
  start: string;
  end: string;
}

export interface WindowPolicy {
  window: SendingWindow;
  /** Used when the preferred window opens more than `fallbackAfterDays` days after the earliest time. */
  fallback: SendingWindow | null;
  fallbackAfterDays: number;
  /** Local calendar days on which nothing is sent (a country's public holidays). */
  isHoliday?: (localDay: DateTime) => boolean;
}

export const DEFAULT_POLICY: WindowPolicy = {
  window: { days: [2, 3, 4], start: '09:00', end: '11:00' },
  fallback: { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' },
  fallbackAfterDays: 3,
};

interface SlotOptions {
  /** Upper bound of the random offset added inside the window. 0 gives the window's first minute. */
  jitterMinutes?: number;
  random?: () => number;
}

const SEARCH_DAYS = 60;
const MIN_SLOT_MS = 60_000;

// luxon's isValidZone builds an Intl.DateTimeFormat per call (0.1-0.7 ms); every claim resolves a zone.
const zoneValid = new Map<string, boolean>();
const validZone = (z: string) => {
  let ok = zoneValid.get(z);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(z);
    if (zoneValid.size < 1000) zoneValid.set(z, ok);
  }
  return ok;
};

/** The recipient's zone: the contact's, else the account's, else the rep's, else UTC (invalid names skipped). */
export function resolveZone(...candidates: (string | null | undefined)[]): string {
  for (const z of candidates) if (z && validZone(z)) return z;
  return 'UTC';
}

function localTime(day: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number);
  // A wall time skipped by spring-forward (02:30) resolves to the instant just after the gap;
  // one repeated by fall-back (01:30) to its first occurrence.
  const dt = DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: h ?? 0, minute: m ?? 0 },
    { zone: day.zone },
  );
  const hourEarlier = DateTime.fromMillis(dt.toMillis() - 3_600_000, { zone: day.zone });
  return hourEarlier.hour === dt.hour && hourEarlier.minute === dt.minute ? hourEarlier : dt;
}

interface Opening {
  start: DateTime;
  end: DateTime;
}

/** The first stretch of `w` at or after `from` (already in the recipient's zone) at least a minute long. */
function firstOpening(from: DateTime, w: SendingWindow, isHoliday?: (d: DateTime) => boolean): Opening | null {
  for (let d = 0; d <= SEARCH_DAYS; d++) {
    const day = from.startOf('day').plus({ days: d });
    if (!w.days.includes(day.weekday) || isHoliday?.(day)) continue;
    const open = localTime(day, w.start);
    const close = localTime(day, w.end);
    const start = open > from ? open : from;
    if (close.toMillis() - start.toMillis() < MIN_SLOT_MS) continue;
    return { start, end: close };
  }
  return null;
}

/** The window opening a send at or after `from` falls into, preferring the main window. */
export function nextOpening(from: Date, zone: string, policy: WindowPolicy): Opening | null {
  const local = DateTime.fromJSDate(from, { zone });
  const preferred = firstOpening(local, policy.window, policy.isHoliday);
  if (!policy.fallback) return preferred;
  const tooFar = !preferred || preferred.start.diff(local, 'days').days > policy.fallbackAfterDays;
  if (!tooFar) return preferred;
  const fb = firstOpening(local, policy.fallback, policy.isHoliday);
  if (!fb) return preferred;
  return !preferred || fb.start < preferred.start ? fb : preferred;
}

/** The send time for something that may go out no earlier than `from`. */
export function nextSlot(from: Date, zone: string, policy: WindowPolicy, opts: SlotOptions = {}): Date | null {
  const o = nextOpening(from, zone, policy);
  if (!o) return null;
  const room = o.end.toMillis() - o.start.toMillis() - MIN_SLOT_MS;
  const jitter = Math.min(Math.max(0, (opts.jitterMinutes ?? 0) * 60_000), room);
  const offset = Math.floor((opts.random ?? Math.random)() * jitter);
  return new Date(o.start.toMillis() + offset);
}

// localTime() of a zone's calendar day, as epoch ms: a pure function of the zone, the date and the
// wall time, asked for on every claim (each costs luxon several time-zone offset look-ups).
const localTimeMs = memoize(
  10_000,
  (local: DateTime, hhmm: string) => `${local.zoneName}|${local.year}-${local.month}-${local.day}|${hhmm}`,
  (local: DateTime, hhmm: string) => localTime(local.startOf('day'), hhmm).toMillis(),
);

function inside(local: DateTime, w: SendingWindow, isHoliday?: (d: DateTime) => boolean): boolean {
  if (!w.days.includes(local.weekday) || isHoliday?.(local.startOf('day'))) return false;
  const at = local.toMillis();
  return at >= localTimeMs(local, w.start) && at < localTimeMs(local, w.end);
}

/** Whether `at` is inside the main or the fallback window: checked again when a step is claimed. */
export function isSendableAt(at: Date, zone: string, policy: WindowPolicy): boolean {
  const local = DateTime.fromJSDate(at, { zone });
  return (
    inside(local, policy.window, policy.isHoliday) ||
    (!!policy.fallback && inside(local, policy.fallback, policy.isHoliday))
  );
}

interface PlanStep {
  position: number;
  delayDays: number;
}
export interface PlannedStep {
  position: number;
  at: Date | null;
  local: string | null;
}

/**
 * Every step's time: the previous step's time plus its delay (calendar days in the recipient's
 * zone, so 09:30 stays 09:30 across a DST change), moved into the window. Step one counts from `now`.
 */
export function planSchedule(
  input: { steps: PlanStep[]; now: Date; zone: string; policy?: WindowPolicy } & SlotOptions,
): PlannedStep[] {
  const policy = input.policy ?? DEFAULT_POLICY;
  const out: PlannedStep[] = [];
  let prev: Date | null = input.now;
  for (const step of [...input.steps].sort((a, b) => a.position - b.position)) {
    if (!prev) {
      out.push({ position: step.position, at: null, local: null });
      continue;
    }
    const earliest = DateTime.fromJSDate(prev, { zone: input.zone })
      .plus({ days: Math.max(0, step.delayDays) })
      .toJSDate();
    const at = nextSlot(earliest, input.zone, policy, input);
    out.push({ position: step.position, at, local: at ? formatLocal(at, input.zone) : null });
    prev = at;
  }
  return out;
}

/** "Tue 10 Mar 2026, 09:14 EDT" in the recipient's zone, for the UI and the CLI. */
export function formatLocal(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('ccc d LLL yyyy, HH:mm ZZZZ');
}

/** A template's stored windows as a policy; missing pieces fall back to the defaults. */
export function policyFromTemplate(
  t: { sending_window?: unknown; fallback_window?: unknown; fallback_after_days?: number | null } | null | undefined,
): WindowPolicy {
  const valid = (w: unknown): w is SendingWindow => {
    const x = w as SendingWindow | null;
    return (
      !!x && Array.isArray(x.days) && /^\d{1,2}:\d{2}$/.test(String(x.start)) && /^\d{1,2}:\d{2}$/.test(String(x.end))
    );
  };
  if (!t) return DEFAULT_POLICY;
  return {
    window: valid(t.sending_window) ? t.sending_window : DEFAULT_POLICY.window,
    fallback:
      t.fallback_window === null ? null : valid(t.fallback_window) ? t.fallback_window : DEFAULT_POLICY.fallback,
    fallbackAfterDays: t.fallback_after_days ?? DEFAULT_POLICY.fallbackAfterDays,
  };
}
