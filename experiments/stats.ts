// Statistics for experiments: pure functions of counts, no database, no clock, no randomness.
//
// Which methods, and why:
// - The difference between two rates (variant vs variant, treated vs hold-out) gets Newcombe's
//   hybrid score interval (Newcombe 1998, "method 10"): a two-proportion interval built from the
//   two Wilson score intervals. Reply and meeting rates are small (1–20%) and samples are
//   hundreds, not millions; there the usual Wald interval (p ± 1.96·se) is too narrow and can
//   cross 0 or 1, while Newcombe's keeps close to 95% coverage and needs no iteration.
// - "Which variant is best" is a question a test of two proportions cannot answer for 3–4 arms
//   without multiple-comparison corrections; the beta-binomial model answers it directly. Each
//   arm's rate gets a Beta(1 + successes, 1 + failures) posterior (uniform prior) and
//   P(arm i best) = ∫ f_i(x) Π_{j≠i} F_j(x) dx, integrated numerically on a grid.
// - No winner is named below a minimum sample per arm (MIN_SAMPLE_PER_ARM sends unless the play
//   sets more): early leads on a handful of replies are mostly noise, and peeking at a running
//   test inflates false winners; a floor of 100 keeps that in check for rates around 5–20%.
//   Above it, a winner needs P(best) ≥ WIN_PROBABILITY.

/** 97.5% quantile of the standard normal: a two-sided 95% interval. */
const Z95 = 1.959963984540054;
/** 80% quantile of the standard normal: power 0.8 for "how many more are needed". */
const Z_POWER80 = 0.8416212335729143;
export const MIN_SAMPLE_PER_ARM = 100;
const WIN_PROBABILITY = 0.95;

interface Count {
  successes: number;
  trials: number;
}
export interface Interval {
  lo: number;
  hi: number;
}

/** Wilson score interval for one proportion; [0, 1] with no trials. */
export function wilson(c: Count, z = Z95): Interval {
  const { successes: s, trials: n } = c;
  if (n <= 0) return { lo: 0, hi: 1 };
  const p = s / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

const rate = (c: Count): number | null => (c.trials > 0 ? c.successes / c.trials : null);

/** Difference a − b with Newcombe's hybrid score 95% interval; null when either side has no trials. */
export function difference(a: Count, b: Count, z = Z95): ({ diff: number } & Interval) | null {
  if (a.trials <= 0 || b.trials <= 0) return null;
  const p1 = a.successes / a.trials;
  const p2 = b.successes / b.trials;
  const w1 = wilson(a, z);
  const w2 = wilson(b, z);
  const diff = p1 - p2;
  return {
    diff,
    lo: diff - Math.sqrt((p1 - w1.lo) ** 2 + (w2.hi - p2) ** 2),
    hi: diff + Math.sqrt((w1.hi - p1) ** 2 + (p2 - w2.lo) ** 2),
  };
}

const GRID = 4000;

/** P(each arm has the highest rate) under independent Beta(1 + s, 1 + n − s) posteriors. */
export function probabilityBest(arms: Count[]): number[] {
  if (!arms.length) return [];
  if (arms.length === 1) return [1];
  const params = arms.map((c) => ({ a: 1 + c.successes, b: 1 + Math.max(0, c.trials - c.successes) }));
  // Integrate only where some posterior has mass: 12 standard deviations around each mean.
  let from = 1;
  let to = 0;
  for (const { a, b } of params) {
    const mean = a / (a + b);
    const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
    from = Math.min(from, mean - 12 * sd);
    to = Math.max(to, mean + 12 * sd);
  }
  from = Math.max(0, from);
  to = Math.min(1, to);
  const dx = (to - from) / GRID;
  const xs = Array.from({ length: GRID }, (_, i) => from + (i + 0.5) * dx);
  // Densities normalised on the grid itself (no gamma function needed), then their CDFs at the midpoints.
  const pdfs = params.map(({ a, b }) => {
    const logs = xs.map((x) => (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x));
    const max = Math.max(...logs);
    const un = logs.map((l) => Math.exp(l - max));
    const total = un.reduce((s, v) => s + v, 0) * dx;
    return un.map((v) => v / total);
  });
  const cdfs = pdfs.map((pdf) => {
    let acc = 0;
    return pdf.map((v) => {
      const at = acc + (v * dx) / 2;
      acc += v * dx;
      return at;
    });
  });
  const out = arms.map((_, i) => {
    let p = 0;
    for (let k = 0; k < GRID; k++) {
      let others = 1;
      for (let j = 0; j < arms.length; j++) if (j !== i) others *= cdfs[j]![k]!;
      p += pdfs[i]![k]! * others * dx;
    }
    return p;
  });
  const sum = out.reduce((s, v) => s + v, 0);
  return out.map((p) => p / sum);
}

/**
 * Total contacts (both arms) a two-sided 5% test with 80% power needs to tell rates `pa` and
 * `pb` apart when arm b gets `shareB` of the contacts (Fleiss' formula for unequal groups,
 * without continuity correction). Null when the rates are equal (no difference to detect).
 */
export function sampleSizeNeeded(pa: number, pb: number, shareB = 0.5): number | null {
  const delta = Math.abs(pa - pb);
  if (!(delta > 0) || shareB <= 0 || shareB >= 1) return null;
  const k = (1 - shareB) / shareB; // contacts in arm a per contact in arm b
  const pbar = (k * pa + pb) / (1 + k);
  const nb =
    (Z95 * Math.sqrt(pbar * (1 - pbar) * (1 + 1 / k)) + Z_POWER80 * Math.sqrt(pb * (1 - pb) + (pa * (1 - pa)) / k)) **
      2 /
    delta ** 2;
  return Math.ceil(Math.ceil(nb) * (1 + k));
}

export interface VariantComparison {
  arms: {
    rate: number | null;
    interval: Interval;
    /** This arm minus the first (the control), with its interval; null for the control. */
    vsControl: ({ diff: number } & Interval) | null;
    probabilityBest: number;
  }[];
  /** Index of the winner, or null with the reason none is named. */
  winner: number | null;
  reason: string;
  minSample: number;
}

/** Compares 2–4 arms on one outcome (successes out of sends). */
export function compareVariants(arms: Count[], minSample = MIN_SAMPLE_PER_ARM): VariantComparison {
  const pBest = probabilityBest(arms);
  const rows = arms.map((c, i) => ({
    rate: rate(c),
    interval: wilson(c),
    vsControl: i === 0 ? null : difference(c, arms[0]!),
    probabilityBest: pBest[i] ?? 0,
  }));
  const small = arms.filter((c) => c.trials < minSample).length;
  if (arms.length < 2) return { arms: rows, winner: null, reason: 'fewer than two variants', minSample };
  if (small)
    return {
      arms: rows,
      winner: null,
      reason: `no winner yet: every variant needs at least ${minSample} sends (${small} of ${arms.length} have fewer)`,
      minSample,
    };
  const best = pBest.indexOf(Math.max(...pBest));
  if (pBest[best]! < WIN_PROBABILITY)
    return {
      arms: rows,
      winner: null,
      reason:
        `no clear winner: the best variant is best with probability ${(pBest[best]! * 100).toFixed(0)}% ` +
        `(needs ${WIN_PROBABILITY * 100}%)`,
      minSample,
    };
  return {
    arms: rows,
    winner: best,
    reason: `best with probability ${(pBest[best]! * 100).toFixed(1)}%`,
    minSample,
  };
}

export interface Lift {
  treatedRate: number | null;
  holdoutRate: number | null;
  /** Treated minus hold-out rate, with its 95% interval; null until both arms have contacts. */
  lift: ({ diff: number } & Interval) | null;
  /** Extra successes among the treated contacts the signal brought (lift × treated), with interval. */
  extra: ({ value: number } & Interval) | null;
  /** Contacts still needed (both arms, at this hold-out share) to tell the rates apart; null: unknown. */
  moreNeeded: number | null;
}

export function holdoutLift(treated: Count, holdout: Count, holdoutShare: number): Lift {
  const lift = difference(treated, holdout);
  const tr = rate(treated);
  const hr = rate(holdout);
  const needed = tr !== null && hr !== null ? sampleSizeNeeded(tr, hr, holdoutShare) : null;
  return {
    treatedRate: tr,
    holdoutRate: hr,
    lift,
    extra: lift
      ? {
          value: lift.diff * treated.trials,
          lo: lift.lo * treated.trials,
          hi: lift.hi * treated.trials,
        }
      : null,
    moreNeeded: needed === null ? null : Math.max(0, needed - treated.trials - holdout.trials),
  };
}
