// Precision and recall per signal type on labelled real-world-style headlines with the
// expected type and key facts: headlines.jsonl (the set the rules were written against) and
// headlines-holdout.jsonl (written afterwards; see test/fixtures/signals/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../signals/classify.js';

interface Labelled {
  text: string;
  type: string;
  subtype?: string;
  round?: string | null;
  amount?: number | null;
  currency?: string | null;
  lead?: string[];
  person?: string;
  newTitle?: string;
}

const load = (f: string): Labelled[] =>
  readFileSync(new URL(`../fixtures/signals/${f}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Labelled);
const rows = [...load('headlines.jsonl'), ...load('headlines-holdout.jsonl')];
const TYPES = ['funding', 'job_change', 'news', 'hiring', 'acquisition'];
const results = rows.map((r) => ({ r, c: classify(r.text) }));

function score(type: string) {
  const tp = results.filter(({ r, c }) => r.type === type && c.type === type).length;
  const fp = results.filter(({ r, c }) => r.type !== type && c.type === type).length;
  const fn = results.filter(({ r, c }) => r.type === type && c.type !== type).length;
  return { precision: tp / (tp + fp || 1), recall: tp / (tp + fn || 1), n: tp + fn };
}

describe('classification on the labelled headline set', () => {
  it('has at least 150 labelled headlines covering every type', () => {
    expect(rows.length).toBeGreaterThanOrEqual(150);
    for (const t of TYPES)
      expect(rows.filter((r) => r.type === t).length).toBeGreaterThanOrEqual(t === 'acquisition' ? 10 : 15);
  });

  it.each(TYPES)('%s: precision and recall at least 0.9', (type) => {
    const s = score(type);
    process.stdout.write(
      `classify ${type.padEnd(10)} n=${s.n} precision=${s.precision.toFixed(3)} recall=${s.recall.toFixed(3)}\n`,
    );
    expect(s.precision).toBeGreaterThanOrEqual(0.9);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('news subtypes are right for at least 90% of news headlines', () => {
    const news = results.filter(({ r }) => r.type === 'news' && r.subtype);
    const right = news.filter(({ r, c }) => c.type === 'news' && c.subtype === r.subtype).length;
    process.stdout.write(`classify news subtypes ${right}/${news.length}\n`);
    expect(right / news.length).toBeGreaterThanOrEqual(0.9);
  });

  it('funding facts (round, amount, currency, lead) match for at least 90% of funding headlines', () => {
    const funding = results.filter(({ r, c }) => r.type === 'funding' && c.type === 'funding');
    const right = funding.filter(
      ({ r, c }) =>
        (!('round' in r) || c.facts.round === r.round) &&
        (!('amount' in r) || c.facts.amount === r.amount) &&
        (!('currency' in r) || c.facts.currency === r.currency) &&
        (!r.lead || JSON.stringify(c.facts.leadInvestors) === JSON.stringify(r.lead)),
    ).length;
    process.stdout.write(`classify funding facts ${right}/${funding.length}\n`);
    expect(right / funding.length).toBeGreaterThanOrEqual(0.9);
  });

  it('job-change facts (person, new title) match for at least 90% of labelled ones', () => {
    const jc = results.filter(
      ({ r, c }) => r.type === 'job_change' && c.type === 'job_change' && (r.person || r.newTitle),
    );
    const right = jc.filter(
      ({ r, c }) => (!r.person || c.facts.person === r.person) && (!r.newTitle || c.facts.newTitle === r.newTitle),
    ).length;
    process.stdout.write(`classify job-change facts ${right}/${jc.length}\n`);
    expect(right / jc.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('classification details', () => {
  it('reads an SEC EDGAR Form D entry as a funding notice with the issuer', () => {
    const c = classify('D - Lumen Health Holdings Inc (0001999001) (Filer)');
    expect(c).toMatchObject({
      type: 'funding',
      subtype: 'form_d',
      facts: { company: 'Lumen Health Holdings Inc', cik: '0001999001' },
    });
  });

  it('falls back to the summary when the title says nothing', () => {
    const c = classify(
      'Big news from the Acme team',
      'Acme has raised $12 million in a Series A led by Balderton Capital.',
    );
    expect(c).toMatchObject({
      type: 'funding',
      subtype: 'series_a',
      facts: { amount: 12e6, currency: 'USD', round: 'series_a', leadInvestors: ['Balderton Capital'] },
    });
  });

  it('marks an item no rule recognised as a fallback', () => {
    expect(classify('Our favourite recipes of the year')).toMatchObject({
      type: 'news',
      subtype: 'other',
      basis: 'fallback',
    });
  });
});
