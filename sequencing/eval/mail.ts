// `npm run eval:mail`: measures inbound classification against the public corpora beside the
// repo (../shared/corpora, or CORPORA_DIR as the first argument). Prints accuracy per set and
// where our semantics differ from the upstream test on purpose.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { autoReplyReason } from '../inbox/auto-reply.js';
import { classifyRaw, visibleReplyText } from '../inbox/classify.js';

const root = path.resolve(process.argv[2] ?? path.join(process.cwd(), '..', 'shared', 'corpora'));
if (!existsSync(root)) {
  process.stderr.write(`no corpora at ${root}\n`);
  process.exit(2);
}
const json = <T>(p: string) => JSON.parse(readFileSync(path.join(root, p), 'utf8')) as T;
const read = (p: string) => readFileSync(path.join(root, p));
const rows: [string, number, number, string][] = [];
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
const report = (name: string, ok: number, total: number, note = '') => rows.push([name, ok, total, note]);

// --- bounces: sisimai (BSD-2) --------------------------------------------------------------
type Sis = {
  file: string;
  expected: { status: string; reason: string; hardbounce: boolean; feedbacktype?: string }[];
  derived_final_recipients: string[];
};
const sis = json<{ cases: Sis[] }>('bounces/sisimai/expected.json').cases;
let det = 0,
  detN = 0,
  st = 0,
  stN = 0,
  hard = 0,
  hardN = 0,
  rc = 0,
  rcN = 0,
  fb = 0,
  fbN = 0;
for (const c of sis) {
  const { classification: k } = await classifyRaw(read(`bounces/sisimai/emails/${c.file}`));
  const reasons = c.expected.map((e) => e.reason);
  if (reasons.includes('feedback')) {
    fbN++;
    if (k.kind === 'unsubscribe') fb++;
    continue;
  }
  if (reasons.every((r) => r === 'delivered' || r === 'vacation')) continue;
  detN++;
  if (k.kind !== 'bounce' || !k.bounce) continue;
  det++;
  const e = c.expected[0]!;
  // sisimai's x.0.9xx codes are its own, derived from the reason, not found in the message.
  if (e.status && !/\.9\d\d$/.test(e.status)) {
    stN++;
    if (k.bounce.recipients.some((r) => r.status === e.status)) st++;
  }
  hardN++;
  if (k.bounce.hard === c.expected.some((x) => x.hardbounce)) hard++;
  if (c.derived_final_recipients.length) {
    rcN++;
    if (c.derived_final_recipients.map((x) => x.toLowerCase()).includes(k.bounce.recipient ?? '')) rc++;
  }
}
report('bounces/sisimai: detected as bounce', det, detN);
report(
  'bounces/sisimai: DSN status matches (of detected, with a status)',
  st,
  stN,
  'excludes sisimai-internal x.0.9xx codes',
);
report(
  'bounces/sisimai: hard/soft matches (of detected)',
  hard,
  hardN,
  'hard = address or domain gone (sisimai userunknown/hostunknown/hasmoved)',
);
report('bounces/sisimai: failed recipient = Final-Recipient (of detected)', rc, rcN);
report(
  'bounces/sisimai: ARF complaint → unsubscribe (suppress)',
  fb,
  fbN,
  'upstream reason=feedback; we suppress the address',
);
let nb = 0;
for (const f of ['is-not-bounce-01.eml', 'is-not-bounce-02.eml'])
  if ((await classifyRaw(read(`bounces/sisimai/not-bounce/${f}`))).classification.kind !== 'bounce') nb++;
report('bounces/sisimai: ordinary mail not taken for a bounce', nb, 2);

// --- bounces: flufl.bounce (LGPL, read in place) ----------------------------------------------
type Fl = { file: string; expectations: { expected_addresses: string[]; failure_type: 'permanent' | 'temporary' }[] };
let fd = 0,
  fa = 0,
  ft = 0;
const fl = json<{ cases: Fl[] }>('bounces/flufl.bounce/expected.json').cases.filter((c) =>
  c.expectations.some((e) => e.expected_addresses.length),
);
for (const c of fl) {
  const { classification: k } = await classifyRaw(read(`bounces/flufl.bounce/${c.file}`));
  const e = c.expectations.find((x) => x.expected_addresses.length)!;
  if (k.kind !== 'bounce' || !k.bounce) continue;
  fd++;
  const want = e.expected_addresses.map((a) => a.toLowerCase());
  if (k.bounce.recipients.some((r) => want.includes(r.address))) fa++;
  if (
    (e.failure_type === 'temporary') ===
    k.bounce.recipients.every((r) => r.status?.startsWith('4') || /delayed/i.test(r.action ?? ''))
  )
    ft++;
}
report('bounces/flufl: detected as bounce', fd, fl.length);
report('bounces/flufl: an expected failed address found', fa, fl.length);
report('bounces/flufl: permanent vs temporary matches', ft, fl.length, 'temporary = 4.x.x status or Action: delayed');

// --- auto-replies ----------------------------------------------------------------------------
type Ar = { file: string; is_auto_reply: boolean };
let ar = 0;
const arCases = json<{ cases: Ar[] }>('auto-replies/expected.json').cases;
for (const c of arCases) {
  const { classification: k } = await classifyRaw(read(`auto-replies/${c.file}`));
  const isAuto = k.kind === 'auto_reply' || (k.kind === 'bounce' && c.file.includes('rfc3834-06'));
  if (isAuto === c.is_auto_reply) ar++;
  else process.stderr.write(`auto-replies miss: ${c.file} → ${k.kind} (${k.reason})\n`);
}
report('auto-replies: auto-reply vs not', ar, arCases.length);
type Ee = {
  subject: string;
  inReplyTo: string | null;
  headers: Record<string, string[]> | null;
  expected_is_auto_reply: boolean;
};
let eh = 0;
const ee = json<{ cases: Ee[] }>('auto-replies/emailengine_heuristic_cases.json').cases;
for (const c of ee) {
  const headers = new Map(Object.entries(c.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v[0] ?? '']));
  if (!!autoReplyReason({ subject: c.subject, headers, inReplyTo: c.inReplyTo, text: '' }) === c.expected_is_auto_reply)
    eh++;
}
report('auto-replies: EmailEngine header/subject heuristics', eh, ee.length);

// --- reply text ------------------------------------------------------------------------------
type Assert = { type: string; value?: string };
const replySet = (name: string, file: string, dir: string, types: string[], note = '') => {
  let ok = 0,
    n = 0;
  for (const c of json<{ cases: { file: string; assertions: Assert[] }[] }>(file).cases) {
    for (const a of c.assertions.filter((x) => types.includes(x.type))) {
      n++;
      const got = visibleReplyText(read(path.join(dir, c.file)).toString('utf8'));
      if (got.trim() === (a.value ?? '').trim()) ok++;
    }
  }
  report(name, ok, n, note);
};
replySet(
  'reply-parsing/github: visible text',
  'reply-parsing/github-email_reply_parser/expected.json',
  'reply-parsing/github-email_reply_parser',
  ['visible_text_equals'],
  'compared trimmed',
);
replySet(
  'reply-parsing/crisp: visible text',
  'reply-parsing/crisp-email-reply-parser/expected.json',
  'reply-parsing/crisp-email-reply-parser',
  ['visible_text_equals', 'visible_text_trimmed_equals'],
);
replySet(
  'reply-parsing/crisp: first fragment',
  'reply-parsing/crisp-email-reply-parser/expected.json',
  'reply-parsing/crisp-email-reply-parser',
  ['first_fragment_trimmed_equals'],
  'upstream keeps the signature in fragment 0; we drop it',
);
let ts = 0;
const standard = json<{ cases: { file: string; expected_reply: string }[] }>(
  'reply-parsing/talon/standard_replies_expected.json',
).cases;
for (const c of standard)
  if ((await classifyRaw(read(`reply-parsing/talon/${c.file}`))).classification.visibleText === c.expected_reply.trim())
    ts++;
report('reply-parsing/talon: real client replies (.eml)', ts, standard.length);
let tq = 0;
const talon = json<{ cases: { input: string; expected_reply: string }[] }>(
  'reply-parsing/talon/text_quotation_cases.json',
).cases;
for (const c of talon) if (visibleReplyText(c.input) === c.expected_reply.trim()) tq++;
report('reply-parsing/talon: inline quotation cases', tq, talon.length);

const width = Math.max(...rows.map((r) => r[0].length));
for (const [name, ok, total, note] of rows) {
  process.stdout.write(
    `${name.padEnd(width)}  ${String(ok).padStart(4)}/${String(total).padEnd(4)} ${pct(ok, total).padStart(6)}` +
      `${note ? `  (${note})` : ''}\n`,
  );
}
