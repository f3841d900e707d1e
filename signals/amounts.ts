// Money in headlines → a number and an ISO currency: "$20 million", "€15M", "USD 1.2bn",
// "£3.5m", "$500K", "₹250 crore", "20 million dollars". Pure.

export interface Amount {
  value: number;
  currency: string;
  /** The text it was read from. */
  text: string;
  /** Upper end when the text gives a range ("$30M-$50M"). */
  max?: number;
}

const SYMBOLS: Record<string, string> = {
  us$: 'USD',
  $: 'USD',
  usd: 'USD',
  '€': 'EUR',
  eur: 'EUR',
  '£': 'GBP',
  gbp: 'GBP',
  '¥': 'JPY',
  jpy: 'JPY',
  '₹': 'INR',
  inr: 'INR',
  rs: 'INR',
  'rs.': 'INR',
  chf: 'CHF',
  cad: 'CAD',
  c$: 'CAD',
  ca$: 'CAD',
  aud: 'AUD',
  a$: 'AUD',
  au$: 'AUD',
  sgd: 'SGD',
  s$: 'SGD',
  hk$: 'HKD',
  hkd: 'HKD',
  nz$: 'NZD',
  nzd: 'NZD',
  r$: 'BRL',
  brl: 'BRL',
  sek: 'SEK',
  nok: 'NOK',
  dkk: 'DKK',
  cny: 'CNY',
  rmb: 'CNY',
  yuan: 'CNY',
};
const WORD_CURRENCY: Record<string, string> = {
  dollars: 'USD',
  dollar: 'USD',
  euros: 'EUR',
  euro: 'EUR',
  pounds: 'GBP',
  'pounds sterling': 'GBP',
  yen: 'JPY',
  rupees: 'INR',
  usd: 'USD',
  eur: 'EUR',
  gbp: 'GBP',
  chf: 'CHF',
  cad: 'CAD',
  aud: 'AUD',
  sgd: 'SGD',
  inr: 'INR',
  jpy: 'JPY',
  sek: 'SEK',
  nok: 'NOK',
};
const MULTIPLIERS: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  mm: 1e6,
  mln: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  tn: 1e12,
  trillion: 1e12,
  lakh: 1e5,
  lakhs: 1e5,
  crore: 1e7,
  crores: 1e7,
  cr: 1e7,
  // German, French, Spanish, Dutch, Portuguese, Swedish.
  millionen: 1e6,
  'mio.': 1e6,
  mio: 1e6,
  millions: 1e6,
  millones: 1e6,
  millón: 1e6,
  miljoen: 1e6,
  milhões: 1e6,
  milhão: 1e6,
  miljoner: 1e6,
  miljon: 1e6,
  milliarden: 1e9,
  milliarde: 1e9,
  'mrd.': 1e9,
  mrd: 1e9,
  milliard: 1e9,
  milliards: 1e9,
  'mil millones': 1e9,
  miljard: 1e9,
  miljarden: 1e9,
  miljarder: 1e9,
  bilhões: 1e9,
  bilhão: 1e9,
  'mil milhões': 1e9,
};

/** Currency words after a number, longest first ("norska kronor" before "kronor"). */
const WORD_CURRENCY_INTL: [RegExp, string][] = [
  [/^norska kronor/i, 'NOK'],
  [/^danska kronor/i, 'DKK'],
  [/^(?:svenska )?kronor/i, 'SEK'],
  [/^(?:euros?|eur)\b/i, 'EUR'],
  [/^(?:us-)?(?:dollars?|dólares|dólar|dolares|usd)\b/i, 'USD'],
  [/^(?:reais|brl)\b/i, 'BRL'],
  [/^(?:pfund|libras|pounds?|gbp)\b/i, 'GBP'],
  [/^(?:franken|francs suisses|chf)\b/i, 'CHF'],
  [/^(?:yen|jpy)\b/i, 'JPY'],
];
const JA_MULT: Record<string, number> = { 億: 1e8, 千万: 1e7, 百万: 1e6, 万: 1e4 };
const JA_CURRENCY: Record<string, string> = { 円: 'JPY', ドル: 'USD', ユーロ: 'EUR' };

const PREFIX = [
  String.raw`(US\$|HK\$|NZ\$|CA\$|AU\$|C\$|A\$|S\$|R\$|USD|EUR|GBP|CHF|JPY|INR|CAD|AUD|SGD|SEK|NOK|DKK|BRL|CNY|RMB|`,
  String.raw`HKD|NZD|Rs\.?|\$|€|£|¥|₹)`,
].join('');
// "5,5" is five and a half in most of Europe; "2,500" is two thousand five hundred.
const NUM = String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d{1,2}(?!\d))?)`;
const MULT_INTL = [
  String.raw`millionen|mio\.|mio|millions|millones|millón|miljoen|milhões|milhão|miljoner|miljon|milliarden|milliarde|`,
  String.raw`mrd\.|mrd|milliards|milliard|mil millones|miljarden|miljarder|miljard|bilhões|bilhão|mil milhões`,
].join('');
const MULT = String.raw`(${MULT_INTL}|thousand|million|billion|trillion|crores?|lakhs?|mln|mn|mm|bn|tn|cr|k|m|b)`;
const SUFFIX = String.raw`(pounds sterling|dollars?|euros?|pounds|yen|rupees|USD|EUR|GBP|CHF|CAD|AUD|SGD|INR|JPY|SEK|NOK)`;
const END = String.raw`(?![\p{L}\p{N}])`;

const PREFIXED = new RegExp(
  String.raw`(?<![\p{L}\p{N}])${PREFIX}\s?${NUM}(?:\s?${MULT}${END})?(?:\s?(?:-|–|to)\s?(?:${PREFIX})?\s?${NUM}\s?${MULT}?${END})?`,
  'giu',
);
const SUFFIXED = new RegExp(String.raw`(?<![\p{L}\p{N}$€£])${NUM}\s?${MULT}\s${SUFFIX}${END}`, 'giu');

const num = (s: string) => Number(/,\d{1,2}$/.test(s) ? s.replace(',', '.') : s.replace(/,/g, ''));
const INTL = new RegExp(
  String.raw`(?<![\p{L}\p{N}$€£])${NUM}\s?(${MULT_INTL}|million|billion|bn|mn)(?![\p{L}\p{N}])\s*(?:de\s+|d['’]\s*)?`,
  'giu',
);
const JA = /(\d+(?:\.\d+)?)(億|千万|百万|万)?(円|ドル|ユーロ)/gu;
const round = (n: number) => Math.round(n * 100) / 100;

/** Every amount in the text, in order of appearance. */
export function findAmounts(text: string): (Amount & { index: number })[] {
  const out: (Amount & { index: number })[] = [];
  for (const m of text.matchAll(PREFIXED)) {
    const [whole, cur, n, mult, , n2, mult2] = m;
    const currency = SYMBOLS[cur!.toLowerCase()];
    if (!currency) continue;
    const factor = MULTIPLIERS[(mult ?? mult2 ?? '').toLowerCase()] ?? 1;
    const value = round(num(n!) * factor);
    // A bare "$5" in a headline is a price, not a round.
    if (!mult && !mult2 && value < 10_000) continue;
    const a: Amount & { index: number } = { value, currency, text: whole.trim(), index: m.index! };
    if (n2) a.max = round(num(n2) * (MULTIPLIERS[(mult2 ?? mult ?? '').toLowerCase()] ?? 1));
    out.push(a);
  }
  for (const m of text.matchAll(SUFFIXED)) {
    if (out.some((a) => m.index! >= a.index && m.index! < a.index + a.text.length)) continue;
    const [whole, n, mult, word] = m;
    const currency = WORD_CURRENCY[word!.toLowerCase()];
    if (currency)
      out.push({ value: round(num(n!) * MULTIPLIERS[mult!.toLowerCase()]!), currency, text: whole, index: m.index! });
  }
  const taken = (i: number) => out.some((a) => i >= a.index && i < a.index + a.text.length);
  for (const m of text.matchAll(INTL)) {
    if (taken(m.index!)) continue;
    const rest = text.slice(m.index! + m[0].length);
    const cur = WORD_CURRENCY_INTL.find(([re]) => re.test(rest));
    if (!cur) continue;
    const word = cur[0].exec(rest)![0];
    const value = round(num(m[1]!) * MULTIPLIERS[m[2]!.toLowerCase()]!);
    out.push({ value, currency: cur[1], text: m[0] + word, index: m.index! });
  }
  for (const m of text.matchAll(JA)) {
    const value = round(Number(m[1]) * (m[2] ? JA_MULT[m[2]]! : 1));
    if (value >= 10_000) out.push({ value, currency: JA_CURRENCY[m[3]!]!, text: m[0], index: m.index! });
  }
  return out.sort((a, b) => a.index - b.index);
}

const VALUATION_AFTER =
  /^\s*(?:post-money |pre-money )?(?:valuation|market (?:cap|value)|in (?:annual )?(?:revenue|sales|arr)|arr|revenue)/i;
const VALUATION_BEFORE =
  /(?:valu(?:ed|ation) (?:of|at)|worth|revenue of|arr of|at an?|for)\s*(?:about |around |roughly |nearly |over |more than )?$/i;

/** The amount raised: the first one that is not a valuation, revenue or purchase price. */
export function parseAmount(text: string): Amount | null {
  for (const a of findAmounts(text)) {
    const after = text.slice(a.index + a.text.length, a.index + a.text.length + 40);
    const before = text.slice(Math.max(0, a.index - 30), a.index);
    if (VALUATION_AFTER.test(after) || VALUATION_BEFORE.test(before)) continue;
    const { index: _i, ...rest } = a;
    return rest;
  }
  return null;
}
