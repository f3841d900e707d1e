// One way a time reaches a page: "in 2 h · Tue 1 Dec, 09:30 (Europe/Berlin)" or "3 days ago ·
// …", inside a <time> whose datetime attribute carries the instant and whose title the exact
// time with seconds and offset. Pure: the caller passes `now`; no raw ISO string is ever shown.
import { DateTime } from 'luxon';
import { isZone } from '../format.js';
import { html, type Html } from '../html.js';

const zoneName = (zone: string | null | undefined) => (isZone(zone) ? zone : 'UTC');

/** "in 5 min", "in 2 h", "in 3 days", "just now", "4 h ago", "3 days ago". */
function relative(at: Date, now: Date): string {
  const diff = at.getTime() - now.getTime();
  const s = Math.round(Math.abs(diff) / 1000);
  if (s < 60) return 'just now';
  const m = Math.round(s / 60);
  const h = Math.round(m / 60);
  const d = Math.round(h / 24);
  const span = m < 60 ? `${m} min` : h < 36 ? `${h} h` : `${d} day${d === 1 ? '' : 's'}`;
  return diff > 0 ? `in ${span}` : `${span} ago`;
}

/** "Tue 1 Dec, 09:30" in `zone`, with the year when it is not this year's. */
function clock(at: Date, zone: string | null | undefined, now: Date): string {
  const z = zoneName(zone);
  const t = DateTime.fromJSDate(at, { zone: z });
  return t.toFormat(
    t.year === DateTime.fromJSDate(now, { zone: z }).year ? 'ccc d LLL, HH:mm' : 'ccc d LLL yyyy, HH:mm',
  );
}

/** The exact time for a tooltip: "Tuesday 1 December 2026, 09:30:12 GMT+1". */
function exact(at: Date, zone: string | null | undefined): string {
  return DateTime.fromJSDate(at, { zone: zoneName(zone) }).toFormat("cccc d LLLL yyyy, HH:mm:ss 'GMT'ZZ");
}

/**
 * A time for people: relative and absolute in `zone`, the zone named; `relative: false` leaves the
 * "in 2 h" out (tables with many rows), `zoneLabel: false` the zone (a page that names it once).
 */
export function when(
  at: Date | null | undefined,
  zone: string | null | undefined,
  now: Date,
  opts: { relative?: boolean; zoneLabel?: boolean; empty?: string } = {},
): Html {
  if (!at) return html`${opts.empty ?? '—'}`;
  const z = zoneName(zone);
  const rel = opts.relative === false ? '' : `${relative(at, now)} · `;
  const label = opts.zoneLabel === false ? '' : ` (${z})`;
  return html`<time datetime="${at.toISOString()}" title="${exact(at, z)} (${z})"
    >${rel}${clock(at, z, now)}${label}</time
  >`;
}

/** Only the relative part ("3 days ago"), the exact time in the title. */
export function since(at: Date | null | undefined, zone: string | null | undefined, now: Date, empty = 'never'): Html {
  if (!at) return html`${empty}`;
  const z = zoneName(zone);
  return html`<time datetime="${at.toISOString()}" title="${exact(at, z)} (${z})">${relative(at, now)}</time>`;
}
