// Small pure formatters for pages: ages, times in a zone, labels. No I/O, no clock of their own.
import { DateTime, IANAZone } from 'luxon';

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
const zoneValid = new Map<string, boolean>();
/** Whether `zone` names a real IANA zone, remembered per name. */
export function isZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  let ok = zoneValid.get(zone);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(zone);
    if (zoneValid.size < 1000) zoneValid.set(zone, ok);
  }
  return ok;
}

/** "Tue 10 Mar, 09:14 EDT" in `zone` (UTC when the name is not a valid IANA zone). */
export function inZone(at: Date, zone: string | null | undefined): string {
  const z = isZone(zone) ? zone : 'UTC';
  return DateTime.fromJSDate(at, { zone: z }).toFormat('ccc d LLL yyyy, HH:mm ZZZZ');
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
