// Deterministic checks a draft passes before a person sees it. Each gate has a stable name and
// reports every problem it found, with the step (1-based) it concerns; the prompt's feedback,
// the CLI and the review queue all show these.
import { distance } from 'fastest-levenshtein';
import { emailsIn, linksIn } from './links.js';
import { quantitiesIn } from './numbers.js';
import type { DraftInput, DraftedSequence } from './schema.js';
import {
  containsWord,
  groundingCorpus,
  misspelledNames,
  normalize,
  properNounCandidates,
  stripLinks,
  ungroundedNumbers,
  ungroundedProperNouns,
} from './grounding.js';

export const GATE_NAMES = [
  'step_count',
  'cited_facts',
  'grounding',
  'placeholders',
  'links',
  'emails',
  'length',
  'signal_mention',
  'banned_phrases',
  'similarity',
  'names',
  'no_footer',
] as const;
export type GateName = (typeof GATE_NAMES)[number] | 'schema';

export interface GateProblem {
  step: number | null;
  message: string;
}
export interface GateResult {
  gate: GateName;
  ok: boolean;
  problems: GateProblem[];
}
export interface GateFailure extends GateProblem {
  gate: GateName;
}

export const GATE_LIMITS = {
  openerMaxWords: 120,
  /** Words per body by step kind; a kind not listed gets the opener's limit. */
  maxWords: { opener: 120, follow_up: 90, breakup: 70 } as Record<string, number>,
  subjectMaxChars: 60,
  maxSimilarity: 0.6,
};

/** Phrases that read as spam or filler, on top of the workspace's own banned list. */
export const SPAM_PHRASES = [
  'just following up',
  'just checking in',
  'touching base',
  'circle back',
  'bumping this',
  'act now',
  'limited time',
  'risk-free',
  'risk free',
  'no obligation',
  'click here',
  '100% free',
  'guaranteed',
  'once in a lifetime',
  'hope this email finds you well',
  'synergy',
  'game-changer',
  'game changer',
  'revolutionary',
];

const PLACEHOLDER_RES: [RegExp, string][] = [
  [/\{\{[^}]*\}\}/g, 'template variable'],
  [/(?<!\{)\{[A-Za-z_ ]{2,40}\}(?!\})/g, 'template variable'],
  [/\[[^\]\n]{1,60}\]/g, 'bracketed placeholder'],
  [/<(?!https?:)[^<>\n]{1,40}>/g, 'angle-bracket placeholder'],
  [/\b(?:TODO|TBD|XXX+|INSERT [A-Z ]+|lorem ipsum)\b/gi, 'unfinished text'],
];

const SIGNAL_WORDS: Record<string, string[]> = {
  funding: [
    'raise',
    'raised',
    'raising',
    'funding',
    'funded',
    'round',
    'series',
    'investment',
    'investors',
    'seed',
    'capital',
  ],
  job_change: [
    'new role',
    'joined',
    'joining',
    'started',
    'starting',
    'stepped into',
    'moved',
    'move',
    'promotion',
    'promoted',
    'appointed',
    'congrats',
    'congratulations',
    'new position',
  ],
  acquisition: ['acquisition', 'acquired', 'acquiring', 'acquire', 'buying', 'bought', 'deal', 'merger', 'integration'],
  hiring: [
    'hiring',
    'hire',
    'hires',
    'open role',
    'open roles',
    'opening',
    'openings',
    'job post',
    'recruiting',
    'headcount',
    'growing the team',
  ],
  news: ['news', 'announced', 'announcement', 'launch', 'launched'],
  manual: [],
  inbound: [],
};
const STOPWORDS = new Set([
  'the',
  'and',
  'for',
  'with',
  'from',
  'that',
  'this',
  'into',
  'their',
  'about',
  'after',
  'over',
  'more',
  'than',
  'your',
  'have',
  'will',
  'been',
  'were',
  'what',
  'when',
  'which',
  'inc',
  'ltd',
  'gmbh',
  'llc',
]);

export function runGates(draft: DraftedSequence, input: DraftInput): GateResult[] {
  const corpus = groundingCorpus(input);
  const steps = draft.steps;
  const results: GateResult[] = [];
  const gate = (name: GateName, check: () => GateProblem[]) => {
    const problems = check();
    results.push({ gate: name, ok: problems.length === 0, problems });
  };
  const perStep = (fn: (s: DraftedSequence['steps'][number], i: number) => (string | undefined)[]) =>
    steps.flatMap((s, i) =>
      fn(s, i)
        .filter((m): m is string => !!m)
        .map((message) => ({ step: i + 1, message })),
    );

  gate('step_count', () =>
    steps.length === input.steps.length
      ? []
      : [{ step: null, message: `expected ${input.steps.length} steps, got ${steps.length}` }],
  );

  const factIds = new Set(input.facts.map((f) => f.id));
  gate('cited_facts', () => [
    ...perStep((s) =>
      s.citedFactIds.filter((id) => !factIds.has(id)).map((id) => `cites fact ${id}, which is not in the dossier`),
    ),
    ...(input.facts.length && steps[0] && steps[0].citedFactIds.length === 0
      ? [{ step: 1, message: 'the opener cites no fact' }]
      : []),
  ]);

  gate('grounding', () =>
    perStep((s) => [
      ...ungroundedNumbers(`${s.subject}\n${s.body}`, corpus).map((n) => `number not in the data: ${n}`),
      ...ungroundedProperNouns(`${s.subject}\n${s.body}`, corpus).map((w) => `name or date not in the data: ${w}`),
    ]),
  );

  gate('placeholders', () =>
    perStep((s) =>
      PLACEHOLDER_RES.flatMap(([re, what]) =>
        [...`${s.subject}\n${s.body}`.matchAll(re)].map((m) => `${what}: ${m[0]}`),
      ),
    ),
  );

  const allowed = allowedHosts(input);
  gate('links', () =>
    perStep((s) =>
      linksIn(`${s.subject}\n${s.body}`)
        .filter((l) => !allowed.some((h) => l.host === h || l.host.endsWith(`.${h}`)))
        .map((l) => `link to a domain that is not allowed: ${l.text}`),
    ),
  );

  // The rep's own address or the recipient's, nothing else: an injected page asks for replies,
  // invoices or documents to go elsewhere.
  const ownAddresses = new Set([input.contact.email, ...input.sender.emails].map((e) => e.trim().toLowerCase()));
  gate('emails', () =>
    perStep((s) =>
      emailsIn(`${s.subject}\n${s.body}`)
        .filter((e) => !ownAddresses.has(e))
        .map((e) => `email address that is neither the rep's nor the recipient's: ${e}`),
    ),
  );

  gate('length', () =>
    perStep((s, i) => {
      const kind = input.steps[i]?.kind ?? (i === 0 ? 'opener' : 'follow_up');
      const words = s.body.split(/\s+/).filter(Boolean).length;
      const max = GATE_LIMITS.maxWords[kind] ?? GATE_LIMITS.openerMaxWords;
      const needsSubject = i === 0 || input.steps[i]?.newThread;
      return [
        words > max ? `${kind.replace('_', '-')} is ${words} words (at most ${max})` : undefined,
        s.subject.length > GATE_LIMITS.subjectMaxChars
          ? `subject is ${s.subject.length} characters (at most ${GATE_LIMITS.subjectMaxChars})`
          : undefined,
        needsSubject && !s.subject.trim() ? 'subject is empty' : undefined,
      ];
    }),
  );

  gate('signal_mention', () => {
    const opener = steps[0];
    // A held-out contact's evergreen draft must not mention the signal (experiments/).
    if (!opener || input.signal.type === 'evergreen') return [];
    return mentionsSignal(`${opener.subject}\n${opener.body}`, input)
      ? []
      : [{ step: 1, message: `the opener does not mention the signal (${input.signal.title})` }];
  });

  const banned = [...(input.playbook.bannedPhrases ?? []), ...SPAM_PHRASES];
  gate('banned_phrases', () =>
    perStep((s) =>
      banned
        .filter((p) => p.trim() && containsWord(normalize(`${s.subject}\n${s.body}`), normalize(p.trim())))
        .map((p) => `banned phrase: "${p}"`),
    ),
  );

  gate('similarity', () => {
    const out: GateProblem[] = [];
    for (let i = 0; i < steps.length; i++) {
      for (let j = i + 1; j < steps.length; j++) {
        const sim = similarity(steps[i]!.body, steps[j]!.body);
        if (sim > GATE_LIMITS.maxSimilarity)
          out.push({
            step: j + 1,
            message: `${Math.round(sim * 100)}% alike with step ${i + 1} (at most ${GATE_LIMITS.maxSimilarity * 100}%)`,
          });
      }
    }
    return out;
  });

  gate('names', () =>
    perStep((s) => [
      greetingProblem(s.body, input),
      ...misspelledNames(`${s.subject}\n${s.body}`, input, corpus).map(
        (n) => `name spelled differently from the data: ${n}`,
      ),
    ]),
  );

  gate('no_footer', () =>
    perStep((s) => {
      const body = normalize(s.body);
      const lines = [input.footer.physicalAddress, ...input.footer.signature.split('\n')]
        .map((l) => normalize(l.trim()))
        .filter((l) => l.length >= 8);
      return [
        /unsubscribe|opt[ -]out/.test(body) ? 'writes an unsubscribe line (the sender adds it)' : undefined,
        ...lines
          .filter((l) => body.includes(l))
          .map((l) => `writes the signature or address "${l}" (the sender adds it)`),
      ];
    }),
  );

  return results;
}

export { linksIn } from './links.js';

const GREETING_RE = new RegExp(
  [
    String.raw`^\s*(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening))(?:\s+again)?\b`,
    String.raw`[ \t,]*((?:(?:mr|mrs|ms|mx|dr|prof)\.?\s+)?[^\n,!:;.]*)`,
  ].join(''),
  'i',
);
const TITLES = /^(?:mr|mrs|ms|mx|dr|prof)\.?\s+/i;

/**
 * The greeting names the recipient: "Hi Dana", "Dear Ms. Whitfield", "Hello Dana Whitfield";
 * "Hi there" only when the data has no first name. A body that opens with a name and a comma
 * ("Marcus, one more thought") names the recipient too.
 */
function greetingProblem(body: string, input: DraftInput): string | undefined {
  const first = input.contact.firstName.trim().toLowerCase();
  const last = input.contact.lastName.trim().toLowerCase();
  const greeting = GREETING_RE.exec(body);
  const named = greeting
    ? greeting[1]!.split(/\s[-\u2013\u2014]|[\u2013\u2014]/)[0]!.trim()
    : /^\s*(\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}[\p{L}'-]+)?),/u.exec(body)?.[1];
  // A placeholder in the greeting ("Hi {{first_name}}") is the placeholders gate's to report.
  if (named === undefined || /[{}[\]<>]/.test(named)) return undefined;
  const n = normalize(named).replace(/\s+/g, ' ');
  const ok = first
    ? [first, `${first} ${last}`].includes(n) || (!!last && TITLES.test(n) && n.replace(TITLES, '') === last)
    : n === '' || n === 'there' || (!!last && n.replace(TITLES, '') === last);
  if (ok) return undefined;
  // A body opening with an ordinary word and a comma ("Congrats, Dana") is not a greeting.
  if (!greeting && properNounCandidates(named).length === 0) return undefined;
  const who = [input.contact.firstName, input.contact.lastName].filter(Boolean).join(' ') || 'the recipient';
  return `the greeting names "${named || '(nobody)'}", not the recipient (${who})`;
}

export function gateFailures(results: GateResult[]): GateFailure[] {
  return results.flatMap((r) => r.problems.map((p) => ({ gate: r.gate, ...p })));
}

/** 1 for identical texts, 0 for nothing in common (by edit distance). */
export function similarity(a: string, b: string): number {
  const x = normalize(a).replace(/\s+/g, ' ').trim();
  const y = normalize(b).replace(/\s+/g, ' ').trim();
  const longest = Math.max(x.length, y.length);
  return longest === 0 ? 1 : 1 - distance(x, y) / longest;
}

function allowedHosts(input: DraftInput): string[] {
  const hosts: string[] = [];
  if (input.account.domain) hosts.push(input.account.domain.toLowerCase().replace(/^www\./, ''));
  if (input.sender.bookingUrl) {
    try {
      hosts.push(new URL(input.sender.bookingUrl).hostname.toLowerCase());
    } catch {
      // an unparseable booking URL allows nothing
    }
  }
  return hosts;
}

function mentionsSignal(text: string, input: DraftInput): boolean {
  const t = normalize(stripLinks(text));
  const nameParts = new Set(
    normalize(
      [input.account.name, ...input.account.aliases, input.contact.firstName, input.contact.lastName].join(' '),
    ).split(/\s+/),
  );
  const titleWords = normalize(`${input.signal.title}`)
    .split(/[^\p{L}\d]+/u)
    .filter((w) => w.length >= 4 && !STOPWORDS.has(w) && !nameParts.has(w));
  const words = [...(SIGNAL_WORDS[input.signal.type] ?? []), ...titleWords];
  if (words.some((w) => containsWord(t, w))) return true;
  const signalNumbers = quantitiesIn(`${input.signal.title} ${input.signal.summary}`, { smallWords: true })
    .map((q) => q.value)
    .filter((v): v is number => v !== undefined && v >= 10);
  return quantitiesIn(t).some((q) => q.value !== undefined && signalNumbers.includes(q.value));
}
