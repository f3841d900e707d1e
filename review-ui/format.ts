// Small pure formatters for pages: ages, times in a zone, labels. No I/O, no clock of their own.
import { DateTime, IANAZone } from 'luxon';
import { memoize } from '../memo.js';

export function ago(at: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (s < 90) return 'just now';
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 36) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

// luxon's isValidZone builds an Intl.DateTimeFormat on every call (0.1-0.7 ms of CPU): most of
// the queue page's render time when each row's time was checked (issue 17). Zone names are few.
const zoneValid = memoize(
  1000,
  (zone: string) => zone,
  (zone: string) => IANAZone.isValidZone(zone),
);
/** Whether `zone` names a real IANA zone, remembered per name. */
export function isZone(zone: string | null | undefined): zone is string {
  return !!zone && zoneValid(zone);
}

/** A reason shown before more text ends as a sentence: "…: Good Feed.", not "…: Good Feed Correct it below". */
export const asSentence = (s: string): string => (/[.!?…]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);

const IN_ZONE = 'ccc d LLL yyyy, HH:mm ZZZZ';
// UTC without luxon (a queue page formats 50 times in UTC; luxon parses the format and builds
// the date's fields on each call): the names are luxon's own, read once, so the text is the same
// in any locale whose digits are 0-9 (checked here; otherwise luxon formats every time).
const UTC_NAMES = (() => {
  const utc = (month: number, day: number) => DateTime.utc(2026, month, day);
  if (utc(1, 1).resolvedLocaleOptions().numberingSystem !== 'latn') return undefined;
  return {
    // 2026-02-01 is a Sunday.
    weekdays: Array.from({ length: 7 }, (_, d) => utc(2, 1 + d).toFormat('ccc')),
    months: Array.from({ length: 12 }, (_, m) => utc(m + 1, 1).toFormat('LLL')),
    zone: utc(1, 1).toFormat('ZZZZ'),
  };
})();
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** "Tue 10 Mar, 09:14 EDT" in `zone` (UTC when the name is not a valid IANA zone). */
export function inZone(at: Date, zone: string | null | undefined): string {
  const z = isZone(zone) ? zone : 'UTC';
  const year = at.getUTCFullYear();
  if (z === 'UTC' && UTC_NAMES && year >= 1000 && year <= 9999) {
    const { weekdays, months } = UTC_NAMES;
    return (
      `${weekdays[at.getUTCDay()]} ${at.getUTCDate()} ${months[at.getUTCMonth()]} ${year}, ` +
      `${two(at.getUTCHours())}:${two(at.getUTCMinutes())} ${UTC_NAMES.zone}`
    );
  }
  return DateTime.fromJSDate(at, { zone: z }).toFormat(IN_ZONE);
}

export function isoInput(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone: isZone(zone) ? zone : 'UTC' }).toFormat("yyyy-LL-dd'T'HH:mm");
}

export const label = (s: string | null | undefined) => (s ?? '').replace(/_/g, ' ');

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.round(ms / 60_000)} min`;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} d`;
}

export const pct = (num: number, den: number) => (den ? `${Math.round((1000 * num) / den) / 10}%` : '—');

/** The first zone that is a valid IANA name, else UTC. */
export function zoneOf(...candidates: (string | null | undefined)[]): string {
  for (const z of candidates) if (isZone(z)) return z;
  return 'UTC';
}

export function intParam(v: unknown): number | undefined {
  const n = Number.parseInt(String(v ?? ''), 10);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
