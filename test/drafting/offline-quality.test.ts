// Reads every offline draft of the demo scenes (each signal type, each role's angle) as a rep
// would: no sentence repeats what an earlier one said, no fragments, the opener within the
// gate's word limit, every follow-up brings something new, no two steps built the same way,
// no fact that restates the headline, and every gate passes.
import { describe, expect, it } from 'vitest';
import { GATE_LIMITS } from '../../drafting/gates.js';
import { draftOffline, type Angle } from '../../drafting/offline.js';
import { restatesHeadline } from '../../drafting/offline-plan.js';
import type { DraftInput } from '../../drafting/schema.js';
import { SCENES } from '../fixtures/drafting/scenes.js';
import { inputFor } from './inputs.js';

const STOP = new Set(
  (
    'the and for with from that this your you our are was will have has its who how what which into about would ' +
    'there their them they been when where before after also'
  ).split(' '),
);
const content = (s: string) => new Set((s.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []).filter((w) => !STOP.has(w)));
const jaccard = (a: Set<string>, b: Set<string>) => {
  const shared = [...a].filter((w) => b.has(w)).length;
  return shared / (a.size + b.size - shared || 1);
};
/** The sentences of a body after its greeting; a line ending in a link counts as one. */
const sentences = (body: string) =>
  body
    .split('\n')
    .slice(1)
    .flatMap((line) => line.split(/(?<=[.!?])\s+(?=\p{Lu})/u))
    .map((s) => s.trim())
    .filter(Boolean);
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** Problems a rep would notice; empty when the draft reads like a person wrote it. */
function readingProblems(input: DraftInput, steps: { body: string; citedFactIds: number[] }[]): string[] {
  const out: string[] = [];
  const said: { step: number; text: string; words: Set<string> }[] = [];
  const openings = new Set<string>();
  steps.forEach((s, i) => {
    const lines = sentences(s.body);
    const opening = lines[0]?.split(/\s+/).slice(0, 3).join(' ').toLowerCase() ?? '';
    if (openings.has(opening)) out.push(`step ${i + 1} is built like an earlier step ("${opening}…")`);
    openings.add(opening);
    const seenBefore = new Set(said.flatMap((x) => [...x.words]));
    const mine = new Set(lines.flatMap((l) => [...content(l)]));
    if (i > 0 && [...mine].filter((w) => !seenBefore.has(w)).length / (mine.size || 1) < 0.4)
      out.push(`step ${i + 1} brings too little that is new`);
    for (const l of lines) {
      const isLink = /https?:\/\/\S+$/.test(l);
      if (!isLink && !/^[\p{Lu}"'].*[.!?]$/u.test(l)) out.push(`step ${i + 1}: not a whole sentence: "${l}"`);
      if (words(l) < 4) out.push(`step ${i + 1}: fragment: "${l}"`);
      const afterColon = /:\s(.+)$/.exec(l)?.[1];
      if (afterColon && !isLink && words(afterColon) < 4) out.push(`step ${i + 1}: fragment after a colon: "${l}"`);
      const w = content(l);
      for (const prev of said)
        if (jaccard(w, prev.words) >= 0.5) out.push(`step ${i + 1} repeats step ${prev.step}: "${l}" ~ "${prev.text}"`);
      said.push({ step: i + 1, text: l, words: w });
    }
    for (const id of s.citedFactIds) {
      const f = input.facts.find((x) => x.id === id)!;
      // The opener may cite the signal's own article for the signal itself, without quoting it.
      if (i === 0 && f.sourceUrl === input.signal.url && !s.body.includes(f.text)) continue;
      if (restatesHeadline(f.text, input.signal.title, [input.account.name]))
        out.push(`step ${i + 1} quotes a fact that restates the headline`);
    }
  });
  if (words(steps[0]!.body) > GATE_LIMITS.maxWords.opener!) out.push('opener over the word limit');
  return out;
}

const ANGLES: Angle[] = ['sales', 'sales_development', 'revops', 'founder', 'general'];
const cases = (Object.keys(SCENES) as (keyof typeof SCENES)[]).flatMap((type) =>
  ANGLES.map((angle) => [type, angle] as const),
);

describe('offline drafts read like a person wrote them', () => {
  it.each(cases)('%s, %s angle', (type, angle) => {
    const input = inputFor(type);
    const out = draftOffline(input, { angle });
    expect(out.failures).toEqual([]);
    expect(readingProblems(input, out.draft.steps)).toEqual([]);
  });

  it('without proof points or a booking link, and with a longer template', () => {
    const input = {
      ...inputFor('funding'),
      sender: { name: 'Riley Rep', emails: [], bookingUrl: null },
      playbook: { company: 'Prospector Demo Co' },
      steps: [
        { kind: 'opener' as const, delayDays: 0 },
        ...[3, 4, 5, 6, 7].map((d) => ({ kind: 'follow_up' as const, delayDays: d })),
        { kind: 'breakup' as const, delayDays: 8 },
      ],
    };
    const out = draftOffline(input);
    expect(out.failures).toEqual([]);
    expect(readingProblems(input, out.draft.steps)).toEqual([]);
  });

  it.each(ANGLES)('a competitor bought (the account uses it, is neither party), %s angle', (angle) => {
    // The account is not in the deal: the opener names the deal, never claims the account is buying or bought.
    const base = inputFor('acquisition');
    const input: DraftInput = {
      ...base,
      account: { ...base.account, name: 'Quarry Security' },
      signal: {
        ...base.signal,
        title: 'Tessellate Data to acquire Vizly',
        facts: { acquirer: 'Tessellate Data', target: 'Vizly', accountRole: 'competitor', competitor: 'Vizly' },
      },
      facts: base.facts.filter((f) => f.kind !== 'plan'),
    };
    const out = draftOffline(input, { angle });
    expect(out.failures).toEqual([]);
    expect(readingProblems(input, out.draft.steps)).toEqual([]);
    const opener = out.draft.steps[0]!.body;
    expect(opener).toContain('Tessellate Data is acquiring Vizly');
    expect(opener).not.toMatch(/acquiring Quarry Security|Quarry Security is acquiring/);
  });

  it('two contacts at one account with different angles never get the same words', () => {
    const input = inputFor('funding');
    const a = draftOffline(input, { angle: 'sales' }).draft.steps;
    const b = draftOffline(input, { angle: 'revops' }).draft.steps;
    expect(a[0]!.body).not.toBe(b[0]!.body);
    expect(a[1]!.body).not.toBe(b[1]!.body);
  });

  it('the catcher catches: a restated fact, a fragment, a repeated build', () => {
    const input = inputFor('funding');
    input.facts.push({ ...input.facts[0]!, id: 999, text: 'Northwind Analytics raises $12M in a Series A.' });
    const problems = readingProblems(input, [
      { body: 'Hi Dana,\n\nCongratulations on the new funding at Northwind Analytics.', citedFactIds: [101] },
      { body: 'Hi Dana,\n\nAnother detail stood out to me: Northwind Analytics.', citedFactIds: [999] },
      {
        body: 'Hi Dana,\n\nAnother detail stood out to me: Congratulations on the new funding at Northwind.',
        citedFactIds: [],
      },
    ]);
    expect(problems.join('\n')).toMatch(/restates the headline/);
    expect(problems.join('\n')).toMatch(/fragment after a colon/);
    expect(problems.join('\n')).toMatch(/built like an earlier step/);
    expect(problems.join('\n')).toMatch(/repeats step 2/);
  });
});
