// Optional holiday calendar per country (date-holidays): public holidays only, judged on the
// recipient's local calendar day.
import { createRequire } from 'node:module';
import type HolidaysClass from 'date-holidays';
import type { DateTime } from 'luxon';
import { memoize } from '../memo.js';

// date-holidays (~25 MB with its calendars) loads when a holiday calendar is first asked for.
const require = createRequire(import.meta.url);

// A memo of constant data, left module-level on purpose (not in the application context): each
// entry is a pure function of a country code over the calendars bundled in date-holidays, the
// same in every context and process, holds no connection or handle to close, and is bounded by
// the ~200 country codes. Emptying it on stop() would only rebuild the same checkers.
const cache = new Map<string, ((d: DateTime) => boolean) | undefined>();

/** A checker for `country` (ISO 3166-1 alpha-2), or undefined when the country is unknown. */
export function holidayChecker(country: string | null | undefined): ((d: DateTime) => boolean) | undefined {
  const key = (country ?? '').trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(key)) return undefined;
  if (!cache.has(key)) {
    const Holidays = require('date-holidays') as typeof HolidaysClass;
    const hd = new Holidays();
    const known = key in hd.getCountries();
    // date-holidays computes the year's calendar on each question (milliseconds): every claim asks
    // about its recipient's day, so each day's answer is kept (a few hundred dates per country).
    const publicOn = memoize(
      5000,
      (date: string) => date,
      (date: string) => {
        const found = hd.isHoliday(`${date} 12:00`);
        return Array.isArray(found) && found.some((h) => h.type === 'public');
      },
    );
    cache.set(key, known && hd.init(key) ? (d) => publicOn(d.toISODate()!) : undefined);
  }
  return cache.get(key);
}
