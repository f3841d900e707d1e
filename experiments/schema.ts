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

export function checkStepVariants(steps: { variants?: unknown }[]): string | null {
  const counts = steps.map((s) => (Array.isArray(s.variants) ? s.variants.length : 0)).filter((n) => n > 0);
  if (!counts.length) return null;
  if (counts.some((n) => n < 2 || n > 4)) return 'a step with variants needs 2 to 4 of them';
  if (new Set(counts).size > 1) return 'every step with variants needs the same number of them (A is A in every step)';
  const problems = steps.flatMap((s, n) => {
    const r = Array.isArray(s.variants) ? z.array(Variant).safeParse(s.variants) : undefined;
    return r?.error ? r.error.issues.map((i) => variantIssue(i, n)) : [];
  });
  return problems.length ? problems.join('; ') : null;
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
