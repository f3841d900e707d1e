// Rules that say what an item is and pull out its facts. Fast, deterministic, pure. The
// decision (type) reads per-language word lists (lexicon.ts) so it holds in eight languages;
// this file orders the rules, and each concept lives in its own module: funding-facts.ts
// (round, investors), hiring.ts, appointment.ts (person and title), news-kind.ts, and
// headline-subject.ts (the company). Measured by signals/eval (npm run eval:signals) and
// test/fixtures/signals/headlines*.jsonl.
import { acquisitionParties } from './acquisition.js';
import { parseAmount } from './amounts.js';
import { hiresOne, isAppointment, jobChangeFacts, namesToRole } from './appointment.js';
import { fundingFacts, NOT_FUNDING, parseRound, tellsFunding } from './funding-facts.js';
import { subjectOf } from './headline-subject.js';
import { hiringFacts, isJobPost, saysHiring } from './hiring.js';
import * as L from './lexicon.js';
import { newsKind, saysLayoffs } from './news-kind.js';
import type { SignalType } from './types.js';

interface Classification {
  type: Exclude<SignalType, 'manual' | 'inbound'>;
  subtype: string;
  facts: Record<string, unknown>;
  /** 'rule' when a specific rule fired; 'fallback' when nothing did (news/other). */
  basis: 'rule' | 'fallback';
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
  if (saysLayoffs(t)) return news('layoffs', subject());

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
  const jobPost = isJobPost(t);
  const hiredOne = hiresOne(t);
  if (jobPost || (saysHiring(t) && !hiredOne && !namesToRole(t))) {
    return {
      type: 'hiring',
      subtype: jobPost ? 'job_post' : 'announcement',
      facts: {
        ...hiringFacts(t),
        department: null,
        location: null,
        company: jobPost ? null : subject(),
      },
      basis: 'rule',
    };
  }
  if (isAppointment(t) || namesToRole(t) || hiredOne) {
    const facts = jobChangeFacts(t);
    return { type: 'job_change', subtype: 'appointment', facts: { ...facts, company: subject() }, basis: 'rule' };
  }
  const kind = newsKind(t);
  if (kind !== 'other') return news(kind, subject());
  // Nothing in the title: a funding story may say so only in its first lines.
  const lead = withoutPastClauses(summary.slice(0, 300));
  const leadAmount = parseAmount(lead);
  if (leadAmount && tellsFunding(lead) && !L.MODALITY.test(lead)) {
    const r = parseRound(lead);
    return { type: 'funding', subtype: r ?? 'undisclosed', facts: fundingFacts(t, lead, r, leadAmount), basis: 'rule' };
  }
  const kindFromSummary = summary ? newsKind(summary.slice(0, 300)) : 'other';
  return news(kindFromSummary, subject(), kindFromSummary === 'other' ? 'fallback' : 'rule');
}
