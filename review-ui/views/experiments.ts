// The experiments report as HTML and CSV: hold-out lift per play and signal type (with a chart),
// and a table per experiment of its variants; and a play's experiment settings form. Every number is escaped like any other text.
import type { Request } from 'express';
import type { PlayRow } from '../../db/queries/plays.js';
import type { ExperimentReport, LiftReport } from '../../experiments/report.js';
import { ANGLES, readExperiment, variantLines } from '../../experiments/schema.js';
import { MIN_SAMPLE_PER_ARM, type Interval } from '../../experiments/stats.js';
import { label } from '../format.js';
import { html, type Html, thead } from '../html.js';
import { csrfField } from '../layout.js';
import { formValues, type Refused } from './refused.js';
import { csvCell } from './dashboard-funnel.js';

const pc = (v: number | null | undefined, digits = 1) => (v == null ? '—' : `${(v * 100).toFixed(digits)}%`);
const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v * 100).toFixed(1)}`;
/** "+4.1 pts (−0.9 to +9.2)" */
const diffText = (d: ({ diff: number } & Interval) | null) =>
  d ? `${signed(d.diff)} pts (${signed(d.lo)} to ${signed(d.hi)})` : '—';
const extraText = (e: LiftReport['meetings']['extra']) =>
  e ? `${e.value.toFixed(1)} (${e.lo.toFixed(1)} to ${e.hi.toFixed(1)})` : '—';
const neededText = (n: number | null) => (n === null ? 'no difference seen yet' : n === 0 ? 'enough' : String(n));

type ArmStats = ExperimentReport['comparison']['arms'][number];
/** The comparison's cells of one arm: rate with its interval, difference from A, P(best). */
const statCells = (c: ArmStats, i: number): Html =>
  html`<td>${pc(c.rate)} (${pc(c.interval.lo)} to ${pc(c.interval.hi)})</td>
    <td>${i === 0 ? 'control' : diffText(c.vsControl)}</td>
    <td>${pc(c.probabilityBest, 0)}</td>`;
const variantName = (a: { letter: string; label: string }) => html`${a.letter}${a.label ? html` · ${a.label}` : ''}`;
/** One variant's row: its name, its counts, then the comparison's cells. */
const armRow = (a: { letter: string; label: string }, c: ArmStats, i: number, counts: number[]): Html =>
  html`<tr data-variant="${a.letter}">
    <td>${variantName(a)}</td>
    ${counts.map((n) => html`<td>${n}</td>`)} ${statCells(c, i)}
  </tr>`;

/** Treated vs held-out meeting rate per row, two bars each, drawn on the server. */
function liftChart(rows: LiftReport[]): Html {
  if (!rows.length) return html``;
  const width = 800,
    labelW = 230,
    barH = 14,
    rowH = 2 * barH + 14;
  const height = rows.length * rowH + 10;
  const max = Math.max(0.01, ...rows.flatMap((r) => [r.meetings.treatedRate ?? 0, r.meetings.holdoutRate ?? 0]));
  const inner = width - labelW - 140;
  const bar = (y: number, v: number | null, fill: string, name: string) =>
    html`<rect
        x="${labelW}"
        y="${y}"
        width="${Math.max(v ? 2 : 0, Math.round((inner * (v ?? 0)) / max))}"
        height="${barH}"
        fill="${fill}"
      ></rect>
      <text x="${labelW + Math.round((inner * (v ?? 0)) / max) + 6}" y="${y + barH - 3}">${name} ${pc(v)}</text>`;
  return html`<svg
    class="chart"
    id="lift-chart"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    role="img"
    aria-labelledby="lift-chart-t"
  >
    <title id="lift-chart-t">Meeting rate, treated vs held out, per play and signal type</title>
    ${rows.map((r, i) => {
      const y = 6 + i * rowH;
      return html`<g>
        <text x="${labelW - 8}" y="${y + barH + 4}" text-anchor="end"
          >${`${r.play} · ${label(r.signalType)}`.slice(0, 34)}</text
        >
        ${bar(y, r.meetings.treatedRate, '#1f5fbf', 'treated')}
        ${bar(y + barH + 2, r.meetings.holdoutRate, '#9aa5b1', 'held out')}
      </g>`;
    })}
  </svg>`;
}

function liftTable(rows: LiftReport[]): Html {
  if (!rows.length)
    return html`<p class="muted">
      No play holds contacts out in this range. Set a hold-out share on a play's experiment page.
    </p>`;
  return html`<table id="lift-table">
    ${thead(
      'Play',
      'Signal type',
      'Contacts treated / held out',
      'Meeting rate treated / held out',
      'Meeting lift (95% interval)',
      'Extra meetings from the signal',
      'Positive-reply rate treated / held out',
      'Positive-reply lift (95% interval)',
      'Rejected drafts treated / held out',
      'More contacts needed to tell (meetings)',
    )}
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            <td>${r.play}</td>
            <td>${label(r.signalType)}</td>
            <td>${r.treated.sequences} / ${r.holdout.sequences}</td>
            <td>${pc(r.meetings.treatedRate)} / ${pc(r.meetings.holdoutRate)}</td>
            <td>${diffText(r.meetings.lift)}</td>
            <td>${extraText(r.meetings.extra)}</td>
            <td>${pc(r.positive.treatedRate)} / ${pc(r.positive.holdoutRate)}</td>
            <td>${diffText(r.positive.lift)}</td>
            <td>${r.treated.rejected} / ${r.holdout.rejected}</td>
            <td>${neededText(r.meetings.moreNeeded)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function variantTables(reports: ExperimentReport[]): Html {
  if (!reports.length)
    return html`<p class="muted">
      No sequence with a variant in this range. Add variants to a play or to template steps.
    </p>`;
  return html`${reports.map(
    (e) =>
      html`<section class="experiment" data-kind="${e.kind}" data-id="${e.id}">
        <h3>${e.kind === 'play' ? 'Play' : 'Template'}: ${e.name}</h3>
        <p class="verdict">
          ${
            e.comparison.winner === null
              ? html`${e.comparison.reason}.`
              : html`Winner: <strong>${e.arms[e.comparison.winner]!.letter}</strong>, ${e.comparison.reason} (on
                  positive replies per send; at least ${e.comparison.minSample} sends per variant).`
          }
        </p>
        <table class="variants">
          ${thead(
            'Variant',
            'Sequences',
            'Sent',
            'Replied',
            'Positive',
            'Meetings',
            'Unsubscribed',
            'Bounced',
            'Rejected',
            'Positive rate (95% interval)',
            'vs A (95% interval)',
            'P(best)',
          )}
          <tbody>
            ${e.arms.map((a, i) =>
              armRow(a, e.comparison.arms[i]!, i, [
                a.sequences,
                a.sent,
                a.replied,
                a.positive,
                a.meetings,
                a.unsubscribed,
                a.bounced,
                a.rejected,
              ]),
            )}
          </tbody>
        </table>
        ${(e.steps ?? []).map(stepTable)}
      </section>`,
  )}`;
}

/** One template step's variants, judged on replies to that step per send of it. */
function stepTable(s: NonNullable<ExperimentReport['steps']>[number]): Html {
  return html`<table class="step-variants" data-step="${s.step}">
    <caption>
      Step ${s.step}:
      ${
        s.comparison.winner === null
          ? s.comparison.reason
          : `winner ${s.arms[s.comparison.winner]!.letter}, ${s.comparison.reason} (on replies to this step per send)`
      }
    </caption>
    ${thead(
      'Variant',
      'Sent',
      'Replied to this step',
      'Positive',
      'Reply rate (95% interval)',
      'vs A (95% interval)',
      'P(best)',
    )}
    <tbody>
      ${s.arms.map((a, i) => armRow(a, s.comparison.arms[i]!, i, [a.sent, a.replied, a.positive]))}
    </tbody>
  </table>`;
}

const fixed = (v: number | null | undefined) => (v == null ? '' : v.toFixed(4));

const VARIANT_HEAD = ['section', 'kind', 'name', 'variant', 'label', 'sequences', 'sent', 'replied', 'positive'];
const VARIANT_TAIL = [
  'meetings',
  'unsubscribed',
  'bounced',
  'rejected',
  'rate',
  'diff_vs_a',
  'diff_lo',
  'diff_hi',
  'p_best',
];
const LIFT_HEAD = ['section', 'play', 'signal_type', 'treated', 'held_out', 'treated_meetings', 'held_out_meetings'];
const LIFT_TAIL = ['meeting_lift', 'lift_lo', 'lift_hi', 'treated_positive', 'held_out_positive', 'positive_lift'];

/** Variants (rate: positive per send), template steps (rate: replies to the step per send), then lift. */
export function experimentsCsv(reports: ExperimentReport[], lifts: LiftReport[]): string {
  type Arm = ExperimentReport['comparison']['arms'][number];
  const stats = (c: Arm) => [
    fixed(c.rate),
    fixed(c.vsControl?.diff),
    fixed(c.vsControl?.lo),
    fixed(c.vsControl?.hi),
    fixed(c.probabilityBest),
  ];
  const lines: unknown[][] = [[...VARIANT_HEAD, ...VARIANT_TAIL]];
  for (const e of reports) {
    e.arms.forEach((a, i) => {
      const head = ['variant', e.kind, e.name, a.letter, a.label, a.sequences, a.sent, a.replied, a.positive];
      lines.push([...head, a.meetings, a.unsubscribed, a.bounced, a.rejected, ...stats(e.comparison.arms[i]!)]);
    });
    for (const st of e.steps ?? [])
      st.arms.forEach((a, i) => {
        const head = [`step ${st.step}`, e.kind, e.name, a.letter, a.label, '', a.sent, a.replied, a.positive];
        lines.push([...head, '', '', '', '', ...stats(st.comparison.arms[i]!)]);
      });
  }
  lines.push([], [...LIFT_HEAD, ...LIFT_TAIL, 'positive_lo', 'positive_hi', 'more_needed']);
  for (const r of lifts) {
    const m = r.meetings.lift;
    const p = r.positive.lift;
    lines.push([
      ...[
        'lift',
        r.play,
        r.signalType,
        r.treated.sequences,
        r.holdout.sequences,
        r.treated.meetings,
        r.holdout.meetings,
      ],
      ...[fixed(m?.diff), fixed(m?.lo), fixed(m?.hi), r.treated.positive, r.holdout.positive],
      ...[fixed(p?.diff), fixed(p?.lo), fixed(p?.hi), r.meetings.moreNeeded ?? ''],
    ]);
  }
  return lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The lift panel the dashboard shows; the full report is at /experiments. */
export function liftPanel(lift: LiftReport[]): Html {
  return html`<section aria-labelledby="lift-h">
    <h2 id="lift-h">Lift from signals (hold-out)</h2>
    <p class="muted">
      Contacts a signal selected, treated with the signal's sequence or held out at random. Variants and CSV:
      <a href="/experiments">experiments</a>.
    </p>
    ${liftChart(lift)} ${liftTable(lift)}
  </section>`;
}

/** The managers' report: the range, the lift from signals and the variants. */
export function experimentsPage(
  rg: { fromDay: string; toDay: string },
  lift: LiftReport[],
  experiments: ExperimentReport[],
): Html {
  const params = new URLSearchParams({ from: rg.fromDay, to: rg.toDay });
  return html`<form method="get" action="/experiments" class="filters" aria-label="Range">
      <label>From <input type="date" name="from" value="${rg.fromDay}" /></label>
      <label>To <input type="date" name="to" value="${rg.toDay}" /></label>
      <button type="submit">Show</button>
      <a href="/experiments.csv?${params.toString()}" download>Export CSV</a>
    </form>
    <p class="muted">
      Sequences created ${rg.fromDay} to ${rg.toDay}. Differences carry a 95% interval (Newcombe's hybrid score method);
      "P(best)" is the probability that a variant's true rate is the highest, under a beta-binomial model with a uniform
      prior. A winner is named only when every variant has its minimum number of sends and one is best with at least 95%
      probability. Lift counts every contact assigned (a rejected draft stays in its arm).
    </p>
    <section aria-labelledby="lift-h">
      <h2 id="lift-h">Lift from signals (hold-out)</h2>
      ${liftChart(lift)} ${liftTable(lift)}
    </section>
    <section aria-labelledby="variants-h">
      <h2 id="variants-h">Variants</h2>
      ${variantTables(experiments)}
    </section>`;
}

/** A play's experiment settings: variants, hold-out, auto-promotion. */
/** A play's experiment form: as saved, or after a refusal the reason above it and the fields as they were sent. */
export function experimentForm(req: Request, p: PlayRow, refused?: Refused): Html {
  const e = readExperiment(p.experiment);
  const share = e ? e.holdoutShare : 0.1;
  const f = formValues(refused?.sent);
  return html`${refused?.why ?? ''}
    <p class="muted">
      Each contact this play enrolls is assigned once, at random, before drafting: a variant, and (for contacts a
      detected signal selected) treated or held out. Changing variants here affects new enrolments only.
    </p>
    <form method="post" action="/plays/${p.id}/experiment" id="experiment-form">
      ${csrfField(req)}
      <input type="hidden" name="version" value="${f.text('version', p.version)}" />
      <label
        >Variants, one a line: <code>label | instruction to the model | offline angle</code> (2 to 4, or none; angles:
        ${ANGLES.join(', ')})
        <textarea name="variants" rows="5" cols="90">${f.text('variants', variantLines(e?.variants ?? []))}</textarea>
      </label>
      ${f.checkbox('holdout_on', !!e && e.holdoutShare > 0, html`Hold out contacts to measure the signal's lift`)}
      <label
        >Share held out (%)
        <input
          name="holdout_percent"
          type="number"
          min="1"
          max="50"
          step="0.1"
          value="${f.text('holdout_percent', (share * 100 || 10).toFixed(1))}"
      /></label>
      <label
        >Held-out contacts get
        <select name="holdout_gets">
          <option value="evergreen">the evergreen sequence (not about the signal)</option>
          ${f.option('holdout_gets', 'nothing', e?.holdoutGets === 'nothing', 'nothing')}
        </select></label
      >
      ${f.checkbox('auto_promote', !!e?.autoPromote, 'Once a variant wins, give it to new enrolments')}
      <label
        >Sends per variant before a winner is named
        <input
          name="min_sample"
          type="number"
          min="30"
          value="${f.text('min_sample', e?.minSample ?? MIN_SAMPLE_PER_ARM)}"
      /></label>
      <button type="submit">Save experiment</button>
    </form>`;
}
