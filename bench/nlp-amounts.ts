// Does a general NLP library read funding amounts better than our rules (signals/amounts.ts)?
// Issue 18 asks for `compromise` or `wink-nlp` "where it beats regexes". This scores both on the
// frozen headline splits (every item labelled with an amount), per language: an item counts when
// the amount (within 1%) and the ISO currency are both right. compromise is given every benefit:
// its number is scaled by the multiplier word it matched ("M", "million", "bn"…) and its currency
// names are mapped to ISO codes. Run: npx tsx bench/nlp-amounts.ts
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nlp from 'compromise';
import { parseAmount } from '../signals/amounts.js';

interface Item {
  id: string;
  lang: string;
  title: string;
  summary: string;
  amount?: number;
  currency?: string;
}

const dir = path.join(import.meta.dirname, '../signals/eval/data');
const load = (f: string): Item[] =>
  readFileSync(path.join(dir, f), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Item);

const ISO: Record<string, string> = {
  dollar: 'USD',
  $: 'USD',
  euro: 'EUR',
  '€': 'EUR',
  pound: 'GBP',
  '£': 'GBP',
  yen: 'JPY',
};
const SCALE: [RegExp, number][] = [
  [/\b(?:bn|billion|b)\b|\d\s*b\b/i, 1e9],
  [/\b(?:m|mn|million)\b|\d\s*m\b/i, 1e6],
  [/\b(?:k|thousand)\b|\d\s*k\b/i, 1e3],
];

function viaCompromise(text: string): { value: number; currency: string } | null {
  const doc = nlp(text);
  for (const m of doc.money().json() as { text: string; money?: { num?: number; currency?: string } }[]) {
    const num = m.money?.num;
    if (typeof num !== 'number') continue;
    const after = text.slice(text.indexOf(m.text), text.indexOf(m.text) + m.text.length + 12);
    const scale = SCALE.find(([re]) => re.test(after))?.[1] ?? 1;
    const raw = (m.money?.currency ?? '').toLowerCase();
    const currency = ISO[raw] ?? raw.toUpperCase();
    return { value: num * scale, currency };
  }
  return null;
}

const right = (got: { value: number; currency: string } | null, it: Item) =>
  !!got && got.currency === it.currency && Math.abs(got.value - it.amount!) <= it.amount! * 0.01;

for (const split of ['dev', 'test']) {
  const items = load(`headlines.${split}.jsonl`).filter((i) => typeof i.amount === 'number');
  const byLang = new Map<string, { n: number; ours: number; comp: number }>();
  for (const it of items) {
    const text = `${it.title}. ${it.summary}`;
    const row = byLang.get(it.lang) ?? { n: 0, ours: 0, comp: 0 };
    row.n++;
    if (right(parseAmount(text), it)) row.ours++;
    if (right(viaCompromise(text), it)) row.comp++;
    byLang.set(it.lang, row);
  }
  const total = [...byLang.values()].reduce(
    (a, r) => ({ n: a.n + r.n, ours: a.ours + r.ours, comp: a.comp + r.comp }),
    {
      n: 0,
      ours: 0,
      comp: 0,
    },
  );
  console.log(`\n${split} split: ${total.n} items with an amount`);
  console.log('lang  n    rules  compromise');
  for (const [lang, r] of [...byLang].sort())
    console.log(
      `${lang.padEnd(5)} ${String(r.n).padEnd(4)} ${(r.ours / r.n).toFixed(2).padEnd(6)} ${(r.comp / r.n).toFixed(2)}`,
    );
  console.log(
    `all   ${String(total.n).padEnd(4)} ${(total.ours / total.n).toFixed(2).padEnd(6)} ${(total.comp / total.n).toFixed(2)}` +
      `   compromise / rules = ${(total.comp / Math.max(1, total.ours)).toFixed(2)}`,
  );
}
