// The dashboard page: the range, grouping and CRM filter form, then the sections (funnel, hold-out lift,
// reply rates, replies per step, speed, edits) composed from their own modules.
import type { CrmFieldValueRow } from '../../db/queries/crm-fields.js';
import {
  DIMENSIONS,
  type CrmFilter,
  type Dimension,
  type LatencyRow,
  type StepFunnelRow,
} from '../../db/queries/dashboard.js';
import type { KindLatencyRow, UnapprovedShareRow } from '../../db/queries/step-approval.js';
import type { EditStats } from '../../drafting/edit-stats.js';
import { label, pct } from '../format.js';
import { html, type Html } from '../html.js';
import { barChart } from './bar-chart.js';
import { crmFilterNote, crmFilterSelects, type CrmChoice } from './dashboard-crm.js';
import { DIM_LABEL, funnelSection, type FunnelRow } from './dashboard-funnel.js';
import { editsSection, repLatencySection, stepApprovalSection } from './dashboard-latency.js';

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
  const totalReplies = v.steps.reduce((n, s) => n + s.replies, 0);
  const params = new URLSearchParams({ from: v.range.fromDay, to: v.range.toDay, dim: v.query.dim, ...v.filter });
  return html` <form method="get" action="/dashboard" class="filters" aria-label="Range and grouping">
      <label>From <input type="date" name="from" value="${v.range.fromDay}" /></label>
      <label>To <input type="date" name="to" value="${v.range.toDay}" /></label>
      <label
        >Group by
        <select name="dim">
          ${DIMENSIONS.map((d) => html`<option value="${d}" ${v.query.dim === d ? html`selected` : ''}>${DIM_LABEL[d]}</option>`)}
        </select></label
      >
      ${crmFilterSelects(v.crmValues, v.query)}
      <button type="submit">Show</button> <a href="/dashboard.csv?${params.toString()}" download>Export CSV</a>
    </form>
    <p class="muted">
      Signals detected ${v.range.fromDay} to ${v.range.toDay} (${v.timeZone}) and the sequences drafted from them.
      Positive reply: the reply classifier said interested or asked for a meeting.
    </p>
    ${crmFilterNote(v.filter)} ${funnelSection(v.range, v.query.dim, v.rows, v.total)} ${v.lift}
    <section aria-labelledby="reply-h">
      <h2 id="reply-h">Reply rate by ${DIM_LABEL[v.query.dim].toLowerCase()}</h2>
      ${barChart(
        'reply-chart',
        `Replies per sent sequence by ${DIM_LABEL[v.query.dim]}`,
        v.rows
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
        v.steps.length
          ? html`${barChart(
              'steps-chart',
              'Share of replies per step',
              v.steps.map((s) => ({
                label: `Step ${s.step}`,
                value: s.replies,
                note: `${pct(s.replies, totalReplies)} of replies, ${pct(s.replies, s.sent)} of ${s.sent} sent`,
              })),
            )}`
          : html`<p class="muted">Nothing sent in this range.</p>`
      }
    </section>
    ${repLatencySection(v.latency)} ${stepApprovalSection(v.range, v.kindLatency, v.skips)}
    ${editsSection(v.range.fromDay, v.edits)}`;
}
