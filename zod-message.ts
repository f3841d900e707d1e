// Zod's refusals in words a person can act on (issue 16): "Daily cap must be a whole number", not
// "Invalid input: expected int, received number". Only zod's own texts are rewritten; a message a
// schema gave (`.regex(re, 'a CRM property name')`, a refine) is kept as the schema says it.
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** Zod's default messages start so; a schema's own message does not. */
const ZOD_TEXT =
  /^(Invalid input|Invalid option|Too small|Too big|Invalid (ISO )?(date|datetime|time|email|url|URL|string))/;

/** Field words a person reads in capitals: "linkedin_url" → "Linkedin URL". */
const ACRONYMS = new Set(['url', 'id', 'ip', 'api', 'crm', 'csv', 'smtp', 'imap', 'soql']);

/**
 * What a form calls its fields, by key: `{ pollIntervalMinutes: 'Poll every (minutes)' }`, so a refusal
 * names a field as the page shows it. Keys below a labelled one are the person's own JSON keys, quoted.
 */
export type FieldLabels = Readonly<Record<string, string>>;

const pathItem = (p: PropertyKey) => (typeof p === 'number' ? `item ${p + 1}` : `“${String(p)}”`);

/** A path in a person's own JSON, keys quoted: ["keywords", 0] → "“keywords” item 1". */
export const quotedPath = (path: readonly PropertyKey[]): string => path.map(pathItem).join(' ');

/**
 * "daily_cap" → "Daily cap", ["company", "timeZone"] → "Company time zone", ["heldStages", 0] → "Held stages item 1";
 * with `labels`, ["config", "maxAgeDays"] → "Settings “maxAgeDays”" when config is labelled "Settings".
 */
export function fieldLabel(path: readonly PropertyKey[], labels?: FieldLabels): string {
  const head = path[0];
  const label = typeof head === 'string' && labels && Object.hasOwn(labels, head) ? labels[head] : undefined;
  if (label) return [label, quotedPath(path.slice(1))].filter(Boolean).join(' ');
  const words = path
    .map((p) =>
      typeof p === 'number'
        ? `item ${p + 1}`
        : String(p)
            .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
            .replace(/[_.-]+/g, ' ')
            .toLowerCase(),
    )
    .join(' ')
    .trim()
    .split(/\s+/)
    .map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w))
    .join(' ');
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'The value';
}

/** A value quoted in a message: at most `max` characters, then an ellipsis. */
export const clip = (s: string, max = 60) => (s.length > max ? `${s.slice(0, max)}…` : s);

const plural = (n: number | bigint, one: string) => `${n} ${one}${Number(n) === 1 ? '' : 's'}`;

/** What the field must be, for zod's own texts; undefined for a message a schema gave. */
function expected(i: Issue): string | undefined {
  if (!ZOD_TEXT.test(i.message)) return undefined;
  switch (i.code) {
    case 'invalid_type':
      if (/received undefined$/.test(i.message)) return 'is required';
      if (i.expected === 'int') return 'must be a whole number';
      if (i.expected === 'number' || i.expected === 'bigint') return 'must be a number';
      if (i.expected === 'date') return 'must be a date';
      if (i.expected === 'boolean') return 'must be true or false';
      if (i.expected === 'string') return 'must be text';
      return `must be ${/^[aeiou]/.test(i.expected) ? 'an' : 'a'} ${i.expected}`;
    case 'too_small':
    case 'too_big': {
      const n = i.code === 'too_small' ? i.minimum : i.maximum;
      const bound =
        i.code === 'too_small' ? (i.inclusive ? 'at least' : 'more than') : i.inclusive ? 'at most' : 'less than';
      if (i.origin === 'string')
        return i.code === 'too_small' && Number(n) === 1
          ? 'must not be empty'
          : `must be ${bound} ${plural(n, 'character')}`;
      if (i.origin === 'array' || i.origin === 'set') return `must have ${bound} ${plural(n, 'item')}`;
      if (i.origin === 'date') {
        const when = new Date(Number(n)).toISOString().slice(0, 10);
        return `must be ${i.code === 'too_small' ? 'on or after' : 'on or before'} ${when}`;
      }
      return `must be ${bound} ${n}`;
    }
    case 'invalid_value': {
      const vs = i.values.map((v) => String(v));
      return `must be one of ${vs.slice(0, 10).join(', ')}${vs.length > 10 ? ', …' : ''}`;
    }
    case 'invalid_format':
      if (i.format === 'email') return 'must be an email address';
      if (i.format === 'url') return 'must be a URL';
      if (i.format === 'date') return 'must be a date (YYYY-MM-DD)';
      if (i.format === 'datetime') return 'must be a date and time (ISO 8601, e.g. 2026-03-10T12:00:00Z)';
      if (i.format === 'time') return 'must be a time (HH:MM)';
      return 'is not in the expected form';
    default:
      return undefined;
  }
}

/** A schema's own message written as what the field is or must be ("must be a JSON object"): its field goes first. */
const PREDICATE = /^(is|are|must|has|needs|cannot) /;

/**
 * One issue in words: "Daily cap must be a whole number"; a schema's own sentence that names its field
 * ("time zone must be an IANA name…") as that sentence, capitalised; a schema's own predicate ("must be a
 * JSON object") after its field's name; else "path: the schema's own message".
 */
export function issueText(i: Issue, label?: string): string {
  const what = expected(i);
  if (what) return `${label ?? fieldLabel(i.path)} ${what}`;
  const field = label ?? (i.path.length ? fieldLabel(i.path) : undefined);
  if (field && i.message.toLowerCase().startsWith(`${field.toLowerCase()} `))
    return field + i.message.slice(field.length);
  if (PREDICATE.test(i.message)) return `${field ?? 'The value'} ${i.message}`;
  return `${label ?? (i.path.join('.') || 'body')}: ${i.message}`;
}

/** Every issue of a failed parse as one VALIDATION message; `labels`: the form's names for its fields. */
export function issues(err: z.ZodError, labels?: FieldLabels): string {
  return err.issues.map((i) => issueText(i, labels ? fieldLabel(i.path, labels) : undefined)).join('; ');
}
