// The offline drafter: used when no API key is configured, and by teams that keep data away from
// a model. It plans first (offline-plan.ts: the signal, the facts that add most, an angle for the
// contact's role, a reason to write), then writes each step from its own sentence pattern:
// opener, new angle, proof point, question, break-up. Every sentence is whole, every fact it
// quotes is cited, and nothing but the data, the contact and the playbook is named, so the same
// gates pass. Every draft it makes is labelled `offline` wherever it is shown.
import type { TemplateStep } from '../db/queries/templates.js';
import { gateFailures, GATE_LIMITS, runGates } from './gates.js';
import type { DraftOutcome } from './llm-drafter.js';
import { planDraft, type Angle, type DraftPlan } from './offline-plan.js';
import type { DraftFact, DraftInput, DraftedStep } from './schema.js';

const OFFLINE_PROMPT_VERSION = 'offline-v2';
export type { Angle } from './offline-plan.js';

const sentence = (s: string) => {
  const t = s.trim().replace(/\s+/g, ' ');
  return /[.!?]$/.test(t) ? t : `${t}.`;
};
/** "Reps spend…" → "reps spend…", but a name stays a name. */
const lowerFirst = (s: string) =>
  /^\p{Lu}\p{Ll}+\b/u.test(s) && !/^\p{Lu}\p{Ll}+\s\p{Lu}/u.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;

/** The first sentence: what happened, in our words (the headline is not repeated). */
function acknowledge(input: DraftInput, plan: DraftPlan): string {
  const a = input.account.name;
  switch (plan.type) {
    case 'funding':
      return `Congratulations on the new funding at ${a}.`;
    case 'job_change':
      return `Congratulations on the new role at ${a}.`;
    case 'hiring':
      return `I saw that ${a} is hiring, and it caught my attention.`;
    case 'acquisition':
      if (plan.deal.role === 'acquirer' && plan.deal.other)
        return `I saw the news that ${a} is acquiring ${plan.deal.other}.`;
      if (plan.deal.role === 'target' && plan.deal.other)
        return `I saw the news that ${plan.deal.other} is acquiring ${a}.`;
      // The account is neither party: it uses the company being bought (a RevOps tag, not a claim to make).
      if (plan.deal.role === 'competitor' && plan.deal.bought)
        return plan.deal.other
          ? `I saw the news that ${plan.deal.other} is acquiring ${plan.deal.bought}.`
          : `I saw the news that ${plan.deal.bought} is being acquired.`;
      return `I saw the news of the acquisition at ${a}.`;
    case 'news':
      // The opener carries the signal: the news itself, once, in the headline's words.
      return `I read the news that ${input.signal.title.replace(/[[\]{}<>]/g, '').replace(/[.!?]+$/, '')}.`;
    case 'inbound':
      return `Thank you for your interest in ${input.playbook.company ?? 'what we do'}.`;
    case 'evergreen':
      return `I work with teams like the one at ${a}, and I wanted to introduce myself.`;
    default:
      // A rep's own note has no other words for what happened than its title.
      return `I came across this and thought of you: ${sentence(input.signal.title.replace(/[[\]{}<>]/g, ''))}`;
  }
}

/** Why this matters to someone in this role, after this kind of signal. Complete, claim-free sentences. */
const REASONS: Record<string, Partial<Record<Angle, string>> & { general: string }> = {
  funding: {
    sales: 'New funding usually comes with a bigger number to hit and new reps to ramp.',
    sales_development: 'After a raise, outbound teams are usually asked for more meetings in the same hours.',
    revops: 'A raise tends to bring new territories and quotas, and someone has to keep the data straight.',
    founder: 'After a raise, the hard part is turning the plan into pipeline quickly.',
    general: 'A new round usually changes what the team is asked to deliver this year.',
  },
  hiring: {
    sales: 'New reps need accounts worth calling from their first week.',
    sales_development: 'A new outbound team ramps faster when every rep starts with a reason to write.',
    revops: 'Every new hire means another territory, another quota and more data to keep clean.',
    founder: 'Hiring ahead of demand pays off only when the new people find the right accounts.',
    general: 'Growing a team this way usually puts pressure on how new people get started.',
  },
  job_change: {
    sales: 'The first months in a new sales role are when the plan for the year gets written.',
    sales_development: 'A new leader of an outbound team usually looks hard at where meetings come from.',
    revops: 'A new role is a good moment to decide which tools and reports the team really needs.',
    founder: 'A new role at the top usually comes with a fresh look at how growth is planned.',
    general: 'The first months in a new role are usually when priorities get set.',
  },
  news: {
    sales: 'News like this tends to open conversations with customers who were waiting for it.',
    sales_development: 'News like this gives every outbound rep a fresh reason to reach out.',
    revops: 'Changes like this usually ripple into territories, routing and reporting.',
    founder: 'Moments like this are when a company decides where to put its next effort.',
    general: 'News like this usually shifts a few priorities for the team.',
  },
  acquisition_acquirer: {
    sales: 'Bringing two customer lists together is a rare chance to sell more to both.',
    revops: 'Merging two sales teams means merging two ways of routing, reporting and forecasting.',
    general: 'A deal like this comes with a growth plan that the combined team now has to deliver.',
  },
  acquisition_target: {
    general: 'Under a new owner, teams are usually asked to show what they bring, and quickly.',
  },
  acquisition_competitor: {
    revops: 'When a tool changes owners, its roadmap, pricing and contract terms usually get a second look.',
    general: 'When a vendor changes owners, teams that rely on it usually take a fresh look at their options.',
  },
  acquisition: { general: 'A deal like this usually changes plans on both sides.' },
  manual: { general: 'It seemed close to what your team is working on.' },
  inbound: { general: 'I would like to make sure you get what you came for.' },
  evergreen: { general: 'Most teams we talk to want more good conversations from the same hours of outreach.' },
};

function reason(plan: DraftPlan): string {
  const key = plan.type === 'acquisition' && plan.deal.role ? `acquisition_${plan.deal.role}` : plan.type;
  const r = REASONS[key] ?? REASONS.manual!;
  return r[plan.angle] ?? r.general;
}

/** The second step opens with a question for the role, not with the signal again. */
const ANGLE_QUESTIONS: Record<Angle, string> = {
  sales: 'How are you thinking about pipeline for the coming quarter?',
  sales_development: 'How do your reps decide which accounts to write to first?',
  revops: 'How does your team keep territories and routing in step as the sales team grows?',
  founder: 'What would make the coming quarter a good one for the team?',
  general: 'What does the team most want to improve this quarter?',
};
/** What the question step asks who owns, per role. */
const OWNED_TOPIC: Record<Angle, string> = {
  sales: 'the pipeline plan',
  sales_development: 'outbound prospecting',
  revops: 'sales tooling',
  founder: 'go-to-market planning',
  general: 'this topic',
};
/** Each fact is brought up by a different kind of sentence. */
const FACT_FRAMES = [
  (t: string) => `One detail stood out to me: ${t}`,
  (t: string) => `Here is something else I read: ${t}`,
  (t: string) => `I also came across this: ${t}`,
];

function subjectFor(account: string, topic: string): string {
  const room = GATE_LIMITS.subjectMaxChars - topic.length - 2;
  const name = account.length > room ? account.split(/\s+/)[0]!.slice(0, Math.max(0, room)) : account;
  return `${name}: ${topic}`;
}

const TOPICS: Record<string, string> = {
  funding: 'after the new funding',
  job_change: 'the first months in the role',
  hiring: 'ramping the new hires',
  news: 'after the news',
  acquisition: 'after the deal',
  inbound: 'your note',
  evergreen: 'a short introduction',
};

function ask(input: DraftInput): string {
  return input.playbook.callToAction
    ? `Would ${input.playbook.callToAction} be worth it?`
    : 'Would a short call be worth it?';
}

/** A value proposition as a whole sentence (the company's name belongs to the signature, not here). */
const VALUE_FRAMES = [
  (v: string) => `Our customers find that ${v}`,
  (v: string) => `Teams that work with us also see that ${v}`,
];
function valueLine(value: string, n: number): string {
  return VALUE_FRAMES[n % VALUE_FRAMES.length]!(lowerFirst(sentence(value)));
}

/** Questions for steps beyond the template's usual four, when the data has run out. */
const SPARE_QUESTIONS = [
  'If a call is too much, would a short written summary be easier to look at?',
  'Is improving outbound on your list for this quarter, or better left for later?',
  'Would it help if I sent a short example built from public news about your company?',
  'Is there a better time of year to bring this up with you?',
];

interface OfflineOptions {
  /** The angle for this contact (a play's persona decides it; two contacts at one account get different ones). */
  angle?: Angle;
}

export function draftOffline(input: DraftInput, opts: OfflineOptions = {}): DraftOutcome {
  const plan = planDraft(input, opts.angle ?? input.experiment?.angle);
  const first = input.contact.firstName || 'there';
  const facts = [...plan.facts];
  const values = [...(input.playbook.valueProps ?? [])];
  const proofs = [...(input.playbook.proofPoints ?? [])];
  const frames = [...FACT_FRAMES];
  const cite = (f: DraftFact | undefined | null) => (f ? [f.id] : []);
  const quote = (f: DraftFact) => (frames.shift() ?? FACT_FRAMES[2]!)(sentence(f.text));
  const steps: DraftedStep[] = [];
  let followUp = 0;
  let spare = 0;
  let valuesUsed = 0;
  let askedOwner = false;

  input.steps.forEach((step: TemplateStep, i: number) => {
    const newThread = i === 0 || !!step.newThread;
    const subject = (topic: string) => (newThread ? subjectFor(input.account.name, topic) : '');
    const para = (...lines: (string | false | undefined)[]) =>
      [`Hi ${first},`, '', ...lines.filter((l): l is string => typeof l === 'string')].join('\n');

    if (i === 0 || step.kind === 'opener') {
      // The signal, the one fact that adds most, why it matters to this role, what we do, the ask.
      const fact = facts.shift();
      steps.push({
        subject: subject(TOPICS[plan.type] ?? 'a short note'),
        body: para(
          [acknowledge(input, plan), fact ? quote(fact) : undefined].filter(Boolean).join(' '),
          '',
          reason(plan),
          values[0] ? valueLine(values.shift()!, valuesUsed++) : undefined,
          '',
          ask(input),
        ),
        citedFactIds: cite(fact ?? plan.signalFact),
      });
      return;
    }
    if (step.kind === 'breakup') {
      steps.push({
        subject: subject('closing the loop'),
        body: para(
          'I will stop here so this does not crowd your inbox.',
          'If the timing changes, a reply to this thread is all it takes.',
          '',
          'Thank you for reading this far.',
        ),
        citedFactIds: [],
      });
      return;
    }
    followUp++;
    if (followUp === 1) {
      // A new angle: a question for the role, then the next fact or another way we help.
      const fact = facts.shift();
      steps.push({
        subject: subject('a question'),
        body: para(
          ANGLE_QUESTIONS[plan.angle],
          fact ? quote(fact) : values[0] ? valueLine(values.shift()!, valuesUsed++) : undefined,
        ),
        citedFactIds: cite(fact),
      });
      return;
    }
    if (followUp === 2 && proofs.length) {
      // A proof point, with a way to see it.
      steps.push({
        subject: subject('what a similar team saw'),
        body: para(
          `Here is what a team in a similar spot saw: ${sentence(proofs.shift()!)}`,
          input.sender.bookingUrl
            ? `If you want to see how, you can pick a time here: ${input.sender.bookingUrl}`
            : 'I am happy to walk you through how they did it.',
        ),
        citedFactIds: [],
      });
      return;
    }
    if (!askedOwner) {
      askedOwner = true;
      // A short question about who owns the topic, with the last fact if one is left.
      const fact = facts.shift();
      steps.push({
        subject: subject('who owns this'),
        body: para(
          fact ? quote(fact) : undefined,
          `A quick question for you: who at ${input.account.name} owns ${OWNED_TOPIC[plan.angle]} today?`,
        ),
        citedFactIds: cite(fact),
      });
      return;
    }
    const fact = facts.shift();
    const value = fact ? undefined : values.shift();
    steps.push({
      subject: subject('one more idea'),
      body: para(
        fact ? quote(fact) : value ? valueLine(value, valuesUsed++) : SPARE_QUESTIONS[spare++ % SPARE_QUESTIONS.length],
      ),
      citedFactIds: cite(fact),
    });
  });

  const draft = { steps };
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

/** What is true without a model: the offline drafter writes from its plan and reads no instruction. */
export const OFFLINE_INSTRUCTION =
  'No model is configured, and the offline drafter cannot follow an instruction: it would write the same plan ' +
  'again. Edit the steps yourself, or regenerate with the instruction left empty; set ANTHROPIC_API_KEY for ' +
  'rewrites that follow instructions.';
