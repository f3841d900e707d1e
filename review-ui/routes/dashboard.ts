// The managers' dashboard: the funnel by signal type, source, rep or template, reply share per
// step, approval latency and time to first send per rep, edit rate per prompt version, a date
// range, CSV export and SVG charts rendered on the server.
import { Router, type Request } from 'express';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import {
  DIMENSIONS,
  repLatency,
  sequenceStages,
  signalStages,
  stepStages,
  type CrmFilter,
  type Dimension,
} from '../../db/queries/dashboard.js';
import { approvalLatencyByKind, unapprovedSkips } from '../../db/queries/step-approval.js';
import { editStats, type EditStats } from '../../drafting/edit-stats.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { duration, label, pct } from '../format.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { crmFilterControls, crmFilterOf } from './dashboard-crm.js';
import { liftSection } from './experiments.js';
import {
  barChart,
  buildFunnel,
  contactsPerSignal,
  conversions,
  funnelCsv,
  STAGE_LABEL,
  STAGES,
  type FunnelRow,
} from '../views/dashboard.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-03-01');
export const DashboardQuery = z.object({
  from: day.optional(),
  to: day.optional(),
  dim: z.enum(DIMENSIONS).default('signal_type'),
  segment: z.string().trim().max(200).optional(),
  industry: z.string().trim().max(200).optional(),
});
export type DashboardQuery = z.infer<typeof DashboardQuery>;

const DIM_LABEL: Record<Dimension, string> = {
  signal_type: 'Signal type',
  source: 'Source',
  rep: 'Rep',
  template: 'Template',
  play: 'Play',
};

/** Whole days in the viewer's zone; `to` is inclusive. Defaults to the last 30 days. */
export function dateRange(q: Pick<DashboardQuery, 'from' | 'to'>, zone: string, now = new Date()) {
  const z = IANAZone.isValidZone(zone) ? zone : 'UTC';
  const to = q.to ? DateTime.fromISO(q.to, { zone: z }) : DateTime.fromJSDate(now, { zone: z }).startOf('day');
  const from = q.from ? DateTime.fromISO(q.from, { zone: z }) : to.minus({ days: 29 });
  if (!to.isValid || !from.isValid || from > to)
    throw new AppError('VALIDATION', 'Choose a start date on or before the end date.');
  if (to.diff(from, 'days').days > 3660) throw new AppError('VALIDATION', 'Choose a range of at most ten years.');
  return {
    from: from.toJSDate(),
    to: to.plus({ days: 1 }).toJSDate(),
    fromDay: from.toISODate()!,
    toDay: to.toISODate()!,
  };
}

export async function loadFunnel(
  ctx: Pick<AppContext, 'db'>,
  workspaceId: number,
  from: Date,
  to: Date,
  dim: Dimension,
  crm: CrmFilter = null,
) {
  const [signals, sequences, [total]] = await Promise.all([
    run(ctx.db, signalStages(workspaceId, from, to, dim, crm)),
    run(ctx.db, sequenceStages(workspaceId, from, to, dim, crm)),
    run(ctx.db, sequenceStages(workspaceId, from, to, 'all', crm)),
  ]);
  return buildFunnel(signals, sequences, dim !== 'template', total);
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

async function render(ctx: AppContext, req: AuthedRequest, q: DashboardQuery): Promise<string> {
  const u = req.user;
  const range = dateRange(q, u.timeZone);
  // The CRM filter applies to every section below, not only the funnel.
  const filter = crmFilterOf(q);
  const [{ rows, total }, steps, latency, edits, crm] = await Promise.all([
    loadFunnel(ctx, u.workspaceId, range.from, range.to, q.dim, filter),
    run(ctx.db, stepStages(u.workspaceId, range.from, range.to, filter)),
    run(ctx.db, repLatency(u.workspaceId, range.from, range.to, filter)),
    editStats(ctx.db, u.workspaceId, { since: range.from, crm: filter }),
    crmFilterControls(ctx, u.workspaceId, q),
  ]);
  const [kindLatency, skips, lift] = await Promise.all([
    run(ctx.db, approvalLatencyByKind(u.workspaceId, range.from, range.to, filter)),
    run(ctx.db, unapprovedSkips(u.workspaceId, range.from, range.to, filter)),
    liftSection(ctx, u.workspaceId, range.from, range.to, filter),
  ]);
  const conv = conversions(total);
  const totalReplies = steps.reduce((n, s) => n + s.replies, 0);
  const params = new URLSearchParams({ from: range.fromDay, to: range.toDay, dim: q.dim, ...filter });
  return page(
    req,
    'Dashboard',
    html` <form method="get" action="/dashboard" class="filters" aria-label="Range and grouping">
        <label>From <input type="date" name="from" value="${range.fromDay}" /></label>
        <label>To <input type="date" name="to" value="${range.toDay}" /></label>
        <label
          >Group by
          <select name="dim">
            ${DIMENSIONS.map((d) => html`<option value="${d}" ${q.dim === d ? html`selected` : ''}>${DIM_LABEL[d]}</option>`)}
          </select></label
        >
        ${crm.selects}
        <button type="submit">Show</button> <a href="/dashboard.csv?${params.toString()}" download>Export CSV</a>
      </form>
      <p class="muted">
        Signals detected ${range.fromDay} to ${range.toDay} (${u.timeZone}) and the sequences drafted from them.
        Positive reply: the reply classifier said interested or asked for a meeting.
      </p>
      ${crm.note}
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
              (e: EditStats) =>
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
      </section>`,
  );
}

export function dashboardRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.use(['/dashboard', '/dashboard.csv'], requireRole('manager', 'revops'));
  const parse = (req: Request) => {
    const q = DashboardQuery.safeParse(req.query);
    if (!q.success)
      throw new AppError('VALIDATION', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return q.data;
  };

  r.get('/dashboard', async (req, res) => {
    res.type('html').send(await render(ctx, req, parse(req)));
  });

  r.get('/dashboard.csv', async (req, res, user) => {
    const q = parse(req);
    const range = dateRange(q, user.timeZone);
    const { rows, total } = await loadFunnel(ctx, user.workspaceId, range.from, range.to, q.dim, crmFilterOf(q));
    res
      .attachment(`prospector-funnel-${q.dim}-${range.fromDay}-${range.toDay}.csv`)
      .type('text/csv')
      .send(funnelCsv(q.dim, rows, total));
  });
  return r.router;
}
