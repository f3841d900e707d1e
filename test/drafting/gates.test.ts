import { describe, expect, it } from 'vitest';
import { gateFailures, runGates, similarity, linksIn, type GateName } from '../../drafting/gates.js';
import { draftOffline } from '../../drafting/offline.js';
import type { DraftedSequence } from '../../drafting/schema.js';
import { SCENES } from '../fixtures/drafting/scenes.js';
import { goodFundingDraft } from './builders.js';
import { inputFor } from './inputs.js';

const input = inputFor('funding');
const ids = input.facts.map((f) => f.id);
const good = (): DraftedSequence => goodFundingDraft(ids);
const failing = (d: DraftedSequence) => new Set(gateFailures(runGates(d, input)).map((f) => f.gate));
const withStep = (i: number, patch: Partial<DraftedSequence['steps'][number]>): DraftedSequence => {
  const d = good();
  d.steps[i] = { ...d.steps[i]!, ...patch };
  return d;
};
const only = (d: DraftedSequence, gate: GateName) => {
  const failures = gateFailures(runGates(d, input));
  expect(failures.map((f) => f.gate)).toContain(gate);
  return failures.filter((f) => f.gate === gate);
};

describe('gates', () => {
  it('pass a good, grounded sequence and report a verdict for every gate', () => {
    const results = runGates(good(), input);
    expect(gateFailures(results)).toEqual([]);
    expect(results.map((r) => r.gate)).toEqual([
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
    ]);
  });

  it('catch an invented fact id', () => {
    const [f] = only(withStep(0, { citedFactIds: [ids[0]!, 999_999] }), 'cited_facts');
    expect(f).toMatchObject({ step: 1, message: expect.stringContaining('999999') });
  });

  it('catch a number that is not in the dossier, and name it', () => {
    const body = good().steps[1]!.body.replace('cut research time', 'booked 37% more meetings and cut research time');
    const f = only(withStep(1, { body }), 'grounding');
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('37%')]);
  });

  it('catch a proper noun or date that is not in the data', () => {
    const body = good().steps[2]!.body + ' We did the same for Globex in March.';
    const messages = only(withStep(2, { body }), 'grounding')
      .map((x) => x.message)
      .join('\n');
    expect(messages).toContain('Globex');
    expect(messages).toContain('March');
  });

  it('accept a number written differently from the data ($12M and 12 million)', () => {
    const body = good().steps[0]!.body.replace('$12M', '12 million dollar');
    expect(failing(withStep(0, { body })).has('grounding')).toBe(false);
  });

  it.each([['{{first_name}}'], ['[Company]'], ['<first name>'], ['TODO']])('catch the placeholder %s', (p) => {
    const [f] = only(withStep(3, { body: `${good().steps[3]!.body} ${p}` }), 'placeholders');
    expect(f!.message).toContain(p);
  });

  it('catch a link to a foreign domain but allow the account site and the booking link', () => {
    const [f] = only(withStep(3, { body: `${good().steps[3]!.body} See https://evil.example/offer` }), 'links');
    expect(f!.message).toContain('evil.example');
    expect(failing(good()).has('links')).toBe(false);
    expect(linksIn('see acme.io/pricing, e.g. Node.js').map((l) => l.host)).toEqual(['acme.io']);
  });

  it('limit the opener to 120 words and subjects to 60 characters', () => {
    const long = withStep(0, { body: `${good().steps[0]!.body} ${'really '.repeat(80)}`, subject: 'x'.repeat(61) });
    expect(only(long, 'length').map((f) => f.message)).toEqual([
      expect.stringMatching(/opener is \d+ words/),
      expect.stringContaining('61 characters'),
    ]);
  });

  it('require the opener to mention the signal', () => {
    const f = only(
      withStep(0, { subject: 'Northwind Analytics', body: 'Hi Dana,\n\nWould a 20-minute call next week be useful?' }),
      'signal_mention',
    );
    expect(f[0]!.step).toBe(1);
  });

  it('catch banned and spam phrases', () => {
    const f = only(withStep(1, { body: `${good().steps[1]!.body}\nJust following up on synergy.` }), 'banned_phrases');
    expect(f.map((x) => x.message).join(' ')).toMatch(/just following up[\s\S]*synergy/);
  });

  it('catch two steps more than 60% alike', () => {
    const d = good();
    d.steps[4] = { ...d.steps[4]!, body: d.steps[2]!.body.replace('Denver', 'Denver ') + ' Thanks.' };
    expect(only(d, 'similarity')[0]!.message).toMatch(/alike with step 3/);
    expect(similarity('abc', 'abc')).toBe(1);
  });

  it('catch a name spelled differently from the data', () => {
    const f = only(withStep(2, { body: good().steps[2]!.body.replace('Hi Dana', 'Hi Dnaa') }), 'names');
    expect(f.map((x) => x.message).join('\n')).toContain('did you mean Dana');
  });

  it('catch a signature or unsubscribe line written by the model', () => {
    const f = only(
      withStep(4, { body: `${good().steps[4]!.body}\n\nRiley Rep\nProspector Demo Co\nUnsubscribe here` }),
      'no_footer',
    );
    expect(f.length).toBeGreaterThanOrEqual(2);
  });
});

describe('offline drafter', () => {
  it.each(Object.keys(SCENES) as (keyof typeof SCENES)[])('passes every gate for a %s signal', (type) => {
    const input = inputFor(type);
    const out = draftOffline(input);
    expect(out.source).toBe('offline');
    expect(out.failures).toEqual([]);
    expect(out.draft.steps).toHaveLength(input.steps.length);
    expect(out.draft.steps[0]!.citedFactIds.length).toBeGreaterThan(0);
  });

  it('passes without a booking link or playbook proof points', () => {
    const input = {
      ...inputFor('hiring'),
      sender: { name: 'Riley Rep', emails: [], bookingUrl: null },
      playbook: { company: 'Prospector Demo Co' },
    };
    expect(draftOffline(input).failures).toEqual([]);
  });
});

describe('offline drafter with hostile data', () => {
  it('keeps brackets from a signal title out of the draft', () => {
    const input = inputFor('news');
    input.signal.title = `[Press] ${input.signal.title}`;
    expect(draftOffline(input).failures).toEqual([]);
  });
});
