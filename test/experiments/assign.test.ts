// Assignment with a seeded generator: balanced within the binomial spread over 10,000 contacts,
// the hold-out at its share, and the directions a drafter gets for a variant.
import { describe, expect, it } from 'vitest';
import { assign, directionsFor, variantSet, type Rng } from '../../experiments/assign.js';
import { PlayExperiment, checkStepVariants, parseVariantLines } from '../../experiments/schema.js';

/** mulberry32: a small seeded generator, for tests only. */
function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const experiment = (o: Partial<PlayExperiment> = {}) =>
  PlayExperiment.parse({
    variants: [
      { label: 'Short', instruction: 'Under 60 words.', angle: 'revops' },
      { label: 'Story', instruction: 'Open with a customer story.' },
      { label: 'Question', instruction: 'End on a question.', angle: 'founder' },
    ],
    ...o,
  });

describe('assign', () => {
  it('spreads 10,000 contacts over three variants within 4 standard deviations', () => {
    const rng = seeded(19);
    const counts = [0, 0, 0];
    const e = experiment({ holdoutShare: 0 });
    for (let i = 0; i < 10_000; i++) {
      const a = assign({ experiment: e, templateSteps: [], holdoutEligible: true }, rng);
      expect(a.arm).toBeNull();
      expect(a.variantOf).toBe('play');
      expect(a.variantSource).toBe('random');
      counts[a.variant!]!++;
    }
    // Binomial(10,000, 1/3): sd = √(10,000·(1/3)·(2/3)) = 47.1; 4 sd = 189.
    for (const n of counts) expect(Math.abs(n - 10_000 / 3)).toBeLessThan(189);
  });

  it('holds out its share of eligible contacts, with no variant, and none of the others', () => {
    const rng = seeded(7);
    let held = 0;
    const e = experiment({ holdoutShare: 0.1 });
    for (let i = 0; i < 10_000; i++) {
      const a = assign({ experiment: e, templateSteps: [], holdoutEligible: true }, rng);
      if (a.arm === 'holdout') {
        held++;
        expect(a.variant).toBeNull();
      } else expect(a.arm).toBe('treated');
    }
    // Binomial(10,000, 0.1): sd = 30; 4 sd = 120.
    expect(Math.abs(held - 1000)).toBeLessThan(120);
    const manual = assign(
      { experiment: experiment({ holdoutShare: 0.5 }), templateSteps: [], holdoutEligible: false },
      () => 0,
    );
    expect(manual.arm).toBeNull();
    expect(manual.variant).toBe(0);
  });

  it('gives a promoted winner to new enrolments', () => {
    const a = assign({ experiment: experiment(), templateSteps: [], holdoutEligible: false, promoted: 2 }, () => 0);
    expect(a).toEqual({ variant: 2, variantOf: 'play', variantSource: 'promoted', arm: null });
  });

  it('uses template step variants when the play has none', () => {
    const steps = [
      { kind: 'opener', variants: parseVariantLines('Short | Keep it short | revops\nLong | Tell the story') },
      { kind: 'follow_up' },
      { kind: 'follow_up', variants: parseVariantLines('Ask | Ask a question\nProof | Give a proof point') },
    ];
    expect(checkStepVariants(steps)).toEqual([]);
    expect(variantSet(null, steps)).toEqual({ of: 'template', count: 2 });
    const a = assign({ experiment: null, templateSteps: steps, holdoutEligible: true }, () => 0.75);
    expect(a).toEqual({ variant: 1, variantOf: 'template', variantSource: 'random', arm: null });
    expect(directionsFor(a, null, steps)).toEqual({
      steps: ['Tell the story', undefined, 'Give a proof point'],
      angle: undefined,
      label: 'Long',
    });
    expect(directionsFor({ variant: 0, variantOf: 'template' }, null, steps).angle).toBe('revops');
  });

  /** checkStepVariants' sentences, joined as the template form shows them. */
  const said = (steps: { variants?: unknown }[]) =>
    checkStepVariants(steps)
      .map((p) => p.message)
      .join('; ');

  it('refuses step variants that do not line up, each problem once, naming the step', () => {
    expect(checkStepVariants([{ variants: parseVariantLines('One | only one') }])).toEqual([
      { about: 'Step 1', message: 'Step 1 needs 2 to 4 variants, or none (it has 1)' },
    ]);
    expect(said([{}, { variants: parseVariantLines('a|1\nb|2\nc|3\nd|4\ne|5') }])).toBe(
      'Step 2 needs 2 to 4 variants, or none (it has 5)',
    );
    expect(
      checkStepVariants([
        { variants: parseVariantLines('a|1\nb|2') },
        { variants: parseVariantLines('a|1\nb|2\nc|3') },
      ]),
    ).toEqual([
      {
        about: 'Steps',
        message: 'Steps with variants need the same number of them (A is A in every step): step 1 has 2, step 2 has 3',
      },
    ]);
    // Not a list at all (the API): refused, never taken for "no variants". An empty list is none.
    expect(said([{ variants: 'A | x' }, { variants: null }])).toBe(
      'Step 1 variants must be a list of variants; Step 2 variants must be a list of variants',
    );
    expect(said([{ variants: [] }, { variants: undefined }])).toBe('');
  });

  it('words a bad step variant by step number, variant letter and field (issue 16)', () => {
    const steps = [
      { variants: parseVariantLines('a\nb') },
      {
        variants: [
          { label: ' ', angle: 'pirate' },
          { label: 'b', instruction: 'y'.repeat(1001) },
        ],
      },
    ];
    expect(said(steps)).toBe(
      'Step 2 variant A label must not be empty; ' +
        'Step 2 variant A angle must be one of sales, sales_development, revops, founder, general; ' +
        'Step 2 variant B instruction must be at most 1000 characters',
    );
    expect(said([{ variants: ['a', 'b'] }])).toBe(
      'Step 1 variant A must be an object; Step 1 variant B must be an object',
    );
    expect(
      checkStepVariants(
        parseVariantLines('A|x\n|y')
          .map(() => ({}))
          .concat({ variants: parseVariantLines('A|x\n|y') }),
      ),
    ).toEqual([{ about: 'Step 3', message: 'Step 3 variant B label must not be empty' }]);
  });

  it('refuses two variants of a step with one label (compared without case)', () => {
    expect(said([{ variants: parseVariantLines('A|x\nA|y') }])).toBe('Step 1 variants need different labels: A twice');
    expect(said([{ variants: parseVariantLines('Short|x\nshort|y\nLong|z\nLONG|w') }])).toBe(
      'Step 1 variants need different labels: Short twice, Long twice',
    );
    expect(said([{ variants: parseVariantLines('A|x\nA|y\nA|z') }])).toBe(
      'Step 1 variants need different labels: A 3 times',
    );
  });

  it('refuses variants no drafter tells apart, and keeps an empty instruction as the control', () => {
    expect(checkStepVariants([{ variants: parseVariantLines('A\nB') }])).toEqual([
      {
        about: 'Variants',
        message:
          'Variants A and B would be drafted alike (the same instruction in every step and the same angle), ' +
          'so comparing them tells nothing: give each its own instruction or angle',
      },
    ]);
    expect(said([{ variants: parseVariantLines('A | Be brief\nB |  be  BRIEF \nC | Tell a story') }])).toMatch(
      /^Variants A and B would be drafted alike/,
    );
    expect(said([{ variants: parseVariantLines('A\nB\nC') }])).toMatch(/^Variants A, B and C would be drafted alike/);
    // A control with no instruction against one with an instruction, an angle, or a difference in a later step: fine.
    expect(said([{ variants: parseVariantLines('Control\nShort | Under 60 words.') }])).toBe('');
    expect(said([{ variants: parseVariantLines('Ops | | revops\nFounder | | founder') }])).toBe('');
    expect(
      said([
        { variants: parseVariantLines('A | Same\nB | Same') },
        {},
        { variants: parseVariantLines('A | Ask a question\nB') },
      ]),
    ).toBe('');
    // The offline drafter reads a variant's angle from the first step that gives one: revops for both here.
    expect(
      said([{ variants: parseVariantLines('A | | revops\nB') }, { variants: parseVariantLines('A\nB | | revops') }]),
    ).toMatch(/^Variants A and B would be drafted alike/);
  });
});
