// `npm run eval:mail` (first part): reply intent by the offline rules against our own labelled
// replies (sequencing/eval/data, see its README): precision/recall per intent and, for "not
// now" answers that name a time, the month they point to. Test split unless `--split dev`;
// `--misses` (dev only) lists what went wrong.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyReplyByRules } from '../inbox/reply-intent.js';
import { evalArgs, labelTable, perLabel, ratio, table } from '../../signals/eval/score.js';

interface ReplyCase {
  id: string;
  lang: string;
  text: string;
  intent: string;
  /** For "not now" with a time: the first day it points to, read on REFERENCE. */
  resume?: string;
}

/** The day every labelled reply is taken to have been received (a Monday). */
export const REFERENCE = new Date('2026-11-30T12:00:00Z');
const INTENTS = [
  'interested',
  'meeting_request',
  'question',
  'not_now',
  'not_interested',
  'referral',
  'wrong_person',
  'unsubscribe',
] as const;

const here = path.dirname(fileURLToPath(import.meta.url));
const { split, misses } = evalArgs(process.argv.slice(2));
const cases = readFileSync(path.join(here, 'data', `replies.${split}.jsonl`), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as ReplyCase);

const rows = cases.map((c) => {
  const r = classifyReplyByRules(c.text, REFERENCE);
  return { c, intent: r.intent, resume: r.resumeAt ? r.resumeAt.toISOString().slice(0, 7) : null };
});
const scores = perLabel(
  rows.map((r) => ({ gold: r.c.intent, predicted: r.intent })),
  INTENTS,
);
const dated = rows.filter((r) => r.c.resume);
const out = [
  `Replies, ${split} split: ${cases.length} items in ${new Set(cases.map((c) => c.lang)).size} languages\n`,
  labelTable(scores, { precision: 0.9, recall: 0.9 }),
  '',
  table(
    ['measure', 'value', 'goal'],
    [
      ['intent right (accuracy)', ratio(rows.filter((r) => r.intent === r.c.intent).length, rows.length), '0.90'],
      [
        '"not now" with a time: month right',
        ratio(dated.filter((r) => r.resume === r.c.resume!.slice(0, 7)).length, dated.length),
        '',
      ],
    ],
  ),
  '',
  table(
    ['language', 'intent right'],
    [...new Set(cases.map((c) => c.lang))].map((lang) => {
      const rs = rows.filter((r) => r.c.lang === lang);
      return [lang, ratio(rs.filter((r) => r.intent === r.c.intent).length, rs.length)];
    }),
  ),
];
if (misses)
  for (const r of rows)
    if (r.intent !== r.c.intent || (r.c.resume && r.resume !== r.c.resume.slice(0, 7)))
      out.push(`  ${r.c.id} ${r.intent} ${r.resume ?? ''} (want ${r.c.intent} ${r.c.resume ?? ''}): ${r.c.text}`);
process.stdout.write(out.join('\n') + '\n\n');
