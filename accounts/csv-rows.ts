// CSV → validated rows. Headers are matched loosely ("Company", "Account Name" → name), and an
// explicit mapping from the UI's column mapper wins. Pure: no database.
import { CsvError, parse } from 'csv-parse/sync';
import { AppError } from '../errors.js';
import { z } from 'zod';
import { fieldLabel, issueText } from '../zod-message.js';
import { isEmail, isTimeZone, normalizeDomain, parseBool, singleLine, splitList } from './normalize.js';

export type ImportKind = 'accounts' | 'contacts';

const HEADER_ALIASES: Record<ImportKind, Record<string, string[]>> = {
  accounts: {
    name: ['name', 'company', 'company name', 'account', 'account name', 'organization'],
    domain: ['domain', 'website', 'url', 'site', 'company domain'],
    aliases: ['aliases', 'alias', 'also known as', 'aka'],
    owner: ['owner', 'owner email', 'rep', 'account owner'],
    time_zone: ['time zone', 'timezone', 'tz'],
    country: ['country', 'hq country'],
    tags: ['tags', 'tag', 'segment'],
  },
  contacts: {
    email: ['email', 'email address', 'e-mail', 'work email'],
    first_name: ['first name', 'firstname', 'given name'],
    last_name: ['last name', 'lastname', 'surname', 'family name'],
    name: ['name', 'full name'],
    title: ['title', 'job title', 'position', 'role'],
    account_domain: ['account domain', 'company domain', 'domain', 'website'],
    company: ['company', 'account', 'account name', 'company name', 'organization'],
    time_zone: ['time zone', 'timezone', 'tz'],
    champion: ['champion', 'is champion'],
    linkedin_url: ['linkedin', 'linkedin url', 'linkedin profile'],
  },
};

export const importFields = (kind: ImportKind): string[] => Object.keys(HEADER_ALIASES[kind]);

const canon = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[_\-.]+/g, ' ')
    .replace(/\s+/g, ' ');

/** Which CSV header feeds each field; `explicit` maps field → header as chosen by a person. */
export function mapColumns(
  kind: ImportKind,
  headers: string[],
  explicit: Record<string, string> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, aliases] of Object.entries(HEADER_ALIASES[kind])) {
    const chosen = explicit[field];
    if (chosen !== undefined) {
      if (chosen && headers.includes(chosen)) out[field] = chosen;
      continue;
    }
    const h = headers.find((x) => aliases.includes(canon(x)));
    if (h !== undefined && !Object.values(out).includes(h)) out[field] = h;
  }
  return out;
}

interface ParsedCsv {
  headers: string[];
  records: Record<string, string>[];
}

/** Refuses what is not a CSV at all (a NUL byte, an unclosed quote) with the line to look at. */
export function parseCsv(content: string | Buffer): ParsedCsv {
  const text = typeof content === 'string' ? content : content.toString('utf8');
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new AppError(
      'VALIDATION',
      `Line ${line} holds a NUL byte: this is not a text CSV (export it as CSV, UTF-8).`,
    );
  }
  try {
    return parseCsvText(text);
  } catch (cause) {
    if (!(cause instanceof CsvError)) throw cause;
    const where = cause.lines ? ` near line ${String(cause.lines)}` : '';
    throw new AppError('VALIDATION', `The CSV cannot be read${where}: ${cause.message}`, { cause });
  }
}

function parseCsvText(content: string): ParsedCsv {
  const records = parse(content, {
    columns: (h: string[]) => h.map((x) => x.trim()),
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
  }) as Record<string, string>[];
  const first = parse(content, { bom: true, to_line: 1, trim: true }) as string[][];
  return { headers: first[0] ?? [], records };
}

const line = z.string().transform(singleLine);
const optionalText = line.transform((s) => (s === '' ? null : s));

/** Empty → null; otherwise a host name like acme.com (from a URL or a bare domain). */
const optionalDomain = z
  .string()
  .trim()
  .transform((s, ctx) => {
    if (!s) return null;
    const d = normalizeDomain(s);
    if (!d) ctx.addIssue({ code: 'custom', message: `"${s}" is not a domain like acme.com` });
    return d ?? null;
  });

export const AccountRowInput = z.object({
  name: line.pipe(z.string().min(1, 'name is required').max(300)),
  domain: optionalDomain,
  aliases: z.string().transform(splitList),
  owner: optionalText.refine((s) => s === null || isEmail(s), 'owner must be a user email'),
  time_zone: optionalText.refine(
    (s) => s === null || isTimeZone(s),
    'time zone must be an IANA name like Europe/Berlin',
  ),
  country: optionalText,
  tags: z.string().transform(splitList),
});
export type AccountRowInput = z.infer<typeof AccountRowInput>;

export const ContactRowInput = z
  .object({
    email: z.string().trim().refine(isEmail, 'email is missing or not an address'),
    first_name: line,
    last_name: line,
    name: line,
    title: line.pipe(z.string().max(300)),
    account_domain: optionalDomain,
    company: optionalText,
    time_zone: optionalText.refine(
      (s) => s === null || isTimeZone(s),
      'time zone must be an IANA name like America/New_York',
    ),
    champion: z.string().transform((s, ctx) => {
      const b = parseBool(s);
      if (s.trim() && b === undefined) ctx.addIssue({ code: 'custom', message: `champion must be yes/no, got "${s}"` });
      return b ?? false;
    }),
    linkedin_url: optionalText,
  })
  .transform((r) => {
    let { first_name, last_name } = r;
    if (!first_name && !last_name && r.name) {
      const parts = r.name.split(/\s+/);
      first_name = parts.shift() ?? '';
      last_name = parts.join(' ');
    }
    return { ...r, first_name, last_name };
  });
export type ContactRowInput = z.infer<typeof ContactRowInput>;

export type RowResult<T> =
  | { row: number; ok: true; value: T; raw: Record<string, string> }
  | { row: number; ok: false; errors: string[]; raw: Record<string, string> };

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * One refused cell in words, naming the spreadsheet's column when its header is not the field's own name:
 * 'Name (column "Company") is required', "Title must be at most 300 characters". The row number travels
 * beside it (RowResult.row) and is shown with it ("row 4: …" in the CLI, the Row column on the page).
 */
function cellError(i: z.core.$ZodIssue, mapping: Record<string, string>): string {
  const field = fieldLabel(i.path);
  const text = issueText(i, field);
  const column = typeof i.path[0] === 'string' ? mapping[i.path[0]] : undefined;
  if (!column || squash(column) === squash(field) || !text.startsWith(field)) return text;
  return `${field} (column "${column}")${text.slice(field.length)}`;
}

/** Row numbers are 1-based data rows as a spreadsheet shows them (header is row 1, so data starts at 2). */
export function validateRows(
  kind: ImportKind,
  parsed: ParsedCsv,
  mapping: Record<string, string>,
): RowResult<AccountRowInput | ContactRowInput>[] {
  const schema = kind === 'accounts' ? AccountRowInput : ContactRowInput;
  return parsed.records.map((raw, i) => {
    const input = Object.fromEntries(importFields(kind).map((f) => [f, mapping[f] ? (raw[mapping[f]!] ?? '') : '']));
    const r = schema.safeParse(input);
    if (r.success) return { row: i + 2, ok: true, value: r.data, raw };
    return { row: i + 2, ok: false, errors: r.error.issues.map((x) => cellError(x, mapping)), raw };
  });
}
