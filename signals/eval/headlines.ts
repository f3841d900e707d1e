// `npm run eval:signals`: the rules against our own labelled headlines (signals/eval/data, see
// its README): type precision/recall per type, amount + currency, account matching, by
// language and by trap. Scores the frozen test split unless `--split dev`; `--misses` (dev
// only) lists what went wrong.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { roleOf } from '../acquisition.js';
import { classify } from '../classify.js';
import { buildIndex, matchItem, type MatchAccount } from '../match.js';
import { evalArgs, labelTable, perLabel, ratio, table } from './score.js';

export interface HeadlineCase {
  id: string;
  lang: string;
  style: string;
  title: string;
  summary: string;
  type: string;
  amount?: number;
  currency?: string;
  account?: string;
  role?: 'acquirer' | 'target';
  acquirer?: string;
  target?: string;
  competitor?: string;
  trap?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const TYPES = ['funding', 'hiring', 'job_change', 'acquisition', 'news'] as const;

export function loadHeadlines(split: 'dev' | 'test'): HeadlineCase[] {
  return readFileSync(path.join(here, 'data', `headlines.${split}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HeadlineCase);
}

export function loadAccounts(): { accounts: MatchAccount[]; competitors: string[] } {
  return JSON.parse(readFileSync(path.join(here, 'data', 'accounts.json'), 'utf8'));
}

export interface Prediction {
  type: string;
  amount: number | null;
  currency: string | null;
  account: string | null;
  role: string | null;
}

export function predict(c: HeadlineCase, idx: ReturnType<typeof buildIndex>): Prediction {
  const k = classify(c.title, c.summary);
  const m = matchItem(idx, {
    title: c.title,
    summary: c.summary,
    url: null,
    links: [],
    subject: typeof k.facts.company === 'string' ? k.facts.company : null,
    titleOnly: k.subtype === 'fund_close',
  });
  const matched = m.status === 'matched' ? idx.byId.get(m.accountId)! : null;
  const account = matched?.name ?? null;
  const f = k.facts as { acquirer?: string | null; target?: string | null };
  const role =
    matched && k.type === 'acquisition'
      ? roleOf({ acquirer: f.acquirer ?? null, target: f.target ?? null }, [matched.name, ...matched.aliases])
      : null;
  return {
    type: k.type,
    amount: typeof k.facts.amount === 'number' ? k.facts.amount : null,
    currency: typeof k.facts.currency === 'string' ? k.facts.currency : null,
    account,
    role,
  };
}

function main() {
  const { split, misses } = evalArgs(process.argv.slice(2));
  const cases = loadHeadlines(split);
  const { accounts } = loadAccounts();
  const idx = buildIndex(accounts);
  const rows = cases.map((c) => ({ c, p: predict(c, idx) }));
  const out: string[] = [`Headlines, ${split} split: ${cases.length} items\n`];

  out.push(
    labelTable(
      perLabel(
        rows.map(({ c, p }) => ({ gold: c.type, predicted: p.type })),
        TYPES,
      ),
      {
        precision: 0.95,
        recall: 0.9,
      },
    ),
  );

  const funding = rows.filter(({ c }) => c.type === 'funding');
  const money = (r: (typeof rows)[number]) =>
    r.p.amount === (r.c.amount ?? null) && r.p.currency === (r.c.currency ?? null);
  const typedFunding = funding.filter((r) => r.p.type === 'funding');
  const withAccount = rows.filter((r) => r.p.account);
  const goldAccount = rows.filter((r) => r.c.account);
  const roles = rows.filter((r) => r.c.role && r.p.account === r.c.account && r.p.type === 'acquisition');
  out.push(
    '',
    table(
      ['measure', 'value', 'goal'],
      [
        [
          'amount + currency, funding items typed funding',
          ratio(typedFunding.filter(money).length, typedFunding.length),
          '0.95',
        ],
        ['amount + currency, all funding items', ratio(funding.filter(money).length, funding.length), ''],
        [
          'account match precision',
          ratio(withAccount.filter((r) => r.p.account === r.c.account).length, withAccount.length),
          '0.98',
        ],
        [
          'account match recall',
          ratio(goldAccount.filter((r) => r.p.account === r.c.account).length, goldAccount.length),
          '',
        ],
        [
          'acquisition role of the matched account',
          ratio(roles.filter((r) => r.p.role === r.c.role).length, roles.length),
          '',
        ],
      ],
    ),
  );

  const group = (key: (c: HeadlineCase) => string | undefined) => {
    const g = new Map<string, typeof rows>();
    for (const r of rows) {
      const k = key(r.c);
      if (k) g.set(k, [...(g.get(k) ?? []), r]);
    }
    return [...g.entries()].map(([k, rs]) => [
      k,
      ratio(rs.filter((r) => r.p.type === r.c.type).length, rs.length),
      ratio(rs.filter((r) => r.p.account === (r.c.account ?? null)).length, rs.length),
    ]);
  };
  out.push(
    '',
    table(
      ['language', 'type right', 'account right'],
      group((c) => c.lang),
    ),
  );
  out.push(
    '',
    table(
      ['trap', 'type right', 'account right'],
      group((c) => c.trap),
    ),
  );

  if (misses) {
    out.push('', 'Misses:');
    for (const { c, p } of rows) {
      const wrong = [
        p.type !== c.type && `type ${p.type} (want ${c.type})`,
        c.type === 'funding' && !money({ c, p }) && `amount ${p.amount} ${p.currency} (want ${c.amount} ${c.currency})`,
        p.account !== (c.account ?? null) && `account ${p.account} (want ${c.account ?? null})`,
      ].filter(Boolean);
      if (wrong.length) out.push(`  ${c.id} ${c.title}\n      ${wrong.join('; ')}`);
    }
  }
  process.stdout.write(out.join('\n') + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
