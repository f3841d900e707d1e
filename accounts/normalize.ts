// Pure helpers shared by imports, the API and signal matching.
import { IANAZone } from 'luxon';

/** "https://www.Acme.com/about" → "acme.com"; undefined when it is not a host name. */
export function normalizeDomain(input: string): string | undefined {
  let s = input.trim().toLowerCase();
  if (!s) return undefined;
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^www\./, '');
  s = s.split(/[/?#]/)[0]!.replace(/:\d+$/, '').replace(/\.$/, '');
  return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(s) ? s : undefined;
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
