// What RevOps configure for an experiment: variants (on a play, or on a template step) and the
// play's hold-out group. Stored as jsonb (plays.experiment; a step's `variants` in the template).
import { z } from 'zod';
import { fieldLabel, issueText } from '../zod-message.js';
import { MIN_SAMPLE_PER_ARM } from './stats.js';

/** The offline drafter's angles (drafting/offline-plan.ts `Angle`). */
export const ANGLES = ['sales', 'sales_development', 'revops', 'founder', 'general'] as const;
const VARIANT_LETTERS = ['A', 'B', 'C', 'D'] as const;

export const Variant = z.object({
  label: z.string().trim().min(1).max(80),
  /** Told to the model drafter with the draft (angle, length, call to action). */
  instruction: z.string().trim().max(1000).default(''),
  /** The offline drafter's plan for this variant; absent = chosen from the contact's role. */
  angle: z.enum(ANGLES).optional(),
});
export type Variant = z.infer<typeof Variant>;

const Variants = z
  .array(Variant)
  .max(4)
  .refine((v) => v.length !== 1, { message: 'give 2 to 4 variants, or none' })
  .default([]);

export const PlayExperiment = z.object({
  variants: Variants,
  /** Share of the contacts a signal selects that is held out (0 = no hold-out). */
  holdoutShare: z.number().min(0).max(0.5).default(0.1),
  /** What a held-out contact gets: the evergreen (not signal-specific) sequence, or nothing. */
  holdoutGets: z.enum(['evergreen', 'nothing']).default('evergreen'),
  /** Once a variant wins, new enrolments get it; sequences already assigned keep theirs. */
  autoPromote: z.boolean().default(false),
  /** Sends per variant before a winner may be named. */
  minSample: z.number().int().min(30).max(1_000_000).default(MIN_SAMPLE_PER_ARM),
});
export type PlayExperiment = z.infer<typeof PlayExperiment>;

/** A stored play experiment, or null when absent or unreadable (an old row never breaks drafting). */
export function readExperiment(raw: unknown): PlayExperiment | null {
  if (raw == null) return null;
  const parsed = PlayExperiment.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Template steps' variants: each step with variants must have the same number of them. */
export function stepVariantCount(steps: { variants?: unknown }[]): number {
  const counts = steps.map((s) => (Array.isArray(s.variants) ? s.variants.length : 0)).filter((n) => n > 0);
  return counts.length ? Math.min(...counts) : 0;
}

/** One problem with template steps' variants: a whole sentence whose first words, `about`, say what it is about. */
export interface StepVariantProblem {
  /** "Step 2", "Steps" or "Variants": the sentence's subject (a form error's field). */
  about: string;
  message: string;
}

/**
 * Template steps' variants, the one check of them (the template form and API): each step with
 * variants has 2 to 4, all such steps the same number, each variant valid with a label of its own,
 * and no two variants drafted alike. Every problem, each said once: "Step 1 needs 2 to 4 variants".
 */
export function checkStepVariants(steps: { variants?: unknown }[]): StepVariantProblem[] {
  const problems: StepVariantProblem[] = [];
  const counts: { step: number; n: number }[] = [];
  const parsed: Variant[][] = [];
  steps.forEach((s, i) => {
    const about = `Step ${i + 1}`;
    const problem = (message: string) => void problems.push({ about, message });
    if (s.variants === undefined) return;
    if (!Array.isArray(s.variants)) return problem(`${about} variants must be a list of variants`);
    const n = s.variants.length;
    if (!n) return;
    counts.push({ step: i + 1, n });
    if (n < 2 || n > 4) problem(`${about} needs 2 to 4 variants, or none (it has ${n})`);
    const r = z.array(Variant).safeParse(s.variants);
    if (!r.success) return r.error.issues.forEach((issue) => problem(variantIssue(issue, i)));
    parsed.push(r.data);
    const clash = labelClash(`${about} variants`, r.data);
    if (clash) problem(clash);
  });
  if (problems.length) return problems;
  if (new Set(counts.map((c) => c.n)).size > 1)
    return [
      {
        about: 'Steps',
        message:
          'Steps with variants need the same number of them (A is A in every step): ' +
          counts.map((c) => `step ${c.step} has ${c.n}`).join(', '),
      },
    ];
  return alike(parsed).map((group) => ({
    about: 'Variants',
    message:
      `Variants ${listed(group.map(letter))} would be drafted alike (the same instruction in every step and ` +
      'the same angle), so comparing them tells nothing: give each its own instruction or angle',
  }));
}

const listed = (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}` : (xs[0] ?? ''));

/** "Step 1 variants need different labels: A twice" when two variants share a label (without case); else undefined. */
export function labelClash(subject: string, variants: Pick<Variant, 'label'>[]): string | undefined {
  const twice = repeated(variants.map((v) => v.label));
  return twice.length ? `${subject} need different labels: ${twice.join(', ')}` : undefined;
}

/** Labels given more than once (compared without case): "A twice", "B 3 times". */
function repeated(labels: string[]): string[] {
  const seen = new Map<string, { label: string; n: number }>();
  for (const label of labels) {
    const key = label.toLowerCase();
    const entry = seen.get(key) ?? { label, n: 0 };
    entry.n++;
    seen.set(key, entry);
  }
  return [...seen.values()].filter((e) => e.n > 1).map((e) => `${e.label} ${e.n === 2 ? 'twice' : `${e.n} times`}`);
}

/**
 * Groups of variants no drafter tells apart: the model drafter reads each step's instruction, the
 * offline drafter the variant's angle (the first step's that gives one, as assign.ts `directionsFor`).
 * An empty instruction alone is fine: that variant is drafted as usual, the control of the test.
 */
function alike(steps: Variant[][]): number[][] {
  const said = (v: Variant | undefined) => v?.instruction.replace(/\s+/g, ' ').toLowerCase();
  const key = (k: number) =>
    JSON.stringify([steps.map((vs) => vs[k]?.angle).find(Boolean) ?? null, ...steps.map((vs) => said(vs[k]))]);
  const groups = new Map<string, number[]>();
  for (let k = 0; k < (steps[0]?.length ?? 0); k++) groups.set(key(k), [...(groups.get(key(k)) ?? []), k]);
  return [...groups.values()].filter((g) => g.length > 1);
}

/** "Step 2 variant B label must not be empty": the step as numbered in the template, the variant by its letter. */
function variantIssue(i: z.core.$ZodIssue, step: number): string {
  const [v, ...field] = i.path;
  const what = field.length ? ` ${fieldLabel(field).replace(/^./, (c) => c.toLowerCase())}` : '';
  return issueText(i, `Step ${step + 1} variant ${typeof v === 'number' ? letter(v) : String(v ?? '')}${what}`.trim());
}

export const letter = (i: number | null | undefined): string => (i == null ? '' : (VARIANT_LETTERS[i] ?? String(i)));

/** Variants as the settings forms show them: "label | instruction | angle", one a line. */
export const variantLines = (vs: (Pick<Variant, 'label' | 'instruction'> & { angle?: string })[]): string =>
  vs.map((v) => [v.label, v.instruction, v.angle ?? ''].join(' | ').replace(/[ |]+$/, '')).join('\n');

/** The forms' text back into variants (validated by the caller's schema). */
export function parseVariantLines(text: string): unknown[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [label = '', instruction = '', angle = ''] = l.split('|').map((p) => p.trim());
      return { label, instruction, ...(angle ? { angle } : {}) };
    });
}
