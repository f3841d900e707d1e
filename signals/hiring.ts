// Whether a headline is a job post or says a company is hiring, and which role and how many
// people it names.
import * as L from './lexicon.js';

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

/** A job post rather than news: the lexicon's markers, or a role first and then a separator. */
export const isJobPost = (t: string) => L.JOB_POST.test(t) || (JOB_ROLE.test(t) && JOB_SEPARATOR.test(t));

/** Hiring words in any language lexicon.ts knows or in the English phrasings above. */
export const saysHiring = (t: string) => L.HIRING.test(t) || HIRING.test(t);

/** The role and head count a hiring headline names, when it names them. */
export function hiringFacts(t: string): { role: string | null; count: number | null } {
  const role = HIRING_ROLE.exec(t)?.[1] ?? null;
  const count = HIRING_COUNT.exec(t)?.[1];
  return { role, count: count ? Number(count.replace(/,/g, '')) : null };
}
