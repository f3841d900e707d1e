// What a funding story says: its round, lead and other investors, amount and company; and the
// English words that tell a funding story from "raises prices" when only its summary mentions one.
import type { Amount } from './amounts.js';
import { headlineSubject } from './headline-subject.js';

/** "Raises prices", "raises guidance", "raises concerns": raising that brings in no money. */
export const NOT_FUNDING = new RegExp(
  [
    String.raw`\braise[sd]? (?:prices?|its prices|rates?|concerns?|questions?|eyebrows|alarm|awareness|the bar|doubts|`,
    String.raw`fees|(?:its |full-year |annual )?(?:forecast|guidance|outlook)|money for charity|the stakes|hopes)\b`,
  ].join(''),
  'i',
);
const FUNDING_VERB = new RegExp(
  [
    String.raw`\b(rais(?:es|ed|ing)|raise|secur(?:es|ed|ing)|clos(?:es|ed|ing)|lands?|landed|nabs?|bags?|snags?|gets?|`,
    String.raw`receives?|attracts?|picks? up|scores?|pulls? in|hauls? in|announces?|completes?|obtains?|draws?|`,
    String.raw`injects?|invest(?:s|ed)?|backs?|led|leads)\b`,
  ].join(''),
  'i',
);
const FUNDING_NOUN =
  /\b(funding|financing|investment|round|capital|venture debt|credit facility|debt facility|grant|backing|seed|series [a-h])\b/i;

/** A funding verb and noun with no "raises prices" sense: with an amount, the text reports a round. */
export const tellsFunding = (text: string) =>
  FUNDING_VERB.test(text) && FUNDING_NOUN.test(text) && !NOT_FUNDING.test(text);

const ROUND_PATTERNS: [RegExp, string][] = [
  [/\bpre[- ]seed\b/i, 'pre-seed'],
  [/\bseries ([a-h])(?:[-\s]?\d|\+)?\b/i, 'series'],
  [/\bseed(?:[- ]stage)? (?:round|funding|financing|investment|capital)\b|\bseed\b/i, 'seed'],
  [/\b(?:growth|late[- ]stage|growth[- ]equity|pre-ipo)\b/i, 'growth'],
  [
    /\b(?:venture debt|debt financing|debt facility|credit facility|credit line|loan|convertible notes?|debt)\b/i,
    'debt',
  ],
  [/\bgrants?\b/i, 'grant'],
];

export function parseRound(text: string): string | null {
  for (const [re, round] of ROUND_PATTERNS) {
    const m = re.exec(text);
    if (m) return round === 'series' ? `series_${m[1]!.toLowerCase()}` : round;
  }
  return null;
}

const splitNames = (s: string) =>
  s
    .split(/,\s*(?:and\s+)?|\s+and\s+|\s*&\s*/)
    .map((x) =>
      x
        .replace(/^(?:the|existing investors?|investors?|including|new investor)\s+/i, '')
        .replace(/[.;:]+$/, '')
        .trim(),
    )
    .filter((x) => x && x.length < 80 && /^\p{Lu}|^\d/u.test(x));

export function parseInvestors(text: string): { lead: string[]; others: string[] } {
  const stop = String.raw`(?=,? with (?:participation|support)|,? alongside|,? along with|\. |;|\.$|\s+to\s+|\s+for\s+|\s+at\s+a|$)`;
  const lead = new RegExp(String.raw`\b(?:led by|co-led by|headed by)\s+(.+?)${stop}`, 'i').exec(text)?.[1];
  const others = new RegExp(
    [
      String.raw`\b(?:participation (?:from|of|by)|joined by|alongside|along with|backed by|other investors include|`,
      String.raw`investors include|support from)\s+(.+?)(?=\. |;|\.$|\s+to\s+|\s+for\s+|$)`,
    ].join(''),
    'i',
  ).exec(text)?.[1];
  const from =
    !lead &&
    /\b(?:rais|secur|land|get)\w*\s.*?\bfrom\s+(\p{Lu}.+?)(?=,? (?:to|for|with|as|at)\b|\. |;|\.$|$)/iu.exec(text)?.[1];
  return { lead: splitNames(lead ?? (from || '')), others: splitNames(others ?? '') };
}

export function fundingFacts(title: string, summary: string, round: string | null, amount: Amount | null) {
  const text = `${title}. ${summary}`;
  const inv = parseInvestors(text);
  return {
    round,
    amount: amount?.value ?? null,
    currency: amount?.currency ?? null,
    amountText: amount?.text ?? null,
    ...(amount?.max ? { amountMax: amount.max } : {}),
    leadInvestors: inv.lead,
    investors: inv.others,
    company: headlineSubject(title),
  };
}
