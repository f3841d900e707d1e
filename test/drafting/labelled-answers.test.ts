// The gates over a labelled set of model answers (test/fixtures/drafting/model-answers.ts):
// every bad answer is caught by the gate it names, no good answer is rejected, and the
// confusion over the whole set is printed for whoever runs the suite.
import { describe, expect, it } from 'vitest';
import { gateFailures, runGates } from '../../drafting/gates.js';
import { LABELLED_ANSWERS, type LabelledAnswer } from '../fixtures/drafting/model-answers.js';
import { inputFor } from './inputs.js';

const seen = new Map<LabelledAnswer, ReturnType<typeof gateFailures>>();
const failuresOf = (a: LabelledAnswer) => {
  if (!seen.has(a)) seen.set(a, gateFailures(runGates(a.answer, inputFor(a.type))));
  return seen.get(a)!;
};
const good = LABELLED_ANSWERS.filter((a) => a.label === 'good');
const bad = LABELLED_ANSWERS.filter((a) => a.label === 'bad');

describe('labelled model answers', () => {
  it('hold at least 60 bad and 30 good answers across the four signal types', () => {
    expect(bad.length).toBeGreaterThanOrEqual(60);
    expect(good.length).toBeGreaterThanOrEqual(30);
    for (const type of ['funding', 'job_change', 'news', 'hiring'])
      expect(LABELLED_ANSWERS.filter((a) => a.type === type && a.label === 'bad').length).toBeGreaterThanOrEqual(10);
    expect(new Set(LABELLED_ANSWERS.map((a) => a.id)).size).toBe(LABELLED_ANSWERS.length);
  });

  it.each(good.map((a) => [a.id, a] as const))('good: %s passes every gate', (_id, a) => {
    expect(failuresOf(a)).toEqual([]);
  });

  it.each(bad.map((a) => [a.id, a] as const))('bad: %s is caught', (_id, a) => {
    expect(failuresOf(a).map((f) => f.gate)).toContain(a.gate);
  });

  it('confusion: every bad answer caught, no good answer rejected', () => {
    const caught = (a: LabelledAnswer) => failuresOf(a).length > 0;
    const m = {
      badCaught: bad.filter(caught).length,
      badPassed: bad.filter((a) => !caught(a)).map((a) => a.id),
      goodPassed: good.filter((a) => !caught(a)).length,
      goodRejected: good.filter(caught).map((a) => a.id),
    };
    const byGate = new Map<string, number>();
    for (const a of bad) byGate.set(a.gate!, (byGate.get(a.gate!) ?? 0) + 1);
    console.log(
      [
        'drafting gates over the labelled set',
        `                 caught  passed`,
        `  bad  (${String(bad.length).padStart(3)})   ${String(m.badCaught).padStart(6)}  ${String(m.badPassed.length).padStart(6)}`,
        `  good (${String(good.length).padStart(3)})   ${String(m.goodRejected.length).padStart(6)}  ${String(m.goodPassed).padStart(6)}`,
        `  bad answers by the gate that must catch them: ${[...byGate].map(([g, n]) => `${g} ${n}`).join(', ')}`,
      ].join('\n'),
    );
    expect(m.badPassed).toEqual([]);
    expect(m.goodRejected).toEqual([]);
  });
});
