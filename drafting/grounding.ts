// Grounding: every number, proper noun and date in a draft must come from the data we hold
// (dossier, signal, contact/account records, playbook). Pure functions over text.
import { createRequire } from 'node:module';
import { distance } from 'fastest-levenshtein';
import { emailsIn, linksIn, undisguise } from './links.js';
import { groundedIn, quantitiesIn, type Quantity } from './numbers.js';
import type { DraftInput } from './schema.js';

// A word that starts with a capital letter, with inner hyphens/apostrophes ("O'Neil", "Jean-Luc").
const CAP_WORD_RE = /\p{Lu}[\p{L}\p{M}\d]*(?:['’-][\p{L}\p{M}\d]+)*/gu;

/** Capitalized words that are not names: the pronoun I, sign-offs, weekdays, a few abbreviations. */
const COMMON_CAPITALIZED = new Set([
  'I',
  "I'm",
  "I'd",
  "I've",
  "I'll",
  'OK',
  'PS',
  'P.S',
  'Re',
  'Fwd',
  'Hi',
  'Hello',
  'Hey',
  'Thanks',
  'Best',
  'Cheers',
  'Regards',
  'Mr',
  'Mrs',
  'Ms',
  'Mx',
  'Dr',
  'Prof',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
  'AM',
  'PM',
  'FAQ',
  'CEO',
  'CRO',
  'CFO',
  'CTO',
  'COO',
  'VP',
  'SVP',
  'EVP',
  'SDR',
  'SDRs',
  'BDR',
  'BDRs',
  'AE',
  'AEs',
  'CRM',
  'ROI',
  'B2B',
  'SaaS',
  'AI',
  'GTM',
  'RevOps',
  'Ops',
]);

/** Text of everything a draft may draw on, lowercased and with typographic quotes straightened. */
export function groundingCorpus(input: DraftInput): string {
  const parts: string[] = [
    input.signal.title,
    input.signal.summary,
    flatten(input.signal.facts),
    flatten(input.organization),
    input.account.name,
    input.account.domain ?? '',
    input.account.aliases.join(' '),
    input.account.country ?? '',
    input.contact.firstName,
    input.contact.lastName,
    input.contact.title,
    input.contact.email,
    input.sender.name,
    input.sender.bookingUrl ?? '',
    flatten(input.playbook),
  ];
  for (const f of input.facts) parts.push(f.text, f.quote);
  return normalize(parts.join('\n'));
}

export function normalize(text: string): string {
  return text
    .replace(/[’‘]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .toLowerCase();
}

function flatten(value: unknown): string {
  if (value == null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(flatten).join('\n');
  if (typeof value === 'object')
    return Object.values(value as Record<string, unknown>)
      .map(flatten)
      .join('\n');
  return '';
}

/** The body without links, email addresses and placeholders, which other gates judge. */
export function stripLinks(text: string): string {
  let t = undisguise(text);
  const found = [...emailsIn(t), ...linksIn(t).map((l) => l.text)].sort((a, b) => b.length - a.length);
  for (const f of found) t = t.replace(new RegExp(f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), ' ');
  return t.replace(/\{\{[^}]*\}\}|\{[^{}\n]{1,40}\}|\[[^\]\n]{1,60}\]|<[^<>\n]{1,40}>/g, ' ');
}

let corpusQuantities: { corpus: string; quantities: Quantity[] } | undefined;

/** Numbers in `body` (digits or words) that the corpus does not hold with the same unit and magnitude. */
export function ungroundedNumbers(body: string, corpus: string): string[] {
  if (corpusQuantities?.corpus !== corpus)
    corpusQuantities = { corpus, quantities: quantitiesIn(stripLinks(corpus), { smallWords: true }) };
  const data = corpusQuantities.quantities;
  return unique(
    quantitiesIn(stripLinks(body))
      .filter((q) => !groundedIn(q, data, corpus))
      .map((q) => q.text),
  );
}

// English words (lowercase), to tell "Congratulations" from "Globex" at the start of a sentence.
let english: Set<string> | undefined;
function isEnglishWord(word: string): boolean {
  english ??= new Set(createRequire(import.meta.url)('an-array-of-english-words') as string[]);
  return word
    .toLowerCase()
    .split(/['-]/)
    .filter(Boolean)
    .every((part, i) => english!.has(part) || (i > 0 && part.length <= 2));
}

/**
 * Capitalized words that read as names: any that does not start a sentence, and one that starts
 * a sentence when it is not an English word ("Globex signed…", "Priya asked…").
 */
export function properNounCandidates(body: string): string[] {
  const text = stripLinks(body).replace(/[’]/g, "'");
  const out: string[] = [];
  for (const m of text.matchAll(CAP_WORD_RE)) {
    // A word glued to a lowercase prefix ("iPhone" is not matched; "x-Ray" is) is not a name start.
    if (m.index > 0 && /[\p{L}\d]/u.test(text[m.index - 1]!)) continue;
    const word = m[0].replace(/'s$/i, '');
    if (COMMON_CAPITALIZED.has(word)) continue;
    const before = text.slice(0, m.index).replace(/["'(\s]+$/, '');
    const sentenceStart = before === '' || /[.!?:;\n]$/.test(before) || /\n\s*$/.test(text.slice(0, m.index));
    if (sentenceStart && isEnglishWord(word)) continue;
    out.push(word);
  }
  return unique(out);
}

export function ungroundedProperNouns(body: string, corpus: string): string[] {
  return properNounCandidates(body).filter((w) => !containsWord(corpus, normalize(w)));
}

/** Data names written differently in the body: "Dnaa" for Dana, "NorthWind" for Northwind. */
export function misspelledNames(body: string, input: DraftInput, corpus: string): string[] {
  const names = new Set<string>();
  for (const n of [
    input.contact.firstName,
    input.contact.lastName,
    input.account.name,
    ...input.account.aliases,
    input.sender.name,
    input.playbook.company ?? '',
  ]) {
    for (const part of n.split(/\s+/)) if (part.length >= 3) names.add(part);
  }
  const problems: string[] = [];
  // Only words that are capitalized because they are names (not because a sentence starts).
  for (const word of properNounCandidates(body)) {
    if (names.has(word)) continue;
    for (const name of names) {
      if (word.toLowerCase() === name.toLowerCase()) {
        problems.push(`${word} (written as ${name} in the data)`);
        break;
      }
      const d = distance(word.toLowerCase(), name.toLowerCase());
      const allowed = name.length <= 5 ? 1 : 2;
      const swapped = word.length === name.length && sorted(word) === sorted(name);
      if (
        d > 0 &&
        (d <= allowed || swapped) &&
        Math.abs(word.length - name.length) <= 2 &&
        !containsWord(corpus, normalize(word))
      ) {
        problems.push(`${word} (did you mean ${name}?)`);
        break;
      }
    }
  }
  return problems;
}

export function containsWord(haystack: string, needle: string): boolean {
  if (!needle) return true;
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\d])${escaped}($|[^\\p{L}\\d])`, 'iu').test(haystack);
}

const sorted = (w: string) => [...w.toLowerCase()].sort().join('');

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
