// Numbers with their unit and magnitude, so grounding compares claims rather than digits:
// "€12M" is not grounded by a "12" elsewhere, nor "12 million" by "12 percent". Numbers written
// in words ("three million", "a dozen") are read too. A rounded number is accepted only when the
// text says it is rounded ("about", "nearly", "over") and only within ROUNDING_BOUND. Pure.

/** How far a hedged number may be from the data: "about 3,000" covers 2,700–3,300. */
export const ROUNDING_BOUND = 0.1;

export type Unit = 'plain' | 'percent' | 'times' | `currency:${string}`;
/** `about`: either side; `under`: the data is at most the number ("nearly"); `over`: at least ("more than"). */
export type Hedge = 'about' | 'under' | 'over';

export interface Quantity {
  text: string;
  /** undefined when the digits do not read as one number ("10.0.0.1"): grounded only literally. */
  value: number | undefined;
  unit: Unit;
  hedge: Hedge | null;
}

const MAGNITUDES: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mm: 1e6,
  mn: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  trillion: 1e12,
};
const CURRENCIES: Record<string, string> = {
  $: 'USD',
  us$: 'USD',
  usd: 'USD',
  dollar: 'USD',
  dollars: 'USD',
  '€': 'EUR',
  eur: 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  '£': 'GBP',
  gbp: 'GBP',
  pound: 'GBP',
  pounds: 'GBP',
  '¥': 'JPY',
  yen: 'JPY',
  nok: 'NOK',
  sek: 'SEK',
  kr: 'NOK',
  chf: 'CHF',
};
const UNITS_AFTER = '%|percent|per cent|x|times|dollars?|euros?|pounds?|usd|eur|gbp|nok|sek|chf|yen';
const HEDGES: [RegExp, Hedge][] = [
  [/(?:about|around|roughly|approximately|approx\.?|some|~|circa|an estimated)\s*$/i, 'about'],
  [/(?:nearly|almost|close to|just under|under|up to|not quite)\s*$/i, 'under'],
  [/(?:over|more than|just over|upwards of|north of|at least|above)\s*$/i, 'over'],
];

const SMALL: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const WORD = `(?:${Object.keys(SMALL).join('|')}|hundred|thousand|million|billion|trillion|dozen)`;
const PREFIX_CURRENCY = String.raw`(?:(?<cur>[$€£¥]|\b(?:us\$|usd|eur|gbp|nok|sek|chf)\s?))`;

const DIGITS_RE = new RegExp(
  [
    PREFIX_CURRENCY + '?',
    String.raw`(?<![\p{L}\d.,])`,
    String.raw`(?<num>\d+(?:[.,]\d+)*)`,
    String.raw`(?:\s?(?<mag>k|mm|mn|m|bn|b|thousand|million|billion|trillion)(?![\p{L}\d]))?`,
    String.raw`(?:\s?(?<unit>${UNITS_AFTER})(?![\p{L}\d]))?`,
  ].join(''),
  'giu',
);
// "three million", "twenty-five", "a dozen", "half a million"; "a"/"an" only before a magnitude.
const WORDS_RE = new RegExp(
  [
    PREFIX_CURRENCY + '?',
    String.raw`\b(?<words>(?:(?:a|an|half(?: a| an)?)\s+(?=(?:hundred|thousand|million|billion|trillion|dozen)\b))?`,
    String.raw`${WORD}(?:(?:\s+and\s+|[\s-]+)${WORD})*)\b`,
    String.raw`(?:\s?(?<unit>${UNITS_AFTER})(?![\p{L}\d]))?`,
  ].join(''),
  'giu',
);

function unitOf(prefix: string | undefined, after: string | undefined): Unit {
  const a = (after ?? '').toLowerCase();
  if (a === '%' || a === 'percent' || a === 'per cent') return 'percent';
  if (a === 'x' || a === 'times') return 'times';
  const cur = CURRENCIES[(prefix ?? '').trim().toLowerCase()] ?? CURRENCIES[a];
  return cur ? `currency:${cur}` : 'plain';
}

function digitsValue(digits: string): number | undefined {
  // "1,500" groups thousands; "2,5" or "3.5" is a decimal; "10.0.0.1" is not one number.
  if (/^\d{1,3}(,\d{3})+$/.test(digits)) return Number(digits.replace(/,/g, ''));
  if (/^\d{1,3}(\.\d{3}){2,}$/.test(digits)) return Number(digits.replace(/\./g, ''));
  if (/^\d+([.,]\d+)?$/.test(digits)) return Number(digits.replace(',', '.'));
  return undefined;
}

function wordsValue(words: string): number | undefined {
  const parts = words
    .toLowerCase()
    .split(/[\s-]+/)
    .filter((w) => w !== 'and');
  let total = 0;
  let current = 0;
  let half = false;
  for (const w of parts) {
    if (w === 'a' || w === 'an') current = current || 1;
    else if (w === 'half') half = true;
    else if (w in SMALL) current += SMALL[w]!;
    else if (w === 'dozen') current = (current || 1) * 12;
    else if (w === 'hundred') current = (current || 1) * 100;
    else if (w in MAGNITUDES) {
      total += (current || 1) * MAGNITUDES[w]!;
      current = 0;
    } else return undefined;
  }
  const v = total + current;
  return half ? v / 2 : v;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function hedgeBefore(text: string, index: number): Hedge | null {
  const before = text.slice(Math.max(0, index - 24), index);
  for (const [re, hedge] of HEDGES) if (re.test(before)) return hedge;
  return null;
}

/**
 * Every number in `text`, digits or words, with its unit, magnitude and any hedge before it.
 * Small counts in words ("one more thing", "two quick ideas") are how people write, not claims:
 * they are read only with `smallWords` (for the data, so "Six roles" grounds a "6").
 */
export function quantitiesIn(text: string, opts: { smallWords?: boolean } = {}): Quantity[] {
  const out: (Quantity & { index: number; end: number })[] = [];
  for (const m of text.matchAll(DIGITS_RE)) {
    const g = m.groups!;
    const base = digitsValue(g.num!);
    const mag = g.mag ? MAGNITUDES[g.mag.toLowerCase()]! : 1;
    out.push({
      text: m[0].trim(),
      value: base === undefined ? undefined : round(base * mag),
      unit: unitOf(g.cur, g.unit),
      hedge: hedgeBefore(text, m.index),
      index: m.index,
      end: m.index + m[0].length,
    });
  }
  for (const m of text.matchAll(WORDS_RE)) {
    const g = m.groups!;
    if (out.some((q) => m.index < q.end && q.index < m.index + m[0].length)) continue;
    const value = wordsValue(g.words!);
    const unit = unitOf(g.cur, g.unit);
    const claim =
      value !== undefined &&
      (opts.smallWords || value >= 10 || unit !== 'plain' || /dozen|hundred|thousand|illion/i.test(g.words!));
    if (!claim) continue;
    out.push({
      text: m[0].trim(),
      value: round(value),
      unit,
      hedge: hedgeBefore(text, m.index),
      index: m.index,
      end: m.index + m[0].length,
    });
  }
  return out.sort((a, b) => a.index - b.index).map(({ text, value, unit, hedge }) => ({ text, value, unit, hedge }));
}

/** A draft's number may use a data number of the same unit; a bare number may also stand for an amount. */
function compatible(claim: Unit, data: Unit): boolean {
  if (claim === data) return true;
  return claim === 'plain' && data.startsWith('currency:');
}

function close(claim: Quantity, data: number): boolean {
  const stated = claim.value!;
  if (stated === data) return true;
  const within = Math.abs(data - stated) <= Math.abs(stated) * ROUNDING_BOUND;
  if (claim.hedge === 'about') return within;
  if (claim.hedge === 'under') return within && data <= stated;
  if (claim.hedge === 'over') return within && data >= stated;
  return false;
}

/** Whether the data holds this number: same unit, same value (or within the bound its hedge allows). */
export function groundedIn(claim: Quantity, data: Quantity[], literal: string): boolean {
  if (claim.value === undefined) return literal.includes(claim.text.toLowerCase());
  return data.some((d) => d.value !== undefined && compatible(claim.unit, d.unit) && close(claim, d.value));
}
