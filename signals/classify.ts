// Rules that say what an item is and pull out its facts. Fast, deterministic, pure: the
// labelled headline set in test/fixtures/signals/headlines.json measures them.
import { parseAmount, type Amount } from './amounts.js';
import type { SignalType } from './types.js';

export type NewsKind =
  'launch' | 'acquisition' | 'expansion' | 'leadership_change' | 'partnership' | 'layoffs' | 'other';

export interface Classification {
  type: Exclude<SignalType, 'manual' | 'inbound'>;
  subtype: string;
  facts: Record<string, unknown>;
  /** 'rule' when a specific rule fired; 'fallback' when nothing did (news/other). */
  basis: 'rule' | 'fallback';
}

const TITLES = String.raw`(?:chief [a-z]+(?: [a-z]+)? officer|c[eftmroi]o|ciso|cpo|chro|president|vice president|svp|evp|vp|head|director|general counsel|general manager|managing director|managing partner|chair(?:man|woman|person)?|board(?: of directors)?|founder|co-founder|partner|controller|treasurer|lead)`;
const TITLE_RE = new RegExp(String.raw`\b${TITLES}\b`, 'i');

const LAYOFFS =
  /\b(lays? off|laid off|layoffs?|job cuts?|cuts? (?:about |nearly |some |over )?[\d,]+%? (?:of (?:its |their )?)?(?:jobs|staff|employees|workers|roles|positions|workforce)|cuts? (?:its |the )?(?:workforce|headcount|staff)|workforce reduction|reduces? (?:its )?(?:workforce|headcount)|slashes (?:jobs|staff|\d+)|eliminat(?:es|ing) [\d,]+ (?:jobs|roles|positions))\b/i;
const HIRING =
  /\b(is hiring|are hiring|now hiring|hiring spree|hiring push|hiring (?:for|of) [\d,]+|plans? to hire|to hire [\d,]+|will hire|hire[sd]? (?:up to |another |more than |over )?[\d,]+|hir(?:e|es|ing) (?:up to |over |more than )?(?:[\d,]+|thousands|hundreds|dozens)|job openings|open (?:roles|positions)|new jobs|[\d,]+ (?:new )?(?:jobs|roles|positions)|recruiting (?:drive|push)|grow(?:s|ing)? (?:its |the )?(?:sales|engineering|go-to-market) team|doubl(?:e|es|ing) (?:its )?(?:headcount|sales team|team))\b/i;
const NOT_FUNDING =
  /\braise[sd]? (?:prices?|its prices|rates?|concerns?|questions?|eyebrows|alarm|awareness|the bar|doubts|fees|(?:its |full-year |annual )?(?:forecast|guidance|outlook)|money for charity|the stakes|hopes)\b/i;
const FUNDING_VERB =
  /\b(rais(?:es|ed|ing)|raise|secur(?:es|ed|ing)|clos(?:es|ed|ing)|lands?|landed|nabs?|bags?|snags?|gets?|receives?|attracts?|picks? up|scores?|pulls? in|hauls? in|announces?|completes?|obtains?|draws?|injects?|invest(?:s|ed)?|backs?|led|leads)\b/i;
const FUNDING_NOUN =
  /\b(funding|financing|investment|round|capital|venture debt|credit facility|debt facility|grant|backing|seed|series [a-h])\b/i;
const ACQUISITION =
  /\b(acquires?|acquired|acquisition|to acquire|buys|bought|snaps up|scoops up|merges? with|merger|takeover|agrees? to buy|to buy|deal to buy)\b/i;
const LEADERSHIP =
  /\b(steps? down|stepping down|resigns?|resigned|resignation|depart(?:s|ure)?|to retire|retires|retiring|ousted|is out|forced out|steps? aside|exits? as|leaves? (?:the company|as)|succession plan\w*|successor)\b/i;
const APPOINT =
  /\b(appoint(?:s|ed|ment)?|names?|named|hires?|hired|taps?|tapped|promot(?:es|ed)|joins?|joined|welcomes?|elevates?|brings? on|adds?|picks|selects|poaches|recruits|as (?:its )?new|to lead|will lead|takes? (?:the )?helm|becomes)\b/i;
const PARTNERSHIP =
  /\b(partners? with|partnered with|partnership|teams? up|teamed up|collaborat(?:es|ion|ing) with|alliance|joins forces|integrat(?:es|ion) with|signs (?:a )?(?:deal|agreement) with|selects|selected by|chooses|chosen by)\b/i;
const EXPANSION =
  /\b(expands?|expanded|expansion|opens? (?:a |its |new |first |second |\w+ )*(?:office|hq|headquarters|hub|facility|plant|factory|store|data cent(?:er|re)|warehouse|lab)|enters? (?:the )?[\w-]+(?: [\w-]+)? markets?|launch(?:es|ed)? (?:operations )?in (?:the )?\p{Lu}|moves? into|arrives? in|relocat(?:es|ing) (?:its )?headquarters)/iu;
const LAUNCH =
  /\b(launch(?:es|ed)?|unveil(?:s|ed)?|introduc(?:es|ed)|debuts?|rolls? out|rolled out|releases?|released|ships|announces (?:the )?(?:general )?availability|generally available|now available|goes live|open-sources|previews)\b/i;

const ROUND_PATTERNS: [RegExp, string][] = [
  [/\bpre[- ]seed\b/i, 'pre-seed'],
  [/\bseries ([a-h])(?:[-\s]?\d|\+)?\b/i, 'series'],
  [/\bseed(?:[- ]stage)? (?:round|funding|financing|investment|capital)\b|\bseed\b/i, 'seed'],
  [/\b(?:growth|late[- ]stage|growth[- ]equity|pre-ipo)\b/i, 'growth'],
  [
    /\b(?:venture debt|debt financing|debt facility|credit facility|credit line|loan|convertible notes?|debt)\b/i,
    'debt',
  ],
  [/\bgrants?\b/i, 'grant'],
];

export function parseRound(text: string): string | null {
  for (const [re, round] of ROUND_PATTERNS) {
    const m = re.exec(text);
    if (m) return round === 'series' ? `series_${m[1]!.toLowerCase()}` : round;
  }
  return null;
}

const splitNames = (s: string) =>
  s
    .split(/,\s*(?:and\s+)?|\s+and\s+|\s*&\s*/)
    .map((x) =>
      x
        .replace(/^(?:the|existing investors?|investors?|including|new investor)\s+/i, '')
        .replace(/[.;:]+$/, '')
        .trim(),
    )
    .filter((x) => x && x.length < 80 && /^\p{Lu}|^\d/u.test(x));

export function parseInvestors(text: string): { lead: string[]; others: string[] } {
  const stop = String.raw`(?=,? with (?:participation|support)|,? alongside|,? along with|\. |;|\.$|\s+to\s+|\s+for\s+|\s+at\s+a|$)`;
  const lead = new RegExp(String.raw`\b(?:led by|co-led by|headed by)\s+(.+?)${stop}`, 'i').exec(text)?.[1];
  const others = new RegExp(
    String.raw`\b(?:participation (?:from|of|by)|joined by|alongside|along with|backed by|other investors include|investors include|support from)\s+(.+?)(?=\. |;|\.$|\s+to\s+|\s+for\s+|$)`,
    'i',
  ).exec(text)?.[1];
  const from =
    !lead &&
    /\b(?:rais|secur|land|get)\w*\s.*?\bfrom\s+(\p{Lu}.+?)(?=,? (?:to|for|with|as|at)\b|\. |;|\.$|$)/iu.exec(text)?.[1];
  return { lead: splitNames(lead ?? (from || '')), others: splitNames(others ?? '') };
}

const SUBJECT_STOP =
  /\s+(?:has |have |will |is |to |said |says |officially |quietly |reportedly )?(?:rais|secur|clos|land|nab|bag|snag|get|receiv|attract|pick|scor|pull|haul|announc|complet|obtain|appoint|name|hire|tap|promot|welcom|elevat|acquir|buy|bought|snap|merg|launch|unveil|introduc|debut|roll|releas|expand|open|enter|partner|team|join|lay|laid|cut|slash|reduc|eliminat|plan)\w*\b/i;

/** The company a headline is about: the capitalised words before its verb. */
export function headlineSubject(title: string): string | null {
  const m = SUBJECT_STOP.exec(title);
  if (!m || m.index === 0) return null;
  const head = title.slice(0, m.index).replace(/['’]s$/, '');
  const run = /((?:[\p{Lu}\d][\p{L}\p{N}.&'’-]*)(?:\s+(?:[\p{Lu}\d&][\p{L}\p{N}.&'’-]*|of|de|and|for))*)\s*$/u.exec(
    head,
  )?.[1];
  return run && run.length <= 80 ? run.trim() : null;
}

const NAME_WORD = String.raw`\p{Lu}[\p{L}'’-]+`;
const PARTICLE = String.raw`(?:de|van|von|der|den|da|di|du|dos|la|le|bin|al)`;
const PERSON = new RegExp(
  String.raw`(${NAME_WORD}(?:\s+(?:\p{Lu}\.|${PARTICLE}\s+${NAME_WORD}|${NAME_WORD})){1,3})`,
  'u',
);
const TITLE_WORD =
  /^(?:chief|head|vp|vice|president|director|ceo|cfo|cto|coo|cro|cmo|cio|cpo|ciso|svp|evp|senior|executive|global|national|regional|sales|commercial|general|managing|group|interim|deputy|board|chair|founder|co-founder|partner|new)$/i;
// "Acme appoints Jane Doe" (the person follows) vs "Jane Doe joins Acme" (the person leads).
const ACTIVE = String.raw`(?:appoints|names|hires|taps|promotes|welcomes|elevates|adds|brings on|picks|poaches|recruits)`;
const PASSIVE = String.raw`(?:joins|joined|named|appointed|promoted|tapped|hired|to lead|will lead|becomes|takes|takes over|is named|has been named|has been appointed)`;
const VERBS = String.raw`(?:${ACTIVE}|${PASSIVE})`;

/** Drops title words a greedy name match swallowed ("Amelia Clarke Sales Director" → "Amelia Clarke"). */
function trimPerson(p: string | undefined): string | null {
  if (!p) return null;
  const words = p.split(/\s+/);
  const i = words.findIndex((w, k) => k > 0 && TITLE_WORD.test(w));
  const kept = i === -1 ? words : words.slice(0, i);
  return kept.length >= 2 ? kept.join(' ') : null;
}

/** The title phrase at the start of `segment`, if it names a role. */
function titleAt(segment: string): string | null {
  const s = segment.replace(/^(?:\s|,|as\b|to\b|be\b|its\b|the\b|new\b|first\b|first-ever\b|an?\b)+/i, '');
  const phrase =
    /^(.+?)(?=[,.;(]|\s+(?:at|after|ahead|effective|amid|to|in|as|and|from|succeeding|following|replacing|with|for|while)\b|$)/i
      .exec(s)?.[1]
      ?.trim();
  const first = phrase?.split(/\s+/)[0] ?? '';
  return phrase && phrase.length <= 80 && TITLE_RE.test(phrase) && (TITLE_WORD.test(first) || /^\p{Lu}/u.test(first))
    ? phrase
    : null;
}

function jobChangeFacts(text: string): Record<string, unknown> {
  const afterVerb = new RegExp(
    String.raw`\b${ACTIVE}\s+(?:(?:former|ex-)\s*[\p{L}-]+\s+(?:exec(?:utive)?|veteran|leader|alum|banker|engineer|executive)\s+)?${PERSON.source}`,
    'u',
  ).exec(text);
  const beforeVerb = new RegExp(String.raw`${PERSON.source},?\s+(?:is\s+|has been\s+|was\s+)?${PASSIVE}\b`, 'u').exec(
    text,
  );
  const person = trimPerson(afterVerb?.[1]) ?? trimPerson(beforeVerb?.[1]);
  const segments: string[] = [];
  for (const m of text.matchAll(/\s(?:as|to)\s/g)) segments.push(text.slice(m.index! + 1));
  if (person) segments.push(text.slice(text.indexOf(person) + person.length));
  const verb = new RegExp(String.raw`\b${VERBS}\b`, 'iu').exec(text);
  if (verb) segments.push(text.slice(verb.index + verb[0].length));
  let title: string | null = null;
  for (const seg of segments) if ((title = titleAt(seg))) break;
  const previous =
    /\b(?:former|ex-|formerly (?:of|at)|previously (?:at|of)|joins from)\s*(\p{Lu}[\p{L}\p{N}&.-]*(?:\s+\p{Lu}[\p{L}\p{N}&.-]*)?)/u.exec(
      text,
    )?.[1] ?? null;
  const start = /\beffective (?:immediately|(?:on )?(\w+ \d{1,2},? \d{4}|\d{4}-\d{2}-\d{2}))/i.exec(text);
  return {
    person,
    newTitle: title,
    previousCompany: previous && !TITLE_WORD.test(previous) ? previous : null,
    startDate: start ? (start[1] ?? 'immediately') : null,
  };
}

function newsKind(text: string): NewsKind {
  if (LAYOFFS.test(text)) return 'layoffs';
  if (ACQUISITION.test(text)) return 'acquisition';
  if (LEADERSHIP.test(text)) return 'leadership_change';
  if (PARTNERSHIP.test(text)) return 'partnership';
  if (EXPANSION.test(text)) return 'expansion';
  if (LAUNCH.test(text)) return 'launch';
  return 'other';
}

function fundingFacts(title: string, summary: string, round: string | null, amount: Amount | null) {
  const text = `${title}. ${summary}`;
  const inv = parseInvestors(text);
  return {
    round,
    amount: amount?.value ?? null,
    currency: amount?.currency ?? null,
    amountText: amount?.text ?? null,
    ...(amount?.max ? { amountMax: amount.max } : {}),
    leadInvestors: inv.lead,
    investors: inv.others,
    company: headlineSubject(title),
  };
}

/** SEC EDGAR "D - Company Name (0001234567) (Filer)": a Form D is a notice of an exempt offering. */
const FORM_D = /^D(?:\/A)? - (.+?) \((\d{10})\) \((?:Filer|Issuer)\)/;

/** Type, subtype and facts of an item from its title and summary. */
export function classify(title: string, summary = ''): Classification {
  const t = title.replace(/\s+/g, ' ').trim();
  const both = `${t}. ${summary.slice(0, 600)}`;
  const formD = FORM_D.exec(t);
  if (formD)
    return {
      type: 'funding',
      subtype: 'form_d',
      facts: {
        round: null,
        amount: null,
        currency: null,
        company: formD[1],
        cik: formD[2],
        leadInvestors: [],
        investors: [],
      },
      basis: 'rule',
    };

  // The title decides; the summary only fills facts or breaks a tie.
  if (LAYOFFS.test(t))
    return { type: 'news', subtype: 'layoffs', facts: { company: headlineSubject(t) }, basis: 'rule' };
  const amount = NOT_FUNDING.test(t) ? null : parseAmount(t);
  const round = parseRound(t);
  const isAcq = ACQUISITION.test(t);
  const fundingWords =
    !NOT_FUNDING.test(t) &&
    ((FUNDING_VERB.test(t) && FUNDING_NOUN.test(t)) ||
      /\b(?:new|fresh) (?:funding|financing|capital)\b|\bin talks to raise\b/i.test(t));
  if (
    !isAcq &&
    ((round && (fundingWords || amount || /\bround\b/i.test(t))) ||
      (amount && FUNDING_VERB.test(t) && !NOT_FUNDING.test(t)) ||
      (fundingWords && /\b(funding|financing|round)\b/i.test(t)))
  ) {
    return {
      type: 'funding',
      subtype: round ?? 'undisclosed',
      facts: fundingFacts(t, summary, round ?? parseRound(summary), amount ?? parseAmount(summary)),
      basis: 'rule',
    };
  }
  if (HIRING.test(t) && !(APPOINT.test(t) && TITLE_RE.test(t) && PERSON.test(t.replace(/^\S+\s/, '')))) {
    const role =
      /\bhir(?:e|es|ing)\s+(?:up to |over |more than )?(?:[\d,]+\s+)?(?:new\s+)?([\p{L} -]+?)(?=\s+(?:in|across|by|as|to|for|amid|after)\b|[,.;]|$)/iu.exec(
        t,
      )?.[1] ?? null;
    const count =
      /\b([\d,]+)\s+(?:new\s+)?(?:\p{L}+\s+)?(?:jobs|roles|positions|people|employees|engineers|staff|workers|hires)\b/iu.exec(
        t,
      )?.[1];
    return {
      type: 'hiring',
      subtype: 'announcement',
      facts: {
        role,
        count: count ? Number(count.replace(/,/g, '')) : null,
        department: null,
        location: null,
        company: headlineSubject(t),
      },
      basis: 'rule',
    };
  }
  if (!LEADERSHIP.test(t) || /\b(?:names?|named|appoints?|appointed|successor)\b/i.test(t)) {
    if (APPOINT.test(t) && TITLE_RE.test(t) && !isAcq && !/\bjoins forces\b/i.test(t)) {
      const facts = jobChangeFacts(t);
      if (facts.person || facts.newTitle)
        return {
          type: 'job_change',
          subtype: 'appointment',
          facts: { ...facts, company: headlineSubject(t) },
          basis: 'rule',
        };
    }
  }
  const kind = newsKind(t);
  if (kind !== 'other') return { type: 'news', subtype: kind, facts: { company: headlineSubject(t) }, basis: 'rule' };
  // Nothing in the title: a funding or hiring story may say so only in its first lines.
  if (
    fundingWords ||
    (parseAmount(summary) && FUNDING_VERB.test(summary) && FUNDING_NOUN.test(summary) && !NOT_FUNDING.test(both))
  ) {
    const r = parseRound(summary);
    return {
      type: 'funding',
      subtype: r ?? 'undisclosed',
      facts: fundingFacts(t, summary, r, parseAmount(summary)),
      basis: 'rule',
    };
  }
  const kindFromSummary = summary ? newsKind(summary.slice(0, 300)) : 'other';
  return {
    type: 'news',
    subtype: kindFromSummary,
    facts: { company: headlineSubject(t) },
    basis: kindFromSummary === 'other' ? 'fallback' : 'rule',
  };
}
