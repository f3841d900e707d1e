// Precision / recall per label and a plain-text table, shared by the signal and reply evaluations.

interface Scored {
  gold: string;
  predicted: string;
}

interface LabelScore {
  label: string;
  support: number;
  precision: number | null;
  recall: number | null;
}

/** Precision and recall of each label (in the order given) over gold/predicted pairs. */
export function perLabel(rows: Scored[], labels: readonly string[]): LabelScore[] {
  return labels.map((label) => {
    const tp = rows.filter((r) => r.gold === label && r.predicted === label).length;
    const predicted = rows.filter((r) => r.predicted === label).length;
    const support = rows.filter((r) => r.gold === label).length;
    return {
      label,
      support,
      precision: predicted ? tp / predicted : null,
      recall: support ? tp / support : null,
    };
  });
}

const fmt = (x: number | null) => (x === null ? '  n/a' : x.toFixed(2).padStart(5));

/** A Markdown table (it reads well in a terminal too). */
export function table(head: string[], rows: (string | number)[][]): string {
  const lines = [head, head.map(() => '---'), ...rows.map((r) => r.map(String))];
  return lines.map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function labelTable(scores: LabelScore[], goals?: { precision: number; recall: number }): string {
  return table(
    ['type', 'support', 'precision', 'recall', ...(goals ? ['goal met'] : [])],
    scores.map((s) => [
      s.label,
      s.support,
      fmt(s.precision),
      fmt(s.recall),
      ...(goals ? [(s.precision ?? 0) >= goals.precision && (s.recall ?? 0) >= goals.recall ? 'yes' : 'no'] : []),
    ]),
  );
}

export const ratio = (ok: number, n: number) => `${n ? (ok / n).toFixed(2) : 'n/a'} (${ok}/${n})`;

/** `--split dev|test` (test by default) and `--misses` (dev only: the test split is never tuned on). */
export function evalArgs(argv: string[]): { split: 'dev' | 'test'; misses: boolean } {
  const i = argv.indexOf('--split');
  const split = i >= 0 && argv[i + 1] === 'dev' ? 'dev' : 'test';
  const misses = argv.includes('--misses');
  if (misses && split === 'test') {
    process.stderr.write('--misses is for the dev split only: the test split is scored, never tuned on\n');
    process.exit(2);
  }
  return { split, misses };
}
