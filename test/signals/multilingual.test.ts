// The multilingual rules on the dev split of our own labelled headlines (signals/eval/data),
// plus the traps one by one. The frozen test split is scored by `npm run eval:signals` only.
import { describe, expect, it } from 'vitest';
import { acquisitionParties } from '../../signals/acquisition.js';
import { classify } from '../../signals/classify.js';
import { TYPES, loadAccounts, loadHeadlines, predict } from '../../signals/eval/headlines.js';
import { perLabel } from '../../signals/eval/score.js';
import { buildIndex, matchItem } from '../../signals/match.js';

const { accounts } = loadAccounts();
const idx = buildIndex(accounts);
const rows = loadHeadlines('dev').map((c) => ({ c, p: predict(c, idx) }));

describe('headline evaluation, dev split', () => {
  it('types: precision >= 0.95 and recall >= 0.9 for each type', () => {
    const scores = perLabel(
      rows.map(({ c, p }) => ({ gold: c.type, predicted: p.type })),
      TYPES,
    );
    for (const s of scores) {
      expect(s.precision, s.label).toBeGreaterThanOrEqual(0.95);
      expect(s.recall, s.label).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('amount + currency >= 0.95 of funding items; account precision >= 0.98', () => {
    const funding = rows.filter(({ c, p }) => c.type === 'funding' && p.type === 'funding');
    const money = funding.filter(({ c, p }) => p.amount === (c.amount ?? null) && p.currency === (c.currency ?? null));
    expect(money.length / funding.length).toBeGreaterThanOrEqual(0.95);
    const said = rows.filter(({ p }) => p.account);
    expect(said.filter(({ c, p }) => p.account === c.account).length / said.length).toBeGreaterThanOrEqual(0.98);
  });
});

describe('traps', () => {
  it.each([
    ['Kestrel Analytics in talks to raise up to $60 million, sources say', 'rumour'],
    ['Vinterhav uppges vara i samtal om ny finansiering', 'rumour'],
    ['ミナトテック、追加の資金調達を検討か', 'rumour'],
    ['Northgate Ventures closes $300 million third fund', 'fund_close'],
    ['Earlybird schließt Wachstumsfonds mit 500 Millionen Euro', 'fund_close'],
    ['Meridian Pay reports $80 million in annual revenue, up 40%', 'other'],
    ['Orbit cuts 30 jobs in its Dublin office', 'layoffs'],
    ['ヒカリクラウド、希望退職を募集 30人', 'layoffs'],
  ])('%s → news/%s', (title, subtype) => {
    expect(classify(title)).toMatchObject({ type: 'news', subtype });
  });

  it('a round mentioned in a clause is not new funding', () => {
    expect(classify('Quill, which raised $32M last year, names Ana Costa chief financial officer').type).toBe(
      'job_change',
    );
    expect(classify('Helio Grid, 2024 mit 45 Millionen Dollar finanziert, eröffnet Büro in Berlin').type).toBe('news');
    expect(classify('昨年10億円を調達したフードテックのミール、新サービスを開始').type).toBe('news');
  });

  it('reads amounts written the way each language writes them', () => {
    expect(classify('Kölner Startup Bauklar sichert sich 7,5 Millionen Euro').facts).toMatchObject({
      amount: 7.5e6,
      currency: 'EUR',
    });
    expect(classify('Bergen Systems tar in 90 miljoner norska kronor').facts).toMatchObject({
      amount: 90e6,
      currency: 'NOK',
    });
    expect(classify('ミナトテック、シリーズBで12億円を調達').facts).toMatchObject({ amount: 1.2e9, currency: 'JPY' });
  });

  it('acquisitions in both directions', () => {
    expect(acquisitionParties('Peregrine Security acquired by Castellan Group for $210 million')).toEqual({
      acquirer: 'Castellan Group',
      target: 'Peregrine Security',
    });
    expect(acquisitionParties('Kestrel Analytics acquires Berlin forecasting startup Prognos')).toEqual({
      acquirer: 'Kestrel Analytics',
      target: 'Prognos',
    });
    expect(acquisitionParties('Granite Labs wird von Oracle übernommen')).toEqual({
      acquirer: 'Oracle',
      target: 'Granite Labs',
    });
    expect(acquisitionParties('ヒカリクラウド、NTTスマートコネクトが買収')).toEqual({
      acquirer: 'NTTスマートコネクト',
      target: 'ヒカリクラウド',
    });
  });

  it('a name that is also a word, a place or a surname needs a company cue, and says which', () => {
    const match = (title: string) => matchItem(idx, { title, summary: '', url: null, links: [] });
    expect(match('Heavy rain floods streets in Bergen').status).toBe('unmatched');
    expect(match('Beacon Street Capital opens in Boston').status).toBe('unmatched');
    expect(match('Sarah Hartley named chief executive of Bluefin Logistics').status).toBe('unmatched');
    expect(match('Die Amsel ist Vogel des Jahres 2027').status).toBe('unmatched');
    expect(match('Harbor lands $12M to expand in Europe')).toMatchObject({
      status: 'matched',
      candidates: [{ why: 'verb of business ("lands")' }],
    });
    expect(match('Amsel GmbH appoints Jonas Weber as chief revenue officer')).toMatchObject({
      candidates: [{ why: 'legal suffix' }],
    });
    expect(match('Delgado Labs acquires restaurant analytics tool Mesa')).toMatchObject({
      candidates: [{ why: 'alias (full name)' }],
    });
  });
});
