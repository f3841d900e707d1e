// Which account an item is about. Built once per batch: a domain map and a trie over the
// normalised word sequences of every name and alias, so matching walks each item's words
// once instead of comparing it with every account. Pure.
import type { MatchAccount } from '../db/queries/signals.js';
import * as L from './lexicon.js';
import { hostOf } from './text.js';

export type { MatchAccount };

export interface Candidate {
  accountId: number;
  name: string;
  via: 'domain' | 'name' | 'alias' | 'source' | 'competitor';
  text: string;
  /** Why this mention counts as the company: the cue that vouched for it. */
  why?: string;
}

export type MatchResult =
  | { status: 'matched'; accountId: number; via: Candidate['via']; candidates: Candidate[]; others: Candidate[] }
  | { status: 'ambiguous'; candidates: Candidate[] }
  | { status: 'unmatched'; company: string | null };

const LEGAL = new Set([
  'inc',
  'incorporated',
  'llc',
  'llp',
  'lp',
  'ltd',
  'limited',
  'corp',
  'corporation',
  'co',
  'company',
  'gmbh',
  'ag',
  'kg',
  'sa',
  'sas',
  'sarl',
  'srl',
  'spa',
  'bv',
  'nv',
  'ab',
  'as',
  'asa',
  'oy',
  'plc',
  'pty',
  'pte',
  'kk',
  'se',
  'sl',
  'holdings',
  '株式会社',
]);

/** Without diacritics, as names are compared: "lève" → "leve". */
const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}+/gu, '');

/** Lower-case words without diacritics or punctuation: "Lumen Health GmbH" → ["lumen", "health", "gmbh"]. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** A name's matching key: its words without trailing legal suffixes or a leading "the". */
export function nameWords(name: string): string[] {
  const w = words(name.replace(/\b(\p{L})\.(?=\p{L}\.)/gu, '$1')); // "S.A." → "SA"
  while (w.length > 1 && LEGAL.has(w[w.length - 1]!)) w.pop();
  if (w.length > 1 && w[0] === 'the') w.shift();
  return w;
}

export function normalizeName(name: string): string {
  return nameWords(name).join(' ');
}

interface Node {
  next: Map<string, Node>;
  ends: { accountId: number; via: 'name' | 'alias' }[];
}
const node = (): Node => ({ next: new Map(), ends: [] });

export interface AccountIndex {
  size: number;
  byId: Map<number, MatchAccount>;
  byDomain: Map<string, number[]>;
  trie: Node;
}

export function buildIndex(accounts: Iterable<MatchAccount>): AccountIndex {
  const idx: AccountIndex = { size: 0, byId: new Map(), byDomain: new Map(), trie: node() };
  for (const a of accounts) {
    idx.size++;
    idx.byId.set(a.id, a);
    if (a.domain) {
      const d = a.domain.toLowerCase().replace(/^www\./, '');
      idx.byDomain.set(d, [...(idx.byDomain.get(d) ?? []), a.id]);
    }
    for (const [text, via] of [[a.name, 'name'], ...a.aliases.map((x) => [x, 'alias'])] as [
      string,
      'name' | 'alias',
    ][]) {
      const w = nameWords(text);
      if (!w.length || (w.length === 1 && w[0]!.length < 2)) continue;
      let n = idx.trie;
      for (const t of w) {
        let c = n.next.get(t);
        if (!c) n.next.set(t, (c = node()));
        n = c;
      }
      if (!n.ends.some((e) => e.accountId === a.id)) n.ends.push({ accountId: a.id, via });
    }
  }
  return idx;
}

/** Accounts whose domain (or a parent domain of it) is the host of one of the URLs. */
export function domainCandidates(idx: AccountIndex, urls: (string | null | undefined)[]): Candidate[] {
  const out: Candidate[] = [];
  for (const u of urls) {
    let host = hostOf(u) ?? (u && !u.includes('/') ? u.toLowerCase() : null);
    while (host && host.includes('.')) {
      for (const id of idx.byDomain.get(host) ?? []) {
        if (!out.some((c) => c.accountId === id))
          out.push({ accountId: id, name: idx.byId.get(id)!.name, via: 'domain', text: host, why: 'domain' });
      }
      host = host.slice(host.indexOf('.') + 1);
    }
  }
  return out;
}

interface Token {
  word: string;
  capital: boolean;
  start: number;
  /** Scripts without case (Japanese): a token is a whole name, not a word that may be common. */
  caseless: boolean;
}

/** Tokens of text already folded (NFKD, marks removed); one pass, no per-token normalising. */
function tokens(folded: string): Token[] {
  const out: Token[] = [];
  for (const m of folded.matchAll(/株式会社|(?:(?!株式会社)[\p{L}\p{N}])+|&/gu)) {
    const raw = m[0];
    const caseless = /^\p{Lo}/u.test(raw);
    out.push({
      word: raw === '&' ? 'and' : raw.toLowerCase(),
      capital: caseless || /^[\p{Lu}\p{N}]/u.test(raw),
      start: m.index!,
      caseless,
    });
  }
  return out;
}

/** Words that say a company did something: the cue a one-word name needs. */
const BUSINESS = [
  L.FUNDING_VERB,
  L.ACQUIRE_ACTIVE,
  L.ACQUIRE_PASSIVE,
  L.HIRING,
  L.LAYOFFS,
  L.MODALITY,
  L.REVENUE,
  L.wordsRe({
    en: [
      'appoints',
      'names',
      'named',
      'hires',
      'launch(?:es|ed)?',
      'opens',
      'unveils',
      'announces',
      'partners',
      'expands',
      'introduces',
      'releases',
      'ships',
      'cuts',
      'reports',
      'welcomes',
    ],
    de: ['ernennt', 'beruft', 'startet', 'eröffnet', 'kündigt', 'meldet', 'holt'],
    fr: ['nomme', 'lance', 'ouvre', 'annonce', 'recrute'],
    es: ['nombra', 'lanza', 'abre', 'anuncia', 'ficha'],
    nl: ['benoemt', 'lanceert', 'opent', 'kondigt', 'stelt'],
    pt: ['nomeia', 'lança', 'abre', 'anuncia', 'contrata'],
    sv: ['utser', 'lanserar', 'öppnar', 'rekryterar', 'tar in', 'blir'],
  }),
  L.TITLE,
].map((re) => new RegExp(fold(re.source), re.flags));
/** Capitalised only because they open a headline: "Why Apple's…", "Die Amsel…". */
const LEAD_WORDS = new Set(
  (
    'why how what when where who the a an inside exclusive report breaking opinion analysis watch ' +
    'die der das le la les el los las het een o os as en ett'
  ).split(' '),
);
const LEGAL_AFTER = new RegExp(String.raw`^[\s,]*(?:${[...LEGAL].join('|')})\.?(?![\p{L}\p{N}])`, 'iu');

/**
 * A one-word name ("Harbor", "Bergen", "Hartley") is also a word, a place or a surname. It
 * counts only with a company cue: a legal suffix after it, a possessive, or a verb of business
 * in the same sentence; and never inside a longer capitalised run ("Beacon Hill Capital",
 * "Sarah Hartley", "Die Amsel").
 */
function oneWordCue(text: string, toks: Token[], i: number): string | null {
  const tok = toks[i]!;
  const end = tok.start + tok.word.length;
  const after = text.slice(end);
  if (LEGAL_AFTER.test(after)) return 'legal suffix';
  const neighbour = (k: number) => {
    const t = toks[k];
    if (!t || !t.capital || t.caseless || (k < i && LEAD_WORDS.has(t.word))) return false;
    const gap = k < i ? text.slice(t.start + t.word.length, tok.start) : text.slice(end, t.start);
    if (!/^\s+$/.test(gap)) return false;
    const w = text.slice(t.start, t.start + t.word.length);
    return !BUSINESS.some((re) => new RegExp(`^(?:${re.source})`, re.flags).test(w));
  };
  if (neighbour(i - 1) || neighbour(i + 1)) return null;
  if (/^['’]s\b/u.test(after)) return 'possessive';
  const sentence = text.slice(
    Math.max(0, text.lastIndexOf('. ', tok.start) + 1),
    (text.indexOf('. ', end) + 1 || text.length + 1) - 1,
  );
  const rest = sentence.replace(text.slice(tok.start, end), ' ');
  for (const re of BUSINESS) {
    const m = re.exec(rest);
    if (m) return `verb of business ("${m[0].trim()}")`;
  }
  return null;
}

/**
 * Names and aliases found in the text on word boundaries ("Apple" is not in "pineapple"). A
 * match must start with a capital or digit ("Notion raises", not "a notion of").
 */
export function nameCandidates(idx: AccountIndex, input: string): (Candidate & { position: number; key: string })[] {
  const text = input.normalize('NFKD').replace(/\p{M}+/gu, '');
  const toks = tokens(text);
  const found: (Candidate & { position: number; key: string })[] = [];
  const ids = new Set<number>();
  for (let i = 0; i < toks.length; i++) {
    if (!toks[i]!.capital) continue;
    let n: Node | undefined = idx.trie;
    let best: { end: number; node: Node } | undefined;
    for (let j = i; j < toks.length && n; j++) {
      n = n.next.get(toks[j]!.word);
      if (n?.ends.length) best = { end: j, node: n };
    }
    if (!best) continue;
    let why: string | null = best.end > i ? 'full name' : toks[i]!.caseless ? 'whole name' : null;
    if (!why) why = oneWordCue(text, toks, i);
    if (!why) continue;
    const span = text.slice(toks[i]!.start, toks[best.end]!.start + toks[best.end]!.word.length);
    const key = toks
      .slice(i, best.end + 1)
      .map((t) => t.word)
      .join(' ');
    for (const e of best.node.ends) {
      if (ids.has(e.accountId)) continue;
      ids.add(e.accountId);
      found.push({
        accountId: e.accountId,
        name: idx.byId.get(e.accountId)!.name,
        via: e.via,
        text: span,
        position: toks[i]!.start,
        key,
        why: e.via === 'alias' ? `alias (${why})` : why,
      });
    }
    i = best.end; // the longest name wins; do not also match its tail
  }
  return found;
}

export interface MatchInput {
  title: string;
  summary: string;
  url: string | null;
  links: string[];
  /** A company the source names outright (webhook, job board). */
  company?: { name?: string; domain?: string };
  /** The source belongs to this account. */
  accountId?: number;
  /** Who the headline is about, from classification. */
  subject?: string | null;
  /** The headline is about someone else (an investor's own fund): the summary's names do not count. */
  titleOnly?: boolean;
}

/**
 * Decides the account. Order: the source's own account; a stated company (domain, then
 * exact name); the headline's subject; the first name in the title, then in the summary.
 * Names shared by several accounts are settled by a domain in the item, else ambiguous.
 */
export function matchItem(idx: AccountIndex, item: MatchInput): MatchResult {
  if (item.accountId && idx.byId.has(item.accountId)) {
    const a = idx.byId.get(item.accountId)!;
    const c: Candidate = {
      accountId: a.id,
      name: a.name,
      via: 'source',
      text: a.name,
      why: "the source's own account",
    };
    return { status: 'matched', accountId: a.id, via: 'source', candidates: [c], others: [] };
  }
  const domains = domainCandidates(idx, [item.company?.domain, item.url, ...item.links]);
  const settle = (cands: Candidate[]): MatchResult | undefined => {
    const ids = [...new Set(cands.map((c) => c.accountId))];
    if (ids.length === 0) return undefined;
    if (ids.length === 1)
      return { status: 'matched', accountId: ids[0]!, via: cands[0]!.via, candidates: cands, others: [] };
    const domainIds = new Set(domains.map((d) => d.accountId));
    const byDomain = cands.filter((c) => domainIds.has(c.accountId));
    if (byDomain.length === 1)
      return { status: 'matched', accountId: byDomain[0]!.accountId, via: 'domain', candidates: cands, others: [] };
    return { status: 'ambiguous', candidates: cands };
  };
  if (item.company?.domain) {
    const r = settle(domainCandidates(idx, [item.company.domain]));
    if (r) return r;
  }
  if (item.company?.name) {
    const key = normalizeName(item.company.name);
    const r = settle(
      nameCandidates(idx, item.company.name).filter((c) => c.key === key || normalizeName(c.name) === key),
    );
    if (r) return r;
    if (!item.title) return { status: 'unmatched', company: item.company.name };
  }
  const inTitle = nameCandidates(idx, item.title);
  // Several accounts named alike in one place ("Mercury" twice) vs. different names ("Acme acquires Globex").
  const groups = new Map<string, Candidate[]>();
  for (const c of inTitle) {
    const g = groups.get(c.key);
    if (g) g.push(c);
    else groups.set(c.key, [c]);
  }
  const subjectKey = item.subject ? normalizeName(item.subject) : null;
  const ordered = [...groups.entries()].sort(([a], [b]) => (a === subjectKey ? -1 : b === subjectKey ? 1 : 0));
  if (ordered.length) {
    const [, first] = ordered[0]!;
    const r = settle(first);
    const others = ordered.slice(1).flatMap(([, g]) => g);
    if (r?.status === 'matched') return { ...r, others };
    if (r) return r;
  }
  if (domains.length === 1)
    return { status: 'matched', accountId: domains[0]!.accountId, via: 'domain', candidates: domains, others: [] };
  const inSummary = item.titleOnly ? [] : nameCandidates(idx, item.summary.slice(0, 1000));
  if (inSummary.length) {
    const r = settle(inSummary.filter((c) => c.key === inSummary[0]!.key));
    if (r) return r;
  }
  return { status: 'unmatched', company: item.company?.name ?? item.subject ?? null };
}
