import { describe, expect, it } from 'vitest';
import { findAmounts, parseAmount } from '../../signals/amounts.js';
import { parseInvestors, parseRound } from '../../signals/funding-facts.js';

describe('amounts', () => {
  it.each([
    ['$20 million', 20e6, 'USD'],
    ['€15M', 15e6, 'EUR'],
    ['USD 1.2bn', 1.2e9, 'USD'],
    ['£3.5m', 3.5e6, 'GBP'],
    ['$500K', 500e3, 'USD'],
    ['$1.25 billion', 1.25e9, 'USD'],
    ['US$40 million', 40e6, 'USD'],
    ['CHF 10 million', 10e6, 'CHF'],
    ['₹250 crore', 2.5e9, 'INR'],
    ['Rs 50 lakh', 5e6, 'INR'],
    ['A$40m', 40e6, 'AUD'],
    ['C$45M', 45e6, 'CAD'],
    ['¥3 billion', 3e9, 'JPY'],
    ['20 million dollars', 20e6, 'USD'],
    ['12 million euros', 12e6, 'EUR'],
    ['$2,500,000', 2.5e6, 'USD'],
    ['NOK 150 million', 150e6, 'NOK'],
  ])('reads %s', (text, value, currency) => {
    expect(parseAmount(`Acme raises ${text} to grow`)).toMatchObject({ value, currency });
  });

  it('reads ranges and keeps the upper end', () => {
    expect(parseAmount('Heron Power is raising $30M-$50M')).toMatchObject({ value: 30e6, max: 50e6, currency: 'USD' });
  });

  it('skips valuations, revenue and prices', () => {
    expect(parseAmount('Acme raises $100M at a $2B valuation')).toMatchObject({ value: 100e6 });
    expect(parseAmount('Acme, valued at $2 billion, raises $100M')).toMatchObject({ value: 100e6 });
    expect(parseAmount('Acme passes $50M in annual revenue')).toBeNull();
    expect(parseAmount('Coffee now costs $5 at Acme')).toBeNull();
  });

  it('does not read currency codes inside words', () => {
    expect(findAmounts('Acme users 500m strong; Europe 2030')).toEqual([]);
    expect(findAmounts('Smart homes grow 20 more')).toEqual([]);
  });
});

describe('rounds and investors', () => {
  it.each([
    ['closes pre-seed round', 'pre-seed'],
    ['raises $3M seed', 'seed'],
    ['Series A', 'series_a'],
    ['a Series H round', 'series_h'],
    ['Series B-2 extension', 'series_b'],
    ['growth equity investment', 'growth'],
    ['venture debt facility', 'debt'],
    ['receives NSF grant', 'grant'],
  ])('%s → %s', (text, round) => {
    expect(parseRound(text)).toBe(round);
  });

  it('finds lead and other investors', () => {
    const r = parseInvestors(
      'Acme raised $20M in a round led by Sequoia Capital and Index Ventures, with participation from Y Combinator, SV Angel and Elad Gil.',
    );
    expect(r.lead).toEqual(['Sequoia Capital', 'Index Ventures']);
    expect(r.others).toEqual(['Y Combinator', 'SV Angel', 'Elad Gil']);
  });
});
