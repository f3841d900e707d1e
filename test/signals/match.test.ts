import { describe, expect, it } from 'vitest';
import {
  buildIndex,
  matchItem,
  nameCandidates,
  normalizeName,
  type MatchAccount,
  type MatchInput,
} from '../../signals/match.js';

const accounts: MatchAccount[] = [
  { id: 1, name: 'Notion', domain: 'notion.so', aliases: [] },
  { id: 2, name: 'Apple', domain: 'apple.com', aliases: [] },
  { id: 3, name: 'Lumen Health GmbH', domain: 'lumen-health.example', aliases: ['Lumen'] },
  { id: 4, name: 'Société Générale S.A.', domain: 'societegenerale.example', aliases: [] },
  { id: 5, name: 'Mercury', domain: 'mercury.com', aliases: [] },
  { id: 6, name: 'Mercury', domain: 'mercury-insurance.example', aliases: [] },
  { id: 7, name: 'The Trade Desk, Inc.', domain: 'thetradedesk.com', aliases: [] },
  { id: 8, name: 'AT&T Inc.', domain: 'att.com', aliases: [] },
  { id: 9, name: 'Globex Corporation', domain: 'globex.example', aliases: [] },
  { id: 10, name: 'Acme Robotics', domain: 'acme-robotics.example', aliases: [] },
  { id: 11, name: 'Acme', domain: 'acme.example', aliases: [] },
  { id: 12, name: 'Brightpath Logistics', domain: 'brightpath.example', aliases: [] },
];
const idx = buildIndex(accounts);
const item = (title: string, extra: Partial<MatchInput> = {}): MatchInput => ({
  title,
  summary: '',
  url: null,
  links: [],
  ...extra,
});

describe('account matching', () => {
  it('normalises legal suffixes, punctuation, case and diacritics', () => {
    expect(normalizeName('Lumen Health GmbH')).toBe('lumen health');
    expect(normalizeName('Société Générale S.A.')).toBe('societe generale');
    expect(normalizeName('The Trade Desk, Inc.')).toBe('trade desk');
    expect(normalizeName('AT&T Inc.')).toBe('at and t');
  });

  it('matches on word boundaries only', () => {
    expect(matchItem(idx, item('Notion raises $275M'))).toMatchObject({ status: 'matched', accountId: 1 });
    expect(matchItem(idx, item('Five lessons from a notion of product-led growth'))).toMatchObject({
      status: 'unmatched',
    });
    expect(matchItem(idx, item('Pineapple growers adopt drones'))).toMatchObject({ status: 'unmatched' });
    expect(matchItem(idx, item('Applebee’s opens 30 restaurants'))).toMatchObject({ status: 'unmatched' });
    expect(matchItem(idx, item('Why Apple’s new phone matters'))).toMatchObject({ status: 'matched', accountId: 2 });
  });

  it('matches names written differently from the account record', () => {
    expect(matchItem(idx, item('LUMEN HEALTH closes €12M Series A'))).toMatchObject({
      status: 'matched',
      accountId: 3,
    });
    expect(matchItem(idx, item('Societe Generale partners with Acme'))).toMatchObject({
      status: 'matched',
      accountId: 4,
    });
    expect(matchItem(idx, item('Trade Desk shares jump'))).toMatchObject({ status: 'matched', accountId: 7 });
    expect(matchItem(idx, item('AT&T to cut 1,000 jobs'))).toMatchObject({ status: 'matched', accountId: 8 });
    expect(matchItem(idx, item('Lumen opens Munich office'))).toMatchObject({
      status: 'matched',
      accountId: 3,
      via: 'alias',
    });
  });

  it('prefers the longest name: "Acme Robotics" is not "Acme"', () => {
    expect(matchItem(idx, item('Acme Robotics lands $42M Series B'))).toMatchObject({
      status: 'matched',
      accountId: 10,
    });
    expect(matchItem(idx, item('Acme launches a new anvil'))).toMatchObject({ status: 'matched', accountId: 11 });
  });

  it('marks two accounts with the same name ambiguous, unless a domain in the item settles it', () => {
    const amb = matchItem(idx, item('Mercury raises $300M Series C'));
    expect(amb.status).toBe('ambiguous');
    expect(amb.status === 'ambiguous' && amb.candidates.map((c) => c.accountId).sort()).toEqual([5, 6]);
    expect(
      matchItem(idx, item('Mercury raises $300M Series C', { links: ['https://mercury.com/blog/series-c'] })),
    ).toMatchObject({ status: 'matched', accountId: 5, via: 'domain' });
  });

  it('matches by domain: the item URL, a link, a subdomain', () => {
    expect(
      matchItem(idx, item('We are growing', { url: 'https://blog.brightpath.example/2026/growing' })),
    ).toMatchObject({ status: 'matched', accountId: 12, via: 'domain' });
    expect(matchItem(idx, item('Quarterly update', { links: ['https://www.globex.example/news'] }))).toMatchObject({
      status: 'matched',
      accountId: 9,
    });
  });

  it('takes the headline subject first and lists the other accounts named', () => {
    const r = matchItem(idx, item('Globex Corporation acquires Acme Robotics', { subject: 'Globex Corporation' }));
    expect(r).toMatchObject({ status: 'matched', accountId: 9 });
    expect(r.status === 'matched' && r.others.map((c) => c.accountId)).toEqual([10]);
  });

  it('uses the source’s account and a stated company before reading the text', () => {
    expect(matchItem(idx, item('We are hiring', { accountId: 12 }))).toMatchObject({
      status: 'matched',
      accountId: 12,
      via: 'source',
    });
    expect(matchItem(idx, item('Jane Doe joined', { company: { name: 'Globex Corp.' } }))).toMatchObject({
      status: 'matched',
      accountId: 9,
    });
    expect(matchItem(idx, item('Jane Doe joined', { company: { name: 'Initech' } }))).toMatchObject({
      status: 'unmatched',
      company: 'Initech',
    });
  });

  it('keeps the company of an unmatched item for "add as account?"', () => {
    expect(matchItem(idx, item('Zephyr Labs raises $5M seed', { subject: 'Zephyr Labs' }))).toEqual({
      status: 'unmatched',
      company: 'Zephyr Labs',
    });
  });

  it('finds names in the summary when the title has none', () => {
    expect(
      matchItem(idx, item('Weekly funding roundup', { summary: 'This week Brightpath Logistics raised $3M.' })),
    ).toMatchObject({ status: 'matched', accountId: 12 });
  });

  it('walks each text once: candidates come from a trie, not from every account', () => {
    const many = buildIndex(
      Array.from({ length: 20_000 }, (_, i) => ({ id: i + 1, name: `Company ${i} Labs`, domain: null, aliases: [] })),
    );
    expect(many.size).toBe(20_000);
    expect(nameCandidates(many, 'Company 19999 Labs raises money')).toMatchObject([{ accountId: 20_000 }]);
  });
});
