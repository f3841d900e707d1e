// Whether a headline announces that someone was appointed or hired to a role (a job change, not
// a hiring drive), and who, to which title, from where and from when.
import * as L from './lexicon.js';

const TITLES = [
  String.raw`(?:chief [a-z]+(?: [a-z]+)? officer|c[eftmroi]o|ciso|cpo|chro|president|vice president|svp|evp|vp|head|`,
  String.raw`director|general counsel|general manager|managing director|managing partner|chair(?:man|woman|person)?|`,
  String.raw`board(?: of directors)?|founder|co-founder|partner|controller|treasurer|lead)`,
].join('');
const TITLE_RE = new RegExp(String.raw`\b${TITLES}\b`, 'i');
const APPOINT = new RegExp(
  [
    String.raw`\b(appoint(?:s|ed|ment)?|names?|named|hires?|hired|taps?|tapped|promot(?:es|ed)|joins?|joined|`,
    String.raw`welcomes?|elevates?|brings? on|adds?|picks|selects|poaches|recruits|as (?:its )?new|to lead|will lead|`,
    String.raw`takes? (?:the )?helm|becomes)\b`,
  ].join(''),
  'i',
);

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

export function jobChangeFacts(text: string): Record<string, unknown> {
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

/** One person hired to a titled role ("hires a VP of Sales"), not a count of hires. */
export const hiresOne = (t: string) => HIRED_ONE.test(t) && (TITLE_RE.test(t) || L.TITLE.test(t)) && !/\b\d+\s/.test(t);

/** A verb that names someone to a role on its own, title word or not. */
export const namesToRole = (t: string) => APPOINT_STRONG.test(t);

/** An appointing verb and a title ("names Jane Doe CFO"), but not "joins forces". */
export const isAppointment = (t: string) =>
  (L.APPOINT.test(t) || APPOINT.test(t)) && (L.TITLE.test(t) || TITLE_RE.test(t)) && !/\bjoins forces\b/i.test(t);
