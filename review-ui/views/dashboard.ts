// The dashboard's view model and charts: pure functions from query rows to numbers, CSV and
// server-rendered SVG (no chart library, nothing to load, readable without script).
import type { CrmField } from '../../crm/mapping.js';
import { CRM_FIELDS } from '../../crm/mapping.js';
import type { CrmFieldValueRow } from '../../db/queries/crm-fields.js';
import {
  DIMENSIONS,
  type CrmFilter,
  type Dimension,
  type LatencyRow,
  type SequenceStageRow,
  type SignalStageRow,
  type StepFunnelRow,
} from '../../db/queries/dashboard.js';
import type { KindLatencyRow, UnapprovedShareRow } from '../../db/queries/step-approval.js';
import type { EditStats } from '../../drafting/edit-stats.js';
import { duration, label, pct } from '../format.js';
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

export const DIM_LABEL: Record<Dimension, string> = {
  signal_type: 'Signal type',
  source: 'Source',
  rep: 'Rep',
  template: 'Template',
  play: 'Play',
};

export const CRM_FIELD_LABEL: Record<CrmField, string> = { segment: 'Segment', industry: 'Industry' };

type CrmChoice = Partial<Record<CrmField, string>>;

/** A select per CRM field that has values (fields nobody mapped show none). */
export function crmFilterSelects(values: CrmFieldValueRow[], q: CrmChoice): Html {
  const selects = CRM_FIELDS.map((k) => {
    const mine = values.filter((v) => v.field === k);
    // A chosen value no account holds any more stays choosable, so the page says what it filters by.
    if (q[k] && !mine.some((v) => v.value === q[k])) mine.push({ field: k, value: q[k], accounts: 0 });
    if (!mine.length) return '';
    return html`<label
      >${CRM_FIELD_LABEL[k]} (CRM)
      <select name="${k}">
        <option value="">Any</option>
        ${mine.map(
          (v) =>
            html`<option value="${v.value}" ${q[k] === v.value ? html`selected` : ''}>
              ${v.value} (${v.accounts} accounts)
            </option>`,
        )}
      </select></label
    >`;
  });
  return html`${selects}`;
}

/** The line saying what every section is filtered to; empty when nothing is chosen. */
export function crmFilterNote(filter: CrmFilter): Html {
  return filter
    ? html`<p class="muted" id="crm-filter-note">
        Every section below counts only signals and sequences on accounts whose CRM
        ${Object.entries(filter)
          .map(([k, v]) => `${CRM_FIELD_LABEL[k as CrmField].toLowerCase()} is ${v}`)
          .join(' and ')}.
      </p>`
    : html``;
}

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

export interface DashboardView {
  query: { dim: Dimension } & CrmChoice;
  filter: CrmFilter;
  range: { fromDay: string; toDay: string };
  timeZone: string;
  rows: FunnelRow[];
  total: FunnelRow;
  steps: StepFunnelRow[];
  latency: LatencyRow[];
  kindLatency: KindLatencyRow[];
  skips: UnapprovedShareRow[];
  edits: EditStats[];
  /** The hold-out lift section (experiments). */
  lift: Html;
  crmValues: CrmFieldValueRow[];
}

export function dashboardPage(v: DashboardView): Html {
  const {
    query: q,
    filter,
    range,
    timeZone,
    rows,
    total,
    steps,
    latency,
    kindLatency,
    skips,
    edits,
    lift,
    crmValues,
  } = v;
  const conv = conversions(total);
  const totalReplies = steps.reduce((n, s) => n + s.replies, 0);
  const params = new URLSearchParams({ from: range.fromDay, to: range.toDay, dim: q.dim, ...filter });
  return html` <form method="get" action="/dashboard" class="filters" aria-label="Range and grouping">
      <label>From <input type="date" name="from" value="${range.fromDay}" /></label>
      <label>To <input type="date" name="to" value="${range.toDay}" /></label>
      <label
        >Group by
        <select name="dim">
          ${DIMENSIONS.map((d) => html`<option value="${d}" ${q.dim === d ? html`selected` : ''}>${DIM_LABEL[d]}</option>`)}
        </select></label
      >
      ${crmFilterSelects(crmValues, q)}
      <button type="submit">Show</button> <a href="/dashboard.csv?${params.toString()}" download>Export CSV</a>
    </form>
    <p class="muted">
      Signals detected ${range.fromDay} to ${range.toDay} (${timeZone}) and the sequences drafted from them. Positive
      reply: the reply classifier said interested or asked for a meeting.
    </p>
    ${crmFilterNote(filter)}
    <section aria-labelledby="funnel-h">
      <h2 id="funnel-h">Funnel</h2>
      ${barChart(
        'funnel-chart',
        `Funnel from signal to meeting, ${range.fromDay} to ${range.toDay}`,
        STAGES.map((s) => ({ label: STAGE_LABEL[s], value: total.counts[s] ?? 0, note: conv[s] || undefined })),
      )}
      ${funnelTable(q.dim, rows, total)}
    </section>
    ${lift}
    <section aria-labelledby="reply-h">
      <h2 id="reply-h">Reply rate by ${DIM_LABEL[q.dim].toLowerCase()}</h2>
      ${barChart(
        'reply-chart',
        `Replies per sent sequence by ${DIM_LABEL[q.dim]}`,
        rows
          .filter((r) => r.counts.sent)
          .map((r) => ({
            label: label(r.key),
            value: Math.round((1000 * r.counts.replied!) / r.counts.sent!) / 10,
            note: `${r.counts.replied} of ${r.counts.sent}`,
          })),
        { format: (n) => `${n}%` },
      )}
    </section>
    <section aria-labelledby="steps-h">
      <h2 id="steps-h">Replies per step</h2>
      ${
        steps.length
          ? html`${barChart(
              'steps-chart',
              'Share of replies per step',
              steps.map((s) => ({
                label: `Step ${s.step}`,
                value: s.replies,
                note: `${pct(s.replies, totalReplies)} of replies, ${pct(s.replies, s.sent)} of ${s.sent} sent`,
              })),
            )}`
          : html`<p class="muted">Nothing sent in this range.</p>`
      }
    </section>
    <section aria-labelledby="lat-h">
      <h2 id="lat-h">Speed per rep</h2>
      <table>
        <thead>
          <tr>
            <th>Rep</th>
            <th>Approved</th>
            <th>Approval latency (median)</th>
            <th>(mean)</th>
            <th>Signal → first send (mean)</th>
          </tr>
        </thead>
        <tbody>
          ${latency.map(
            (l) =>
              html`<tr>
                <td>${l.rep}</td>
                <td>${l.approved}</td>
                <td>${duration(l.median_ms)}</td>
                <td>${duration(l.avg_ms)}</td>
                <td>${duration(l.signal_to_first_send_ms)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${latency.length ? '' : html`<p class="muted">No approvals in this range.</p>`}
    </section>
    <section aria-labelledby="step-approval-h">
      <h2 id="step-approval-h">Approval per step</h2>
      <p class="muted">
        Openers from the draft landing in review to its approval; later steps of sequences that approve each step from
        coming back to the queue to their own approval. Steps approved ${range.fromDay} to ${range.toDay}.
      </p>
      <table id="approval-by-kind">
        <thead>
          <tr>
            <th>Step kind</th>
            <th>Approved</th>
            <th>Latency (median)</th>
            <th>(mean)</th>
            <th>Needed own approval</th>
            <th>Skipped unapproved</th>
          </tr>
        </thead>
        <tbody>
          ${[...new Set([...kindLatency.map((k) => k.kind), ...skips.map((k) => k.kind)])].sort().map((kind) => {
            const l = kindLatency.find((k) => k.kind === kind);
            const sk = skips.find((k) => k.kind === kind);
            return html`<tr data-kind="${kind}">
              <td>${label(kind)}</td>
              <td>${l?.approved ?? 0}</td>
              <td>${duration(l?.median_ms)}</td>
              <td>${duration(l?.avg_ms)}</td>
              <td>${sk?.needed ?? '—'}</td>
              <td>${sk ? html`${sk.skipped} (${pct(sk.skipped, sk.needed)})` : '—'}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      ${kindLatency.length || skips.length ? '' : html`<p class="muted">No step approvals in this range.</p>`}
    </section>
    <section aria-labelledby="edit-h">
      <h2 id="edit-h">Edits per prompt version</h2>
      <table>
        <thead>
          <tr>
            <th>Prompt</th>
            <th>Drafter</th>
            <th>Template</th>
            <th>Sequences</th>
            <th>Approved unedited</th>
            <th>Edit rate</th>
            <th>Mean chars changed per step</th>
          </tr>
        </thead>
        <tbody>
          ${edits.map(
            (e) =>
              html`<tr>
                <td>${e.promptVersion ?? '—'}</td>
                <td>${e.drafter ?? '—'}</td>
                <td>${e.templateName ?? '—'}</td>
                <td>${e.sequences}</td>
                <td>${pct(Math.round(e.approvedUnedited * e.sequences), e.sequences)}</td>
                <td>${pct(Math.round((1 - e.approvedUnedited) * e.sequences), e.sequences)}</td>
                <td>${e.meanEditDistance}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${edits.length ? '' : html`<p class="muted">No approved drafts since ${range.fromDay}.</p>`}
    </section>`;
}
