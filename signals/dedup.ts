// The same event from several sources → one signal. A dedup key names the event (account or
// company, type, normalised key facts); reports within the type's window share a signal. Pure.
import { createHash } from 'node:crypto';
import { normalizeName, words } from './match.js';

export const DEDUP_WINDOW_DAYS: Record<string, number> = {
  funding: 21,
  job_change: 60,
  hiring: 14,
  news: 7,
  acquisition: 30,
  manual: 1,
  inbound: 1,
};

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** Two significant digits: "$20M" and "$20.5 million" are the same round. */
function amountKey(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return '';
  const p = Math.pow(10, Math.floor(Math.log10(v)) - 1);
  return String(Math.round(v / p) * p);
}

const titleKey = (t: string) =>
  words(t)
    .filter((w) => w.length > 2)
    .slice(0, 12)
    .join(' ');

interface DedupInput {
  type: string;
  subtype: string | null;
  facts: Record<string, unknown>;
  accountId: number | null;
  contactId: number | null;
  company: string | null;
  title: string;
  url: string | null;
}

export function dedupKey(s: DedupInput): string {
  const who = s.accountId ? `a${s.accountId}` : s.company ? `c:${normalizeName(s.company)}` : `t:${titleKey(s.title)}`;
  const f = s.facts;
  let what: string;
  switch (s.type) {
    case 'funding':
      // Sources disagree on amounts less often than on wording; a round with no amount still dedups on the round.
      what = `${String(f.round ?? s.subtype ?? '')}|${amountKey(f.amount)}`;
      if (what === '|' || s.subtype === 'form_d')
        what = s.subtype === 'form_d' ? `form_d|${String(f.cik ?? '')}` : 'undisclosed';
      break;
    case 'job_change':
      what = s.contactId
        ? `contact${s.contactId}|${s.accountId ?? ''}`
        : `${normalizeName(String(f.person ?? '')) || titleKey(s.title)}`;
      break;
    case 'hiring':
      what = String(f.department ?? 'roles').toLowerCase();
      break;
    case 'acquisition':
      // Both parties name the deal; the buyer's and the bought company's newsrooms report the same one.
      what = [f.acquirer, f.target].map((x) => normalizeName(String(x ?? ''))).join('|');
      if (what === '|') what = `${s.url ?? ''}|${titleKey(s.title)}`;
      break;
    case 'news':
      what = s.subtype && s.subtype !== 'other' ? s.subtype : `other|${s.url ?? titleKey(s.title)}`;
      break;
    default:
      what = `${s.url ?? ''}|${titleKey(s.title)}`;
  }
  return sha(`${s.type}|${who}|${what}`);
}

/** Unique per event: the key plus the day the first report was dated. */
export function fingerprint(key: string, occurredAt: Date): string {
  return `${key}:${occurredAt.toISOString().slice(0, 10)}`;
}
