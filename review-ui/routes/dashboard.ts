// The managers' dashboard: the funnel by signal type, source, rep or template, reply share per
// step, approval latency and time to first send per rep, edit rate per prompt version, a date
// range, CSV export and SVG charts rendered on the server.
import { Router, type Request } from 'express';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { crmFieldValues } from '../../db/queries/crm-fields.js';
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
import { editStats } from '../../drafting/edit-stats.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { page } from '../layout.js';
import { crmFilterOf } from './dashboard-crm.js';
import { liftSection } from './experiments.js';
import { dashboardPage } from '../views/dashboard.js';
import { buildFunnel, funnelCsv } from '../views/dashboard-funnel.js';
import { parseInput } from '../openapi.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-03-01');
export const DashboardQuery = z.object({
  from: day.optional(),
  to: day.optional(),
  dim: z.enum(DIMENSIONS).default('signal_type'),
  segment: z.string().trim().max(200).optional(),
  industry: z.string().trim().max(200).optional(),
});
export type DashboardQuery = z.infer<typeof DashboardQuery>;

/** Whole days in the viewer's zone; `to` is inclusive. Defaults to the last 30 days. */
export function dateRange(q: Pick<DashboardQuery, 'from' | 'to'>, zone: string, now = new Date()) {
  const z = IANAZone.isValidZone(zone) ? zone : 'UTC';
  const to = q.to ? DateTime.fromISO(q.to, { zone: z }) : DateTime.fromJSDate(now, { zone: z }).startOf('day');
  const from = q.from ? DateTime.fromISO(q.from, { zone: z }) : to.minus({ days: 29 });
  // `to` first: a bad `to` makes the default `from` bad too.
  for (const [k, d] of [
    ['to', to],
    ['from', from],
  ] as const) {
    if (!d.isValid) throw new AppError('VALIDATION', `${k}: ${q[k]} is not a day on the calendar.`);
    if (d.year < 1970 || d.year > 2199) throw new AppError('VALIDATION', `${k}: a day from 1970 to 2199.`);
  }
  if (from > to) throw new AppError('VALIDATION', 'Choose a start date on or before the end date.');
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

async function render(ctx: AppContext, req: AuthedRequest, q: DashboardQuery): Promise<string> {
  const u = req.user;
  const range = dateRange(q, u.timeZone);
  // The CRM filter applies to every section below, not only the funnel.
  const filter = crmFilterOf(q);
  const [{ rows, total }, steps, latency, edits, crmValues] = await Promise.all([
    loadFunnel(ctx, u.workspaceId, range.from, range.to, q.dim, filter),
    run(ctx.db, stepStages(u.workspaceId, range.from, range.to, filter)),
    run(ctx.db, repLatency(u.workspaceId, range.from, range.to, filter)),
    editStats(ctx.db, u.workspaceId, { since: range.from, crm: filter }),
    run(ctx.db, crmFieldValues(u.workspaceId)),
  ]);
  const [kindLatency, skips, lift] = await Promise.all([
    run(ctx.db, approvalLatencyByKind(u.workspaceId, range.from, range.to, filter)),
    run(ctx.db, unapprovedSkips(u.workspaceId, range.from, range.to, filter)),
    liftSection(ctx, u.workspaceId, range.from, range.to, filter),
  ]);
  return page(
    req,
    'Dashboard',
    dashboardPage({
      query: q,
      filter,
      range,
      timeZone: u.timeZone,
      rows,
      total,
      steps,
      latency,
      kindLatency,
      skips,
      edits,
      lift,
      crmValues,
    }),
  );
}

export function dashboardRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.use(['/dashboard', '/dashboard.csv'], requireRole('manager', 'revops'));
  const parse = (req: Request) => {
    return parseInput(DashboardQuery, req.query);
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
