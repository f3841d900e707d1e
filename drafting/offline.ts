// The offline drafter: used when no API key is configured. Per-signal-type templates filled only
// with text from the data (signal, dossier facts, contact, playbook), so the same gates pass.
// Every draft it makes is labelled `offline` wherever it is shown.
import type { TemplateStep } from '../db/queries/templates.js';
import { gateFailures, GATE_LIMITS, runGates } from './gates.js';
import type { DraftOutcome } from './llm-drafter.js';
import type { DraftFact, DraftInput, DraftedStep } from './schema.js';

export const OFFLINE_PROMPT_VERSION = 'offline-v1';

const OPENERS: Record<string, { subject: string; lead: string }> = {
  funding: { subject: 'new funding', lead: 'Congratulations on the new funding' },
  job_change: { subject: 'your new role', lead: 'Congratulations on the new role' },
  hiring: { subject: 'the open roles', lead: 'I noticed the team is hiring' },
  acquisition: { subject: 'the acquisition', lead: 'I saw the news of the deal' },
  news: { subject: 'the recent news', lead: 'I read the recent news' },
  manual: { subject: 'a quick note', lead: 'I came across this' },
  inbound: { subject: 'your note', lead: 'Thanks for reaching out' },
};

/** Facts safe to quote whole: no brackets, braces, links or very long passages. */
function usableFacts(facts: DraftFact[]): DraftFact[] {
  return facts.filter(
    (f) => !/[[\]{}<>]|https?:|www\./i.test(f.text) && f.text.split(/\s+/).length <= 40 && !f.flags.includes('stale'),
  );
}

const words = (s: string) => new Set(s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/** Says something of its own: a sentence of 6+ words that does not merely restate the headline. */
function addsSomething(fact: DraftFact, headline: string): boolean {
  const a = words(fact.text),
    b = words(headline);
  if (a.size < 6) return false;
  const shared = [...a].filter((w) => b.has(w)).length;
  return shared / (a.size + b.size - shared) <= 0.5;
}

const sentence = (s: string) => {
  const t = s.trim().replace(/\s+/g, ' ');
  return /[.!?]$/.test(t) ? t : `${t}.`;
};

function subjectFor(account: string, topic: string): string {
  const room = GATE_LIMITS.subjectMaxChars - topic.length - 2;
  const name = account.length > room ? account.split(/\s+/)[0]!.slice(0, Math.max(0, room)) : account;
  return `${name}: ${topic}`;
}

function ask(input: DraftInput): string {
  return input.playbook.callToAction
    ? `Would ${input.playbook.callToAction} be worth it?`
    : 'Would a short call be worth it?';
}

/** Ways to bring up one more fact, so two fact-led follow-ups do not read alike. */
const FACT_FRAMES: [string, string][] = [
  ['Another detail stood out to me:', 'That is usually when the ideas in my first note matter most.'],
  ['I also saw this:', 'If that is on your plate, I have a few notes from teams in the same spot. Want them?'],
  ['Something else caught my eye:', 'Curious whether that changes what you are prioritising this quarter.'],
];

/** Follow-ups for when the data runs out: no names, numbers or claims, so nothing to ground. */
const GENERIC_ANGLES = [
  'One short question: is improving outbound on your list for this quarter, or better left for later?',
  'If a call is too much, I can send a short written summary instead. Would that be easier to look at?',
  'Is there someone else on your team who owns this topic? A name is plenty, and I will take it from there.',
];

export function draftOffline(input: DraftInput): DraftOutcome {
  const facts = usableFacts(input.facts);
  // The opener cites the first fact (usually the signal's own article) and quotes one that adds
  // something; follow-ups each quote another such fact, never a bare name or the headline again.
  const fresh = facts.filter((f) => addsSomething(f, input.signal.title));
  const first = input.contact.firstName || 'there';
  const opener = OPENERS[input.signal.type] ?? OPENERS.manual!;
  const proofs = [...(input.playbook.proofPoints ?? [])];
  const values = [...(input.playbook.valueProps ?? [])];
  const openerFacts = [
    ...new Map([facts[0], fresh[0]].filter((f): f is DraftFact => !!f).map((f) => [f.id, f])).values(),
  ];
  const extraFacts = fresh.filter((f) => !openerFacts.includes(f));
  const bodies: DraftedStep[] = [];
  let followUps = 0;
  let generic = 0;
  let factFrames = 0;

  input.steps.forEach((step: TemplateStep, i: number) => {
    const newThread = i === 0 || !!step.newThread;
    if (step.kind === 'opener' || i === 0) {
      const cited = openerFacts;
      const title = input.signal.title.replace(/[[\]{}<>]/g, '').trim();
      const lines = [`Hi ${first},`, '', `${opener.lead}: ${sentence(title)}`];
      if (fresh[0]) lines.push(`One more thing I noted: ${sentence(fresh[0].text)}`);
      if (values[0]) lines.push('', `Why I am writing: ${sentence(values[0])}`);
      lines.push('', ask(input));
      bodies.push({
        subject: subjectFor(input.account.name, opener.subject),
        body: lines.join('\n'),
        citedFactIds: cited.map((f) => f.id),
      });
      return;
    }
    if (step.kind === 'breakup') {
      const body = [
        `Hi ${first},`,
        '',
        'I have not heard back, so I will assume the timing is not right and stop writing about this.',
        'If it comes up again later, a reply to this thread is all it takes.',
        '',
        'Thanks for reading.',
      ].join('\n');
      bodies.push({
        subject: newThread ? subjectFor(input.account.name, 'closing the loop') : '',
        body,
        citedFactIds: [],
      });
      return;
    }
    followUps++;
    const useProof = followUps === 1 && proofs.length > 0;
    const fact = useProof ? undefined : extraFacts.shift();
    let body: string;
    let cited: number[] = [];
    if (useProof) {
      body = [
        `Hi ${first},`,
        '',
        `A result that may be relevant: ${sentence(proofs.shift()!)}`,
        input.sender.bookingUrl
          ? `If you want to see how, you can pick a time here: ${input.sender.bookingUrl}`
          : 'Happy to walk you through how it was done.',
      ].join('\n');
    } else if (fact) {
      cited = [fact.id];
      const [intro, close] = FACT_FRAMES[factFrames++ % FACT_FRAMES.length]!;
      body = [`Hi ${first},`, '', `${intro} ${sentence(fact.text)}`, '', close].join('\n');
    } else if (values.length > 1) {
      body = [
        `Hi ${first},`,
        '',
        `A different angle: ${sentence(values.splice(1, 1)[0]!)}`,
        '',
        'Is that a priority for your team this quarter?',
      ].join('\n');
    } else if (proofs.length) {
      body = [`Hi ${first},`, '', `Another example: ${sentence(proofs.shift()!)}`, '', 'Open to comparing notes?'].join(
        '\n',
      );
    } else {
      body = [`Hi ${first},`, '', GENERIC_ANGLES[generic++ % GENERIC_ANGLES.length]!].join('\n');
    }
    bodies.push({
      subject: newThread ? subjectFor(input.account.name, 'one more idea') : '',
      body,
      citedFactIds: cited,
    });
  });

  const draft = { steps: bodies };
  const gateResults = runGates(draft, input);
  return {
    source: 'offline',
    promptVersion: OFFLINE_PROMPT_VERSION,
    draft,
    gateResults,
    failures: gateFailures(gateResults),
    attempts: 0,
    usage: [],
  };
}
