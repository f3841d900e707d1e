// The managers' experiments report as a view model: rows from db/queries/experiments.ts in,
// comparisons and lifts out. Pure (no database, no clock), shared by the page, the CSV and the API.
import type { ArmOutcomeRow, OutcomeCounts, StepVariantRow, VariantOutcomeRow } from '../db/queries/experiments.js';
import { readExperiment, letter, type Variant } from './schema.js';
import { compareVariants, holdoutLift, MIN_SAMPLE_PER_ARM, type Lift, type VariantComparison } from './stats.js';

/** The outcome a winner is judged on: a positive reply (meetings are too rare to decide on soon). */
const PRIMARY = 'positive' as const;

export interface VariantArm extends OutcomeCounts {
  variant: number;
  letter: string;
  label: string;
}

export interface ExperimentReport {
  kind: 'play' | 'template';
  id: number;
  name: string;
  arms: VariantArm[];
  comparison: VariantComparison;
  /** Template experiments: each step with variants, compared on replies to that step per send of it. */
  steps?: StepReport[];
}

export interface StepReport {
  step: number;
  arms: { letter: string; label: string; sent: number; replied: number; positive: number }[];
  comparison: VariantComparison;
}

export interface LiftReport {
  playId: number;
  play: string;
  signalType: string;
  holdoutShare: number;
  treated: OutcomeCounts;
  holdout: OutcomeCounts;
  meetings: Lift;
  positive: Lift;
}

const ZERO: OutcomeCounts = {
  sequences: 0,
  sent: 0,
  replied: 0,
  positive: 0,
  meetings: 0,
  unsubscribed: 0,
  bounced: 0,
  rejected: 0,
};
const counts = (r: OutcomeCounts): OutcomeCounts => ({
  sequences: r.sequences,
  sent: r.sent,
  replied: r.replied,
  positive: r.positive,
  meetings: r.meetings,
  unsubscribed: r.unsubscribed,
  bounced: r.bounced,
  rejected: r.rejected,
});

/** Rows with the same key, in the order their keys first appear (the queries' order). */
function groupBy<T>(rows: T[], key: (r: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return [...groups.values()];
}

function labelOf(row: VariantOutcomeRow): string {
  if (row.variant_of === 'play') return readExperiment(row.experiment)?.variants[row.variant]?.label ?? '';
  const steps = row.template_steps ?? [];
  return steps
    .map((s, i) => {
      const v = Array.isArray(s.variants) ? (s.variants[row.variant] as Variant | undefined) : undefined;
      return v ? `step ${i + 1}: ${v.label}` : '';
    })
    .filter(Boolean)
    .join('; ');
}

/** Groups variant rows per play or template, filling variants nobody got yet with zeros. */
export function experimentReports(rows: VariantOutcomeRow[], stepRows: StepVariantRow[] = []): ExperimentReport[] {
  return groupBy(rows, (r) => `${r.variant_of}:${r.owner_id}`).map((g) => {
    const first = g[0]!;
    const configured =
      first.variant_of === 'play'
        ? (readExperiment(first.experiment)?.variants.length ?? 0)
        : Math.max(0, ...(first.template_steps ?? []).map((s) => (Array.isArray(s.variants) ? s.variants.length : 0)));
    const n = Math.max(configured, ...g.map((r) => r.variant + 1));
    const arms: VariantArm[] = Array.from({ length: n }, (_, i) => {
      const r = g.find((x) => x.variant === i);
      return { variant: i, letter: letter(i), label: r ? labelOf(r) : '', ...(r ? counts(r) : ZERO) };
    });
    const minSample =
      first.variant_of === 'play'
        ? (readExperiment(first.experiment)?.minSample ?? MIN_SAMPLE_PER_ARM)
        : MIN_SAMPLE_PER_ARM;
    const steps =
      first.variant_of === 'template'
        ? stepReports(
            first.template_steps ?? [],
            n,
            stepRows.filter((r) => r.template_id === first.owner_id),
            minSample,
          )
        : undefined;
    return {
      kind: first.variant_of,
      id: first.owner_id,
      name: first.owner_name,
      steps,
      arms,
      comparison: compareVariants(
        arms.map((a) => ({ successes: a[PRIMARY], trials: a.sent })),
        minSample,
      ),
    };
  });
}

function stepReports(
  templateSteps: { variants?: unknown }[],
  n: number,
  rows: StepVariantRow[],
  minSample: number,
): StepReport[] {
  return templateSteps.flatMap((s, i) => {
    if (!Array.isArray(s.variants) || !s.variants.length) return [];
    const arms = Array.from({ length: n }, (_, v) => {
      const r = rows.find((x) => x.step === i + 1 && x.variant === v);
      const label = (s.variants as (Variant | undefined)[])[v]?.label ?? '';
      return { letter: letter(v), label, sent: r?.sent ?? 0, replied: r?.replied ?? 0, positive: r?.positive ?? 0 };
    });
    const comparison = compareVariants(
      arms.map((a) => ({ successes: a.replied, trials: a.sent })),
      minSample,
    );
    return [{ step: i + 1, arms, comparison }];
  });
}

/** Treated vs held-out per play and signal type: every contact assigned counts (intention to treat). */
export function liftReports(rows: ArmOutcomeRow[]): LiftReport[] {
  return groupBy(rows, (r) => `${r.play_id}:${r.signal_type}`).map((g) => {
    const first = g[0]!;
    const treated = counts(g.find((r) => r.arm === 'treated') ?? { ...first, ...ZERO });
    const holdout = counts(g.find((r) => r.arm === 'holdout') ?? { ...first, ...ZERO });
    const share = readExperiment(first.experiment)?.holdoutShare || 0.1;
    const of = (c: OutcomeCounts, k: 'meetings' | 'positive') => ({ successes: c[k], trials: c.sequences });
    return {
      playId: first.play_id,
      play: first.play_name,
      signalType: first.signal_type,
      holdoutShare: share,
      treated,
      holdout,
      meetings: holdoutLift(of(treated, 'meetings'), of(holdout, 'meetings'), share),
      positive: holdoutLift(of(treated, 'positive'), of(holdout, 'positive'), share),
    };
  });
}
