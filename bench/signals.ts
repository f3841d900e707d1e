// Account matching at scale: 10,000 feed items against 50,000 accounts, compared with merely
// parsing the same items from RSS (and, on a sample, with the naive every-item × every-account
// scan the index replaces). Run: npx tsx bench/signals.ts [items] [accounts]
import { performance } from 'node:perf_hooks';
import { classify } from '../signals/classify.js';
import { buildIndex, matchItem, normalizeName, type MatchAccount } from '../signals/match.js';
import { parseFeed } from '../signals/sources/feed.js';

const ITEMS = Number(process.argv[2] ?? 10_000);
const ACCOUNTS = Number(process.argv[3] ?? 50_000);

// A deterministic generator, so runs are comparable.
let seed = 42;
const rand = () => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;

const A = [
  'North',
  'Bright',
  'Kestrel',
  'Lumen',
  'Fjord',
  'Tessel',
  'Orchid',
  'Quarry',
  'Sakura',
  'Banyan',
  'Coral',
  'Pine',
  'Atlas',
  'Meridian',
  'Helix',
  'Vantage',
  'Cobalt',
  'Summit',
  'Nimbus',
  'Granite',
  'Azure',
  'Ember',
  'Falcon',
  'Harbor',
  'Ion',
  'Juniper',
  'Keystone',
  'Lattice',
  'Mosaic',
  'Nova',
];
const B = [
  'wind',
  'path',
  'stone',
  'field',
  'gate',
  'light',
  'bridge',
  'works',
  'line',
  'point',
  'forge',
  'wave',
  'crest',
  'leaf',
  'peak',
];
const C = [
  'Analytics',
  'Logistics',
  'Robotics',
  'Health',
  'Payments',
  'Data',
  'Bio',
  'Security',
  'Commerce',
  'Learning',
  'Energy',
  'Software',
  'Freight',
  'Insurance',
  'Materials',
  'Cloud',
  'Media',
  'AI',
  'Legal',
  'Labs',
];
const SUFFIX = ['', '', '', ' Inc.', ' GmbH', ' Ltd', ' LLC', ' SAS'];

const D = [
  '',
  'Systems',
  'Group',
  'Partners',
  'Technologies',
  'Networks',
  'Studio',
  'Works',
  'Holdings',
  'Collective',
  'Dynamics',
  'Solutions',
];
const accounts: MatchAccount[] = [];
const seen = new Set<string>();
for (let i = 0; accounts.length < ACCOUNTS; i++) {
  const base = `${pick(A)}${pick(B)} ${pick(C)} ${pick(D)}`.trim();
  // About 1 in 100 shares a name with another account (two "Mercury"s), as real lists do.
  if (seen.has(normalizeName(base)) && rand() > 0.01) continue;
  seen.add(normalizeName(base));
  const name = base + pick(SUFFIX);
  accounts.push({
    id: accounts.length + 1,
    name,
    domain: i % 3 === 0 ? `${normalizeName(name).replace(/\s+/g, '-')}-${i}.example` : null,
    aliases: i % 11 === 0 ? [`${name.split(' ')[0]} Group`] : [],
  });
}

const TEMPLATES = [
  '%s raises $%dM Series B led by Foundry Peak',
  '%s appoints Jane Doe as Chief Revenue Officer',
  '%s expands into Germany with Berlin office',
  '%s is hiring 40 sales reps',
  '%s partners with Initech on logistics',
  'Why %s matters for the future of work',
  '%s unveils a new platform for teams',
];
const items = Array.from({ length: ITEMS }, (_, i) => {
  const who =
    rand() < 0.6
      ? accounts[Math.floor(rand() * accounts.length)]!.name.replace(/ (Inc\.|GmbH|Ltd|LLC|SAS)$/, '')
      : `Unknown Startup ${i}`;
  const title = pick(TEMPLATES)
    .replace('%s', who)
    .replace('%d', String(5 + (i % 90)));
  return {
    title,
    summary: `In a statement, ${who} said the move follows strong demand from customers across Europe and North America.`,
    url: `https://news.example/${i}`,
    links: [] as string[],
  };
});

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title><link>https://news.example/</link>${items
  .map(
    (it, i) =>
      `<item><title>${esc(it.title)}</title><link>${it.url}</link><guid>${i}</guid>` +
      `<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>${esc(it.summary)}</description></item>`,
  )
  .join('')}</channel></rss>`;

/** Median of three runs: the machines are noisy, and parse and match alternate so both see the same noise. */
const time = async <T>(fn: () => T | Promise<T>, runs = 3): Promise<[T, number]> => {
  let r: T | undefined;
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    r = await fn();
    ms.push(performance.now() - t);
  }
  return [r!, ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!];
};

const now = new Date('2026-03-03T00:00:00Z');
await parseFeed(xml.slice(0, 20_000) + '</channel></rss>', 'https://news.example/', { now }).catch(() => []); // warm-up
const [parsed, parseMs] = await time(() => parseFeed(xml, 'https://news.example/', { now }));
const [index, buildMs] = await time(() => buildIndex(accounts));
const [results, matchMs] = await time(() => parsed.map((it) => matchItem(index, { ...it, subject: null })));
const [, classifyMs] = await time(() => parsed.map((it) => classify(it.title, it.summary)));

// The scan the index avoids, on a sample: every account's name tested against every item.
const SAMPLE = Math.min(50, parsed.length);
const patterns = accounts.map(
  (a) => new RegExp(`\\b${normalizeName(a.name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`),
);
const [, naiveMs] = await time(
  () => parsed.slice(0, SAMPLE).map((it) => patterns.filter((p) => p.test(normalizeName(it.title))).length),
  1,
);

const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);
const matched = results.filter((r) => r.status === 'matched').length;
const lines = [
  `accounts ${accounts.length}, items ${parsed.length} (matched ${matched}, ` +
    `ambiguous ${results.filter((r) => r.status === 'ambiguous').length}, ` +
    `unmatched ${results.filter((r) => r.status === 'unmatched').length})`,
  `parse RSS     ${parseMs.toFixed(0).padStart(7)} ms  ${perSec(parsed.length, parseMs).toLocaleString('en').padStart(10)} items/s`,
  `build index   ${buildMs.toFixed(0).padStart(7)} ms  (once per batch; cached per workspace until accounts change)`,
  `match         ${matchMs.toFixed(0).padStart(7)} ms  ${perSec(parsed.length, matchMs).toLocaleString('en').padStart(10)} items/s   ` +
    `time ratio match/parse ${(matchMs / parseMs).toFixed(3)}`,
  `match + index ${(matchMs + buildMs).toFixed(0).padStart(7)} ms  ratio to parse ${((matchMs + buildMs) / parseMs).toFixed(3)}`,
  `classify      ${classifyMs.toFixed(0).padStart(7)} ms  ` +
    `${perSec(parsed.length, classifyMs).toLocaleString('en').padStart(10)} items/s   ratio to parse ${(classifyMs / parseMs).toFixed(3)}`,
  `naive scan    ${perSec(SAMPLE, naiveMs).toLocaleString('en').padStart(19)} items/s   ` +
    `(every account × every item, ${SAMPLE}-item sample): ` +
    `index is ${(naiveMs / SAMPLE / (matchMs / parsed.length)).toFixed(0)}× faster`,
];
process.stdout.write(lines.join('\n') + '\n');
