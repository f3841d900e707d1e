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
    expect(checkStepVariants(steps)).toBeNull();
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

  it('refuses step variants that do not line up', () => {
    expect(checkStepVariants([{ variants: [{ label: 'a' }] }])).toContain('2 to 4');
    expect(
      checkStepVariants([{ variants: parseVariantLines('a\nb') }, { variants: parseVariantLines('a\nb\nc') }]),
    ).toContain('same number');
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
    expect(checkStepVariants(steps)).toBe(
      'Step 2 variant A label must not be empty; ' +
        'Step 2 variant A angle must be one of sales, sales_development, revops, founder, general; ' +
        'Step 2 variant B instruction must be at most 1000 characters',
    );
    expect(checkStepVariants([{ variants: ['a', 'b'] }])).toBe(
      'Step 1 variant A must be an object; Step 1 variant B must be an object',
    );
  });
});
