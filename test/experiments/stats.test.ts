// The statistics against values computed apart from experiments/stats.ts: Newcombe's published
// table, Wilson's formula worked by hand, Evan Miller's closed form for P(B beats A) evaluated
// here with exact integer arithmetic, and scipy (quoted in comments) for what has no closed form.
import { describe, expect, it } from 'vitest';
import {
  compareVariants,
  difference,
  holdoutLift,
  MIN_SAMPLE_PER_ARM,
  probabilityBest,
  sampleSizeNeeded,
  wilson,
} from '../../experiments/stats.js';

const c = (successes: number, trials: number) => ({ successes, trials });

describe('wilson', () => {
  it('matches the formula worked by hand', () => {
    // 81/263, z = 1.96: centre (0.30798 + 1.9208/263) / (1 + 3.8415/263) = 0.31071;
    // half 1.96·sqrt(0.30798·0.69202/263 + 3.8415/276676) / 1.014606 = 0.05546 → 0.25529 to 0.36621.
    const w = wilson(c(81, 263));
    expect(w.lo).toBeCloseTo(0.25529, 4);
    expect(w.hi).toBeCloseTo(0.36621, 4);
  });
  it('is [0, 1] with no trials and stays inside [0, 1] at the edges', () => {
    expect(wilson(c(0, 0))).toEqual({ lo: 0, hi: 1 });
    expect(wilson(c(0, 10)).lo).toBeCloseTo(0, 12);
    expect(wilson(c(10, 10)).hi).toBeCloseTo(1, 12);
    expect(wilson(c(10, 10)).hi).toBeLessThanOrEqual(1);
  });
});

describe('difference (Newcombe 1998, method 10)', () => {
  // Newcombe RG, Statistics in Medicine 17:873–890 (1998), Table II, method 10.
  const table: [number, number, number, number, number, number][] = [
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1.0],
    [10, 10, 0, 10, 0.6075, 1.0],
  ];
  it.each(table)('%i/%i − %i/%i → [%f, %f]', (a, m, b, n, lo, hi) => {
    const d = difference(c(a, m), c(b, n))!;
    expect(d.diff).toBeCloseTo(a / m - b / n, 10);
    expect(d.lo).toBeCloseTo(lo, 4);
    expect(d.hi).toBeCloseTo(hi, 4);
  });
  it('is unknown when a side has no trials', () => {
    expect(difference(c(0, 0), c(3, 10))).toBeNull();
  });
});

/** Evan Miller's closed form for P(p_B > p_A), Beta posteriors with integer parameters. */
function missBeatsA(aA: number, bA: number, aB: number, bB: number): number {
  const lf = (n: number) => {
    let s = 0;
    for (let k = 2; k <= n; k++) s += Math.log(k);
    return s;
  };
  const lbeta = (x: number, y: number) => lf(x - 1) + lf(y - 1) - lf(x + y - 1);
  let total = 0;
  for (let i = 0; i < aB; i++)
    total += Math.exp(lbeta(aA + i, bA + bB) - Math.log(bB + i) - lbeta(1 + i, bB) - lbeta(aA, bA));
  return total;
}

describe('probabilityBest (beta-binomial, uniform prior)', () => {
  it('matches the closed form for two arms', () => {
    for (const [a, b] of [
      [
        [10, 100],
        [20, 100],
      ],
      [
        [3, 40],
        [5, 35],
      ],
      [
        [30, 400],
        [28, 380],
      ],
    ] as const) {
      const p = probabilityBest([c(a[0], a[1]), c(b[0], b[1])]);
      const ref = missBeatsA(1 + a[0], 1 + a[1] - a[0], 1 + b[0], 1 + b[1] - b[0]);
      expect(p[1]).toBeCloseTo(ref, 3);
      expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
    }
    // And the first case against scipy: quad(beta.pdf(x,21,81)·beta.cdf(x,11,91)) = 0.975173.
    expect(probabilityBest([c(10, 100), c(20, 100)])[1]).toBeCloseTo(0.975173, 3);
  });
  it('matches numerical integration for three arms', () => {
    // scipy: quad(pdf_i · Π cdf_j) for 10/100, 15/100, 20/100 → 0.014682, 0.174858, 0.810460.
    const p = probabilityBest([c(10, 100), c(15, 100), c(20, 100)]);
    expect(p[0]).toBeCloseTo(0.014682, 3);
    expect(p[1]).toBeCloseTo(0.174858, 3);
    expect(p[2]).toBeCloseTo(0.81046, 3);
  });
  it('splits evenly between identical arms', () => {
    const p = probabilityBest([c(7, 90), c(7, 90), c(7, 90), c(7, 90)]);
    for (const x of p) expect(x).toBeCloseTo(0.25, 3);
  });
});

describe('sampleSizeNeeded (two-sided 5%, power 80%)', () => {
  it('matches the formula worked by hand for equal groups', () => {
    // 18% vs 9%: p̄ = 0.135; (1.95996·√(2·0.135·0.865) + 0.84162·√(0.18·0.82 + 0.09·0.91))² / 0.09²
    // = (0.947192 + 0.403190)² / 0.0081 = 225.13 → 226 per group, 452 in all.
    expect(sampleSizeNeeded(0.18, 0.09, 0.5)).toBe(452);
  });
  it('matches Fleiss for a 10% hold-out', () => {
    // k = 9 treated per held-out; p̄ = (9·0.18 + 0.09)/10 = 0.171; n_h = 133.98 → 134, total 134·10 = 1340.
    expect(sampleSizeNeeded(0.18, 0.09, 0.1)).toBe(1340);
  });
  it('cannot say with no difference', () => {
    expect(sampleSizeNeeded(0.1, 0.1, 0.1)).toBeNull();
  });
});

describe('compareVariants', () => {
  it('refuses a winner below the minimum sample, however large the lead', () => {
    const r = compareVariants([c(1, 60), c(30, 60)]);
    expect(r.arms[1]!.probabilityBest).toBeGreaterThan(0.99);
    expect(r.winner).toBeNull();
    expect(r.reason).toContain(`at least ${MIN_SAMPLE_PER_ARM} sends`);
  });
  it('names a winner above the sample when one is best with 95% probability', () => {
    const r = compareVariants([c(10, 100), c(20, 100)]);
    expect(r.winner).toBe(1);
    expect(r.arms[1]!.vsControl!.diff).toBeCloseTo(0.1, 10);
  });
  it('names none when the lead is not clear enough', () => {
    const r = compareVariants([c(10, 100), c(15, 100), c(20, 100)]);
    expect(r.winner).toBeNull();
    expect(r.reason).toContain('no clear winner');
  });
  it('uses the minimum it is given', () => {
    expect(compareVariants([c(1, 60), c(30, 60)], 50).winner).toBe(1);
  });
});

describe('holdoutLift', () => {
  it('reports the lift, the extra meetings and how many more contacts are needed', () => {
    // 18/100 treated vs 1/11 held out (share 0.1).
    const l = holdoutLift(c(18, 100), c(1, 11), 0.1);
    const d = difference(c(18, 100), c(1, 11))!;
    expect(l.lift!.diff).toBeCloseTo(0.18 - 1 / 11, 10);
    expect(l.extra!.value).toBeCloseTo(100 * (0.18 - 1 / 11), 10);
    expect(l.extra!.lo).toBeCloseTo(100 * d.lo, 10);
    // Needed at 18% vs 9.09% with a 10% hold-out, minus the 111 already assigned.
    expect(l.moreNeeded).toBe(sampleSizeNeeded(0.18, 1 / 11, 0.1)! - 111);
    expect(l.moreNeeded).toBeGreaterThan(1000);
  });
  it('has no lift before both arms have contacts', () => {
    const l = holdoutLift(c(3, 20), c(0, 0), 0.1);
    expect(l.lift).toBeNull();
    expect(l.moreNeeded).toBeNull();
  });
});
