// What the offline drafter will say, decided before any sentence is written: the signal, the
// one or two facts that add most to it (never one that restates the headline), an angle for
// the contact's role and a reason to write. Pure; drafting/offline.ts turns a plan into text.
import type { DraftFact, DraftInput } from './schema.js';

export type Angle = 'sales' | 'sales_development' | 'revops' | 'founder' | 'general';

export interface DraftPlan {
  type: string;
  angle: Angle;
  /** Facts to use, best first; the first is cited by the opener. */
  facts: DraftFact[];
  /** The signal's own source (the article), cited when no other fact adds anything. */
  signalFact: DraftFact | null;
  /** For acquisitions: which side the account is on, and the other party as written. */
  deal: { role: 'acquirer' | 'target' | 'competitor' | null; other: string | null; bought?: string | null };
}

// Words with a crude stem, so "raised" and "raises" count as one word.
const stem = (w: string) => (w.length > 4 ? w.replace(/(?:ing|ed|es|s)$/, '') : w);
const tokens = (s: string) => new Set((s.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []).map(stem));

/** Share of the fact's words already in the other text: 1 = says nothing new. */
function overlap(fact: string, other: string): number {
  const a = tokens(fact);
  const b = tokens(other);
  if (!a.size) return 1;
  return [...a].filter((w) => b.has(w)).length / a.size;
}

/**
 * Does the fact mostly say what the headline says? The account's own name is left out of the
 * count: "Northwind opened an office in Denver" is news next to "Northwind raises $12M".
 */
export function restatesHeadline(fact: string, headline: string, names: string[]): boolean {
  const strip = (s: string) => names.reduce((t, n) => t.split(n).join(' '), s);
  return overlap(strip(fact), strip(headline)) >= 0.4;
}

/** The angle for a role: from the play's persona when there is one, else from the title. */
function angleFor(persona: string | null | undefined, title: string): Angle {
  const t = `${persona ?? ''} ${title}`.toLowerCase();
  if (/sales development|\bsdr\b|\bbdr\b|outbound/.test(t)) return 'sales_development';
  if (/operations|revops|\bops\b|enablement/.test(t)) return 'revops';
  if (/founder|chief executive|\bceo\b|owner|managing director|general manager/.test(t)) return 'founder';
  if (/sales|revenue|commercial|business development|growth|account/.test(t)) return 'sales';
  return 'general';
}

/** Facts safe to quote whole: no brackets, braces, links or very long passages, not stale. */
function quotable(f: DraftFact): boolean {
  return !/[[\]{}<>]|https?:|www\.|@/i.test(f.text) && f.text.split(/\s+/).length <= 35 && !f.flags.includes('stale');
}

// Which kinds of fact help most per signal: what the money, the hire or the deal is for.
const KIND_WEIGHT: Record<string, Record<string, number>> = {
  funding: { plan: 3, hiring: 3, expansion: 2, office: 2, scale: 1 },
  hiring: { location: 2, stack: 3, plan: 2, funding: 1 },
  job_change: { history: 3, plan: 2, company: 1 },
  news: { scale: 3, expansion: 2, plan: 2, launch: 0 },
  acquisition: { plan: 3, scale: 2, company: 2, product: 2 },
};

export function planDraft(input: DraftInput, angle?: Angle): DraftPlan {
  // What the opener already says is the headline; a fact that mostly repeats it adds nothing.
  const headline = input.signal.title;
  const names = [input.account.name, ...input.account.aliases];
  const usable = input.facts.filter(quotable);
  const weights = KIND_WEIGHT[input.signal.type] ?? {};
  const chosen: DraftFact[] = [];
  const ranked = usable
    .filter((f) => tokens(f.text).size >= 5 && !restatesHeadline(f.text, headline, names))
    .sort((a, b) => (weights[b.kind] ?? 1) - (weights[a.kind] ?? 1) || a.id - b.id);
  for (const f of ranked) {
    // Two facts that say the same thing are one fact.
    if (chosen.every((c) => overlap(f.text, c.text) <= 0.5)) chosen.push(f);
    if (chosen.length === 3) break;
  }
  const facts = input.signal.facts as { accountRole?: unknown; acquirer?: unknown; target?: unknown };
  const role =
    facts.accountRole === 'acquirer' || facts.accountRole === 'target' || facts.accountRole === 'competitor'
      ? facts.accountRole
      : null;
  // The other party: whom the account buys, who buys it, or (a competitor bought) who buys the competitor.
  const other = role === 'acquirer' ? facts.target : role ? facts.acquirer : null;
  return {
    type: input.signal.type,
    angle: angle ?? angleFor(input.contact.persona, input.contact.title),
    facts: chosen,
    signalFact: usable.find((f) => f.sourceUrl === input.signal.url) ?? usable[0] ?? null,
    deal: {
      role,
      other: typeof other === 'string' && other.trim() ? other.trim() : null,
      bought: typeof facts.target === 'string' && facts.target.trim() ? facts.target.trim() : null,
    },
  };
}
