// Which kind of news an English headline is (layoffs, acquisition, leadership change, partnership,
// expansion, launch or other), and whether a headline in any language reports layoffs.
import * as L from './lexicon.js';

type NewsKind = 'launch' | 'acquisition' | 'expansion' | 'leadership_change' | 'partnership' | 'layoffs' | 'other';

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

/** Layoffs, in any language lexicon.ts knows or in the English phrasings above. */
export const saysLayoffs = (text: string) => L.LAYOFFS.test(text) || LAYOFFS.test(text);

export function newsKind(text: string): NewsKind {
  if (LAYOFFS.test(text)) return 'layoffs';
  if (ACQUISITION.test(text)) return 'acquisition';
  if (LEADERSHIP.test(text)) return 'leadership_change';
  if (PARTNERSHIP.test(text)) return 'partnership';
  if (EXPANSION.test(text)) return 'expansion';
  if (LAUNCH.test(text)) return 'launch';
  return 'other';
}
