// The dashboard's funnel: pure functions from query rows to numbers and CSV, and the funnel section (a chart of
// the workspace-wide row, then the table by dimension).
import type { Dimension, SequenceStageRow, SignalStageRow } from '../../db/queries/dashboard.js';
import { duration, label, pct } from '../format.js';
import { html, type Html } from '../html.js';
import { barChart } from './bar-chart.js';

export const STAGES = ['signals', 'matched', 'drafted', 'approved', 'sent', 'replied', 'positive', 'meetings'] as const;
export type Stage = (typeof STAGES)[number];
export const STAGE_LABEL: Record<Stage, string> = {
  signals: 'Signals',
  matched: 'Matched to an account',
  drafted: 'Drafted',
  approved: 'Approved',
  sent: 'Sent',
  replied: 'Replied',
  positive: 'Positive reply',
  meetings: 'Meeting booked',
};

export interface FunnelRow {
  key: string;
  /** Signals at each stage. */
  counts: Record<Stage, number | null>;
  /** Sequences drafted (contacts reached), shown apart from the stages. */
  sequences: number;
  signalToFirstSendMs: number | null;
}

/** Contacts reached per drafted signal, e.g. "1.5"; empty when nothing was drafted. */
export function contactsPerSignal(r: FunnelRow): string {
  return r.counts.drafted ? (r.sequences / r.counts.drafted).toFixed(1) : '';
}

/** A row before any sequence is counted in it. */
const emptyRow = (key: string, signals: number | null, matched: number | null): FunnelRow => ({
  key,
  counts: { signals, matched, drafted: 0, approved: 0, sent: 0, replied: 0, positive: 0, meetings: 0 },
  sequences: 0,
  signalToFirstSendMs: null,
});

/**
 * Merges signal-level and sequence-level rows by key; `null` where a stage has no meaning for the
 * dimension. `sequenceTotal` is the workspace-wide row: a signal whose sequences belong to two
 * reps or templates appears in both rows, but once in the total.
 */
export function buildFunnel(
  signals: SignalStageRow[],
  sequences: SequenceStageRow[],
  signalLevel: boolean,
  sequenceTotal?: SequenceStageRow,
): { rows: FunnelRow[]; total: FunnelRow } {
  const byKey = new Map<string, FunnelRow>();
  const get = (key: string) => {
    let r = byKey.get(key);
    if (!r) byKey.set(key, (r = emptyRow(key, signalLevel ? 0 : null, signalLevel ? 0 : null)));
    return r;
  };
  let totalSignals = 0,
    totalMatched = 0;
  for (const s of signals) {
    totalSignals += s.signals;
    totalMatched += s.matched;
    if (signalLevel && s.key !== null) Object.assign(get(s.key).counts, { signals: s.signals, matched: s.matched });
  }
  const total = emptyRow('All', totalSignals, totalMatched);
  let weighted = 0,
    weight = 0;
  for (const q of sequences) {
    const r = get(q.key);
    for (const st of ['drafted', 'approved', 'sent', 'replied', 'positive', 'meetings'] as const) {
      r.counts[st] = q[st];
      total.counts[st] = (total.counts[st] ?? 0) + q[st];
    }
    r.sequences = q.sequences;
    total.sequences += q.sequences;
    r.signalToFirstSendMs = q.signal_to_first_send_ms;
    if (q.signal_to_first_send_ms !== null) {
      weighted += q.signal_to_first_send_ms * q.sent;
      weight += q.sent;
    }
  }
  total.signalToFirstSendMs = weight ? weighted / weight : null;
  if (sequenceTotal)
    for (const st of ['drafted', 'approved', 'sent', 'replied', 'positive', 'meetings'] as const)
      total.counts[st] = sequenceTotal[st];
  const rows = [...byKey.values()].sort(
    (a, b) =>
      (b.counts.signals ?? b.counts.drafted ?? 0) - (a.counts.signals ?? a.counts.drafted ?? 0) ||
      a.key.localeCompare(b.key),
  );
  return { rows, total };
}

/** Conversion from the previous stage that has a number. */
export function conversions(r: FunnelRow): Record<Stage, string> {
  const out = {} as Record<Stage, string>;
  let prev: number | null = null;
  for (const s of STAGES) {
    const n = r.counts[s];
    out[s] = n === null || prev === null ? '' : pct(n, prev);
    if (n !== null) prev = n;
  }
  return out;
}

export const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  // A leading = + - @ would run as a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function funnelCsv(dimension: string, rows: FunnelRow[], total: FunnelRow): string {
  const head = [dimension, ...STAGES, 'sequences', 'reply_rate', 'meeting_rate', 'signal_to_first_send_hours'];
  const line = (r: FunnelRow) => [
    r.key,
    ...STAGES.map((s) => r.counts[s]),
    r.sequences,
    r.counts.sent ? (r.counts.replied! / r.counts.sent).toFixed(4) : '',
    r.counts.sent ? (r.counts.meetings! / r.counts.sent).toFixed(4) : '',
    r.signalToFirstSendMs === null ? '' : (r.signalToFirstSendMs / 3_600_000).toFixed(2),
  ];
  return [head, ...rows.map(line), line(total)].map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export const DIM_LABEL: Record<Dimension, string> = {
  signal_type: 'Signal type',
  source: 'Source',
  rep: 'Rep',
  template: 'Template',
  play: 'Play',
};

function funnelTable(dim: Dimension, rows: FunnelRow[], total: FunnelRow) {
  const cell = (r: FunnelRow, s: (typeof STAGES)[number], conv: Record<string, string>) =>
    html`<td data-stage="${s}">
      <span class="n">${r.counts[s] === null ? '—' : r.counts[s]}</span
      >${conv[s] ? html`<div class="muted">${conv[s]}</div>` : ''}
    </td>`;
  const line = (r: FunnelRow, isTotal = false) => {
    const conv = conversions(r);
    return html`<tr ${isTotal ? html`class="total"` : ''} data-key="${r.key}">
      <th scope="row">${label(r.key)}</th>
      ${STAGES.map((s) => cell(r, s, conv))}
      <td data-stage="sequences">${r.sequences}</td>
      <td data-stage="contacts-per-signal">${contactsPerSignal(r) || '—'}</td>
      <td>${duration(r.signalToFirstSendMs)}</td>
    </tr>`;
  };
  return html`<p class="muted" id="funnel-unit">
      Every stage counts <strong>signals</strong> (a signal sent to three contacts is one sent signal). Contacts reached
      are counted apart, in the last columns.
    </p>
    <table class="funnel" aria-describedby="funnel-unit">
      <caption class="sr-only">
        Funnel by ${DIM_LABEL[dim]}, in signals; the small figure is the conversion from the previous stage
      </caption>
      <thead>
        <tr>
          <th scope="col">${DIM_LABEL[dim]}</th>
          ${STAGES.map((s) => html`<th scope="col">${STAGE_LABEL[s]}</th>`)}
          <th scope="col">Sequences (contacts)</th>
          <th scope="col">Contacts per signal</th>
          <th scope="col">Signal → first send</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map((r) => line(r))}
      </tbody>
      <tfoot>
        ${line(total, true)}
      </tfoot>
    </table>`;
}

/** The funnel section: the chart of the workspace-wide row, then the table by dimension. */
export function funnelSection(
  range: { fromDay: string; toDay: string },
  dim: Dimension,
  rows: FunnelRow[],
  total: FunnelRow,
): Html {
  const conv = conversions(total);
  return html`<section aria-labelledby="funnel-h">
    <h2 id="funnel-h">Funnel</h2>
    ${barChart(
      'funnel-chart',
      `Funnel from signal to meeting, ${range.fromDay} to ${range.toDay}`,
      STAGES.map((s) => ({ label: STAGE_LABEL[s], value: total.counts[s] ?? 0, note: conv[s] || undefined })),
    )}
    ${funnelTable(dim, rows, total)}
  </section>`;
}
