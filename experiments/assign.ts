// Assignment of a new sequence to a hold-out arm and a variant. Pure: the random draws come
// from `rng` (crypto by default; tests pass a seeded one). The caller stores the result on the
// sequence when it creates it, before drafting, which is what makes it stable: a sequence is
// assigned once, and drafting, rewrites and sends only read what was stored.
import { randomInt } from 'node:crypto';
import type { PlayExperiment, Variant } from './schema.js';
import { stepVariantCount } from './schema.js';

export type Rng = () => number;
/** Uniform in [0, 1) from the operating system's generator. */
export const secureRandom: Rng = () => randomInt(0, 2 ** 47) / 2 ** 47;

export interface Assignment {
  variant: number | null;
  variantOf: 'play' | 'template' | null;
  variantSource: 'random' | 'promoted' | null;
  arm: 'treated' | 'holdout' | null;
}

interface AssignOptions {
  experiment: PlayExperiment | null;
  templateSteps: { variants?: unknown }[];
  /** Whether the hold-out applies: only contacts a detected signal selected (not a rep's enrolment or an inbound event). */
  holdoutEligible: boolean;
  /** A promoted winner of the play's variants (auto-promote on, winner clear), if any. */
  promoted?: number | null;
}

/** Which variants a sequence can get: the play's when it has some, else its template steps'. */
export function variantSet(experiment: PlayExperiment | null, templateSteps: { variants?: unknown }[]) {
  if (experiment?.variants.length) return { of: 'play' as const, count: experiment.variants.length };
  const count = stepVariantCount(templateSteps);
  return count ? { of: 'template' as const, count } : null;
}

export function assign(o: AssignOptions, rng: Rng = secureRandom): Assignment {
  const share = o.holdoutEligible ? (o.experiment?.holdoutShare ?? 0) : 0;
  const arm = share > 0 ? (rng() < share ? 'holdout' : 'treated') : null;
  const set = arm === 'holdout' ? null : variantSet(o.experiment, o.templateSteps);
  if (!set) return { variant: null, variantOf: null, variantSource: null, arm };
  if (set.of === 'play' && o.promoted != null && o.promoted < set.count)
    return { variant: o.promoted, variantOf: 'play', variantSource: 'promoted', arm };
  return {
    variant: Math.min(set.count - 1, Math.floor(rng() * set.count)),
    variantOf: set.of,
    variantSource: 'random',
    arm,
  };
}

export interface Directions {
  /** For the whole sequence (a play variant). */
  instruction?: string;
  /** Per step (template step variants), by position in the template. */
  steps: (string | undefined)[];
  /** The offline drafter's angle for this variant. */
  angle?: Variant['angle'];
  label?: string;
}

/** What the drafter is told for an assigned variant. */
export function directionsFor(
  a: Pick<Assignment, 'variant' | 'variantOf'>,
  experiment: PlayExperiment | null,
  templateSteps: { variants?: unknown }[],
): Directions {
  if (a.variant == null) return { steps: [] };
  if (a.variantOf === 'play') {
    const v = experiment?.variants[a.variant];
    return { instruction: v?.instruction || undefined, angle: v?.angle, label: v?.label, steps: [] };
  }
  const picked = templateSteps.map((s) =>
    Array.isArray(s.variants) ? (s.variants[a.variant!] as Variant | undefined) : undefined,
  );
  return {
    steps: picked.map((v) => v?.instruction || undefined),
    angle: picked.find((v) => v?.angle)?.angle,
    label: picked.find((v) => v)?.label,
  };
}
