// Rules that say what an item is and pull out its facts. Fast, deterministic, pure. The
// decision (type) reads per-language word lists (lexicon.ts) so it holds in eight languages;
// the English fact extractors below add round, investors, person and title where they can.
// Measured by signals/eval (npm run eval:signals) and test/fixtures/signals/headlines*.jsonl.
import { acquisitionParties } from './acquisition.js';
import { parseAmount, type Amount } from './amounts.js';
import * as L from './lexicon.js';
import type { SignalType } from './types.js';

type NewsKind = 'launch' | 'acquisition' | 'expansion' | 'leadership_change' | 'partnership' | 'layoffs' | 'other';

interface Classification {
  type: Exclude<SignalType, 'manual' | 'inbound'>;
  subtype: string;
  facts: Record<string, unknown>;
  /** 'rule' when a specific rule fired; 'fallback' when nothing did (news/other). */
  basis: 'rule' | 'fallback';
}

const TITLES = [
  String.raw`(?:chief [a-z]+(?: [a-z]+)? officer|c[eftmroi]o|ciso|cpo|chro|president|vice president|svp|evp|vp|head|`,
  String.raw`director|general counsel|general manager|managing director|managing partner|chair(?:man|woman|person)?|`,
  String.raw`board(?: of directors)?|founder|co-founder|partner|controller|treasurer|lead)`,
].join('');
const TITLE_RE = new RegExp(String.raw`\b${TITLES}\b`, 'i');

const LAYOFFS = new RegExp(
  [
    String.raw`\b(lays? off|laid off|layoffs?|job cuts?|cuts? (?:about |nearly |some |`,
    String.raw`over )?[\d,]+%? (?:of (?:its |their )?)?(?:jobs|staff|employees|workers|roles|positions|workforce)|`,
    String.raw`cuts? (?:its |the )?(?:workforce|headcount|staff)|workforce reduction|`,
    String.raw`reduces? (?:its )?(?:workforce|headcount)|slashes (?:jobs|staff|\d+)|`,
    String.raw`eliminat(?:es|ing) [\d,]+ (?:jobs|roles|positions))\b`,
  ].join(''),
  'i',
);
const HIRING = new RegExp(
  [
    String.raw`\b(is hiring|are hiring|now hiring|hiring spree|hiring push|hiring (?:for|of) [\d,]+|plans? to hire|`,
    String.raw`to hire [\d,]+|will hire|hire[sd]? (?:up to |another |more than |over )?[\d,]+|`,
    String.raw`hir(?:e|es|ing) (?:up to |over |more than )?(?:[\d,]+|thousands|hundreds|dozens)|job openings|`,
    String.raw`open (?:roles|positions)|new jobs|[\d,]+ (?:new )?(?:jobs|roles|positions)|recruiting (?:drive|push)|`,
    String.raw`grow(?:s|ing)? (?:its |the )?(?:sales|engineering|go-to-market) team|`,
    String.raw`doubl(?:e|es|ing) (?:its )?(?:headcount|sales team|team))\b`,
  ].join(''),
  'i',
);
const NOT_FUNDING = new RegExp(
  [
    String.raw`\braise[sd]? (?:prices?|its prices|rates?|concerns?|questions?|eyebrows|alarm|awareness|the bar|doubts|`,
    String.raw`fees|(?:its |full-year |annual )?(?:forecast|guidance|outlook)|money for charity|the stakes|hopes)\b`,
  ].join(''),
  'i',
);
const FUNDING_VERB = new RegExp(
  [
    String.raw`\b(rais(?:es|ed|ing)|raise|secur(?:es|ed|ing)|clos(?:es|ed|ing)|lands?|landed|nabs?|bags?|snags?|gets?|`,
    String.raw`receives?|attracts?|picks? up|scores?|pulls? in|hauls? in|announces?|completes?|obtains?|draws?|`,
    String.raw`injects?|invest(?:s|ed)?|backs?|led|leads)\b`,
  ].join(''),
  'i',
);
const FUNDING_NOUN =
  /\b(funding|financing|investment|round|capital|venture debt|credit facility|debt facility|grant|backing|seed|series [a-h])\b/i;
const ACQUISITION = new RegExp(
  [
    String.raw`\b(acquires?|acquired|acquisition|to acquire|buys|bought|snaps up|scoops up|merges? with|merger|`,
    String.raw`takeover|agrees? to buy|to buy|deal to buy)\b`,
  ].join(''),
  'i',
);
const LEADERSHIP = new RegExp(
  [
    String.raw`\b(steps? down|stepping down|resigns?|resigned|resignation|depart(?:s|ure)?|to retire|retires|retiring|`,
    String.raw`ousted|is out|forced out|steps? aside|exits? as|leaves? (?:the company|as)|succession plan\w*|`,
    String.raw`successor)\b`,
  ].join(''),
  'i',
);
const APPOINT = new RegExp(
  [
    String.raw`\b(appoint(?:s|ed|ment)?|names?|named|hires?|hired|taps?|tapped|promot(?:es|ed)|joins?|joined|`,
    String.raw`welcomes?|elevates?|brings? on|adds?|picks|selects|poaches|recruits|as (?:its )?new|to lead|will lead|`,
    String.raw`takes? (?:the )?helm|becomes)\b`,
  ].join(''),
  'i',
);
const PARTNERSHIP = new RegExp(
  [
    String.raw`\b(partners? with|partnered with|partnership|teams? up|teamed up|collaborat(?:es|ion|ing) with|`,
    String.raw`alliance|joins forces|integrat(?:es|ion) with|signs (?:a )?(?:deal|agreement) with|selects|selected by|`,
    String.raw`chooses|chosen by)\b`,
  ].join(''),
  'i',
);
const EXPANSION = new RegExp(
  [
    String.raw`\b(expands?|expanded|expansion|opens? (?:a |its |new |first |second |\w+ )*(?:office|hq|headquarters|`,
    String.raw`hub|facility|plant|factory|store|data cent(?:er|re)|warehouse|lab)|`,
    String.raw`enters? (?:the )?[\w-]+(?: [\w-]+)? markets?|launch(?:es|ed)? (?:operations )?in (?:the )?\p{Lu}|`,
    String.raw`moves? into|arrives? in|relocat(?:es|ing) (?:its )?headquarters)`,
  ].join(''),
  'iu',
);
const LAUNCH = new RegExp(
  [
    String.raw`\b(launch(?:es|ed)?|unveil(?:s|ed)?|introduc(?:es|ed)|debuts?|rolls? out|rolled out|releases?|released|`,
    String.raw`ships|announces (?:the )?(?:general )?availability|generally available|now available|goes live|`,
    String.raw`open-sources|previews)\b`,
  ].join(''),
  'i',
);

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
    [
      String.raw`\b(?:participation (?:from|of|by)|joined by|alongside|along with|backed by|other investors include|`,
      String.raw`investors include|support from)\s+(.+?)(?=\. |;|\.$|\s+to\s+|\s+for\s+|$)`,
    ].join(''),
    'i',
  ).exec(text)?.[1];
  const from =
    !lead &&
    /\b(?:rais|secur|land|get)\w*\s.*?\bfrom\s+(\p{Lu}.+?)(?=,? (?:to|for|with|as|at)\b|\. |;|\.$|$)/iu.exec(text)?.[1];
  return { lead: splitNames(lead ?? (from || '')), others: splitNames(others ?? '') };
}

const SUBJECT_STOP = new RegExp(
  [
    String.raw`\s+(?:has |have |will |is |to |said |says |officially |quietly |reportedly )?(?:rais|secur|clos|land|`,
    String.raw`nab|bag|snag|get|receiv|attract|pick|scor|pull|haul|announc|complet|obtain|appoint|name|hire|tap|`,
    String.raw`promot|welcom|elevat|acquir|buy|bought|snap|merg|launch|unveil|introduc|debut|roll|releas|expand|open|`,
    String.raw`enter|partner|team|join|lay|laid|cut|slash|reduc|eliminat|plan)\w*\b`,
  ].join(''),
  'i',
);

/** The company a headline is about: the capitalised words before its verb. */
function headlineSubject(title: string): string | null {
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
const TITLE_WORD = new RegExp(
  [
    String.raw`^(?:chief|head|vp|vice|president|director|ceo|cfo|cto|coo|cro|cmo|cio|cpo|ciso|svp|evp|senior|`,
    String.raw`executive|global|national|regional|sales|commercial|general|managing|group|interim|deputy|board|chair|`,
    String.raw`founder|co-founder|partner|new)$`,
  ].join(''),
  'i',
);
// "Acme appoints Jane Doe" (the person follows) vs "Jane Doe joins Acme" (the person leads).
const ACTIVE = String.raw`(?:appoints|names|hires|taps|promotes|welcomes|elevates|adds|brings on|picks|poaches|recruits)`;
const PASSIVE = [
  String.raw`(?:joins|joined|named|appointed|promoted|tapped|hired|to lead|will lead|becomes|takes|takes over|`,
  String.raw`is named|has been named|has been appointed)`,
].join('');
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
    String.raw`\b${ACTIVE}\s+(?:(?:former|ex-)\s*[\p{L}-]+\s+` +
      String.raw`(?:exec(?:utive)?|veteran|leader|alum|banker|engineer|executive)\s+)?${PERSON.source}`,
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

/** "Kestrel, which raised $24M in March, appoints…": a past round in a clause is not news of one. */
const PAST_CLAUSE = new RegExp(
  [
    [
      String.raw`,\s[^,]{0,60}?(?:raised|backed by|eingesammelt|finanziert|levé|levantó|captó|ophaalde|opgehaald|`,
      String.raw`captou|levantou|tog in|tagit in)[^,]{0,60},`,
    ].join(''),
    String.raw`\s+after\s+raising\s+.*$`,
  ].join('|'),
  'giu',
);
const PAST_JA = /(?:昨年|前年|[0-9０-９]{4}年に?)[^、]*?調達した/gu;

function withoutPastClauses(title: string): string {
  return title.replace(PAST_CLAUSE, ' ').replace(PAST_JA, '').replace(/\s+/g, ' ').trim();
}

/** A completed hire of one person ("hires a VP", "ficha a", "anställer ny vd") is a job change. */
const HIRED_ONE = L.wordsRe({
  en: [String.raw`hires\s+(?:a|an|its|former|ex-)`, 'hired'],
  es: ['ficha a'],
  pt: [String.raw`contrata\s+.{1,50}\s+como`],
  sv: ['anställer ny'],
  de: [String.raw`holt\s+.{1,50}\s+als`],
});
/** Verbs that name someone to a role without needing a title word ("prend la tête", "presidirá"). */
const APPOINT_STRONG = L.wordsRe({
  en: ['appoints', 'appointed', 'promotes', 'promoted', 'takes the helm'],
  de: ['ernennt', 'beruft'],
  fr: ['nomme', 'nommée?', 'prend la tête'],
  es: ['nombra', 'presidirá', 'nombramiento'],
  nl: ['benoemt', 'benoemd'],
  pt: ['nomeia', 'assume a presidência'],
  sv: ['utser', 'utsedd'],
  ja: ['就任', '招聘'],
});
/** A job post names a role first: "Head of Sales (EMEA) – Copperleaf – London". */
const JOB_ROLE = new RegExp(
  [
    String.raw`^(?:senior |junior |lead |principal )?(?:enterprise |mid-market |inside |field )?(?:account executive|`,
    String.raw`account manager|sales development representative|sdr|bdr|business developer|head of|vp of|`,
    String.raw`customer success|solutions engineer|sales engineer|executivo\(a\) de contas|executivo de contas)`,
  ].join(''),
  'iu',
);
const JOB_SEPARATOR = /\s[–—|-]\s|\s(?:at|bei|chez|en|na|på|bij)\s\p{Lu}|／|（/u;
/** The role a hiring headline names ("hires 40 engineers in Berlin" → "engineers") and how many. */
const HIRING_ROLE = new RegExp(
  [
    String.raw`\bhir(?:e|es|ing)\s+(?:up to |over |more than )?(?:[\d,]+\s+)?(?:new\s+)?([\p{L} -]+?)(?=\s+(?:in|`,
    String.raw`across|by|as|to|for|amid|after)\b|[,.;]|$)`,
  ].join(''),
  'iu',
);
const HIRING_COUNT = new RegExp(
  [
    String.raw`(?<![\p{L}\p{N}])([\d,]+)\s*(?:new\s+|neue\s+)?(?:[\p{L}-]+\s+)?(?:jobs|roles|positions|people|`,
    String.raw`employees|engineers|staff|workers|hires|mitarbeitende|personen|personas|pessoas|personer|ingenjörer|人)`,
  ].join(''),
  'iu',
);

function subjectAt(title: string, index: number): string | null {
  const before = title.slice(0, index).replace(/[,:、]\s*$/, '');
  if (/[\p{Script=Han}\p{Script=Katakana}\p{Script=Hiragana}]/u.test(before)) {
    return before.split(/[、,]/)[0]!.trim() || null;
  }
  const head = before.split(/:\s/).pop()!;
  const run = /((?:[\p{Lu}\d][\p{L}\p{N}.&'’-]*)(?:\s+(?:[\p{Lu}\d&][\p{L}\p{N}.&'’-]*|of|de|and|for))*)\s*$/u.exec(
    head,
  )?.[1];
  return run && run.length <= 80 ? run.trim() : null;
}

/** The company the headline is about: English verbs first, then the run before any verb we know. */
function subjectOf(title: string, ...res: RegExp[]): string | null {
  const en = headlineSubject(title);
  if (en) return en;
  for (const re of res) {
    const m = re.exec(title);
    if (m && m.index > 0) return subjectAt(title, m.index);
  }
  return null;
}

const news = (subtype: string, company: string | null, basis: 'rule' | 'fallback' = 'rule'): Classification => ({
  type: 'news',
  subtype,
  facts: { company },
  basis,
});

/** Type, subtype and facts of an item from its title and summary. */
export function classify(title: string, summary = ''): Classification {
  const raw = title.replace(/\s+/g, ' ').trim();
  const formD = FORM_D.exec(raw);
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
  const t = withoutPastClauses(raw);
  const subject = () =>
    subjectOf(t, L.FUNDING_VERB, L.ACQUIRE_PASSIVE, L.ACQUIRE_ACTIVE, L.HIRING, L.APPOINT, L.LAYOFFS, L.MODALITY);
  if (L.FUND_CLOSE.test(t) && !/\bfunds? (?:its|the|expansion|growth)\b/i.test(t)) return news('fund_close', subject());
  if (L.LAYOFFS.test(t) || LAYOFFS.test(t)) return news('layoffs', subject());

  const amount = NOT_FUNDING.test(t) ? null : parseAmount(t);
  const round = parseRound(t);
  const isAcq =
    (L.ACQUIRE_PASSIVE.test(t) || L.ACQUIRE_ACTIVE.test(t)) && !/übernimmt (?:die|den) (?:leitung|vorsitz)/iu.test(t);
  const isFunding =
    (!NOT_FUNDING.test(t) &&
      !L.REVENUE.test(t) &&
      L.FUNDING_VERB.test(t) &&
      (amount !== null || round !== null || L.FUNDING_NOUN.test(t))) ||
    (amount !== null && round !== null && !L.REVENUE.test(t));
  // Talks, plans and reports are news: nothing closed yet.
  const dealWords = isAcq || isFunding || L.FUNDING_NOUN.test(t) || /\b(?:ipo|sale|bid)\b/i.test(t);
  if (dealWords && L.MODALITY.test(t)) return news('rumour', subject());
  if (isAcq) {
    const parties = acquisitionParties(t);
    const price = parseAmount(t);
    return {
      type: 'acquisition',
      subtype: 'acquisition',
      facts: {
        acquirer: parties.acquirer,
        target: parties.target,
        amount: price?.value ?? null,
        currency: price?.currency ?? null,
        company: subject() ?? parties.acquirer ?? parties.target,
      },
      basis: 'rule',
    };
  }
  if (isFunding) {
    const r = round ?? parseRound(summary);
    const facts = fundingFacts(t, summary, r, amount ?? parseAmount(summary));
    return {
      type: 'funding',
      subtype: r ?? 'undisclosed',
      facts: { ...facts, company: facts.company ?? subject() },
      basis: 'rule',
    };
  }
  const jobPost = L.JOB_POST.test(t) || (JOB_ROLE.test(t) && JOB_SEPARATOR.test(t));
  const hiredOne = HIRED_ONE.test(t) && (TITLE_RE.test(t) || L.TITLE.test(t)) && !/\b\d+\s/.test(t);
  if (jobPost || ((L.HIRING.test(t) || HIRING.test(t)) && !hiredOne && !APPOINT_STRONG.test(t))) {
    const role = HIRING_ROLE.exec(t)?.[1] ?? null;
    const count = HIRING_COUNT.exec(t)?.[1];
    return {
      type: 'hiring',
      subtype: jobPost ? 'job_post' : 'announcement',
      facts: {
        role,
        count: count ? Number(count.replace(/,/g, '')) : null,
        department: null,
        location: null,
        company: jobPost ? null : subject(),
      },
      basis: 'rule',
    };
  }
  const appoint = (L.APPOINT.test(t) || APPOINT.test(t)) && (L.TITLE.test(t) || TITLE_RE.test(t));
  if ((appoint && !/\bjoins forces\b/i.test(t)) || APPOINT_STRONG.test(t) || hiredOne) {
    const facts = jobChangeFacts(t);
    return { type: 'job_change', subtype: 'appointment', facts: { ...facts, company: subject() }, basis: 'rule' };
  }
  const kind = newsKind(t);
  if (kind !== 'other') return news(kind, subject());
  // Nothing in the title: a funding story may say so only in its first lines.
  const lead = withoutPastClauses(summary.slice(0, 300));
  const leadAmount = parseAmount(lead);
  if (
    leadAmount &&
    FUNDING_VERB.test(lead) &&
    FUNDING_NOUN.test(lead) &&
    !NOT_FUNDING.test(lead) &&
    !L.MODALITY.test(lead)
  ) {
    const r = parseRound(lead);
    return { type: 'funding', subtype: r ?? 'undisclosed', facts: fundingFacts(t, lead, r, leadAmount), basis: 'rule' };
  }
  const kindFromSummary = summary ? newsKind(summary.slice(0, 300)) : 'other';
  return news(kindFromSummary, subject(), kindFromSummary === 'other' ? 'fallback' : 'rule');
}
