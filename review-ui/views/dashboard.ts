// The dashboard's view model and charts: pure functions from query rows to numbers, CSV and
// server-rendered SVG (no chart library, nothing to load, readable without script).
import type { SequenceStageRow, SignalStageRow } from '../../db/queries/dashboard.js';
import { pct } from '../format.js';
import { html, type Html } from '../html.js';

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
    if (!r) {
      r = {
        key,
        counts: {
          signals: signalLevel ? 0 : null,
          matched: signalLevel ? 0 : null,
          drafted: 0,
          approved: 0,
          sent: 0,
          replied: 0,
          positive: 0,
          meetings: 0,
        },
        sequences: 0,
        signalToFirstSendMs: null,
      };
      byKey.set(key, r);
    }
    return r;
  };
  let totalSignals = 0,
    totalMatched = 0;
  for (const s of signals) {
    totalSignals += s.signals;
    totalMatched += s.matched;
    if (signalLevel && s.key !== null) Object.assign(get(s.key).counts, { signals: s.signals, matched: s.matched });
  }
  const total: FunnelRow = {
    key: 'All',
    counts: {
      signals: totalSignals,
      matched: totalMatched,
      drafted: 0,
      approved: 0,
      sent: 0,
      replied: 0,
      positive: 0,
      meetings: 0,
    },
    sequences: 0,
    signalToFirstSendMs: null,
  };
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

/** Horizontal bars with labels and values; `role="img"` with a title, and the same numbers in a table beside it. */
export function barChart(
  id: string,
  title: string,
  bars: { label: string; value: number; note?: string }[],
  opts: { width?: number; format?: (n: number) => string } = {},
): Html {
  const width = opts.width ?? 800,
    labelW = 190,
    valueW = 270,
    barH = 22,
    gap = 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * (barH + gap) + gap;
  const inner = width - labelW - valueW;
  const fmt = opts.format ?? ((n: number) => String(n));
  return html`<svg
    class="chart"
    id="${id}"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    role="img"
    aria-labelledby="${id}-t"
  >
    <title id="${id}-t">${title}</title>
    ${bars.map((b, i) => {
      const y = gap + i * (barH + gap);
      const w = Math.max(b.value > 0 ? 2 : 0, Math.round((inner * b.value) / max));
      return html`<g
        ><text x="${labelW - 8}" y="${y + barH * 0.7}" text-anchor="end">${b.label.slice(0, 28)}</text>
        <rect x="${labelW}" y="${y}" width="${w}" height="${barH}" rx="3" fill="#1f5fbf"></rect>
        <text x="${labelW + w + 6}" y="${y + barH * 0.7}">${fmt(b.value)}${b.note ? ` · ${b.note}` : ''}</text></g
      >`;
    })}
  </svg>`;
}
