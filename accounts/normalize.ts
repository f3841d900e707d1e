// Pure helpers shared by imports, the API and signal matching.
import { IANAZone } from 'luxon';
import { z } from 'zod';

/** Dates people and providers send: the years 1900–2199. Past that a value is a typo or an attack
 * (and PostgreSQL, luxon and Intl each fail differently on it). */
export const SaneDate = z.coerce
  .date()
  .min(new Date('1900-01-01T00:00:00Z'), 'a date from 1900 on')
  .max(new Date('2199-12-31T23:59:59Z'), 'a date before 2200');

/** "https://www.Acme.com/about" → "acme.com"; undefined when it is not a host name. */
export function normalizeDomain(input: string): string | undefined {
  let s = input.trim().toLowerCase();
  if (!s) return undefined;
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^www\./, '');
  s = s.split(/[/?#]/)[0]!.replace(/:\d+$/, '').replace(/\.$/, '');
  return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(s) ? s : undefined;
}

/** C0 controls except tab and line breaks, DEL, and the bidi embedding/override/isolate marks. */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
export const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;
export const LINE_BREAKS = /[\r\n\u2028\u2029]/;

/** A name for one line (a list, a From header): line breaks become spaces, control and bidi marks go. */
export function singleLine(s: string): string {
  return s
    .replace(new RegExp(LINE_BREAKS.source + '+|\t', 'g'), ' ')
    .replace(new RegExp(CONTROL_CHARS.source, 'g'), '')
    .trim();
}

export function isTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

/** Splits "a; b | c" style lists used in CSV cells. */
export function splitList(cell: string | undefined): string[] {
  return (cell ?? '')
    .split(/[;|]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseBool(cell: string | undefined): boolean | undefined {
  const s = (cell ?? '').trim().toLowerCase();
  if (!s) return undefined;
  if (['1', 'true', 'yes', 'y', 'x'].includes(s)) return true;
  if (['0', 'false', 'no', 'n'].includes(s)) return false;
  return undefined;
}

const EMAIL = /^[^\s@<>()[\],;:"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
export function isEmail(s: string): boolean {
  return s.length <= 254 && EMAIL.test(s);
}
