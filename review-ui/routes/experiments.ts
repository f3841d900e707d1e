// Experiments: the managers' report (hold-out lift per play and signal type, variants per play
// and template, CSV, JSON API) and RevOps' experiment settings of a play (variants, hold-out).
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import type { CrmFilter } from '../../db/queries/dashboard-crm.js';
import { armOutcomes, stepVariantOutcomes, variantOutcomes } from '../../db/queries/experiments.js';
import { findPlay } from '../../db/queries/plays.js';
import { experimentReports, liftReports } from '../../experiments/report.js';
import { parseVariantLines, PlayExperiment } from '../../experiments/schema.js';
import { MIN_SAMPLE_PER_ARM } from '../../experiments/stats.js';
import { AppError } from '../../errors.js';
import { editPlay, toDefinition } from '../../plays/service.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { endpoint, parseInput } from '../openapi.js';
import { page } from '../layout.js';
import { experimentForm, experimentsCsv, experimentsPage, liftPanel } from '../views/experiments.js';
import { dateRange } from './dashboard.js';
import { auditRequest } from '../audit.js';
import { answerRefused } from '../error-handler.js';
import { refusedForm } from '../views/refused.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-03-01');
const ExperimentsQuery = z.object({ from: day.optional(), to: day.optional() });

const Num = z.number().nullable();
const Diff = z.object({ diff: z.number(), lo: z.number(), hi: z.number() }).nullable();
const Counts = z.object({
  sequences: z.number(),
  sent: z.number(),
  replied: z.number(),
  positive: z.number(),
  meetings: z.number(),
  unsubscribed: z.number(),
  bounced: z.number(),
  rejected: z.number(),
});
const LiftOut = z.object({
  treatedRate: Num,
  holdoutRate: Num,
  lift: Diff,
  extra: z.object({ value: z.number(), lo: z.number(), hi: z.number() }).nullable(),
  moreNeeded: Num,
});
const ExperimentsResponse = z.object({
  from: z.string(),
  to: z.string(),
  experiments: z.array(
    z.object({
      kind: z.enum(['play', 'template']),
      id: z.number(),
      name: z.string(),
      arms: z.array(Counts.extend({ variant: z.number(), letter: z.string(), label: z.string() })),
      comparison: z.object({
        arms: z.array(
          z.object({
            rate: Num,
            interval: z.object({ lo: z.number(), hi: z.number() }),
            vsControl: Diff,
            probabilityBest: z.number(),
          }),
        ),
        winner: Num,
        reason: z.string(),
        minSample: z.number(),
      }),
      steps: z
        .array(
          z.object({
            step: z.number(),
            arms: z.array(
              z.object({
                letter: z.string(),
                label: z.string(),
                sent: z.number(),
                replied: z.number(),
                positive: z.number(),
              }),
            ),
            comparison: z.object({ winner: Num, reason: z.string() }).loose(),
          }),
        )
        .optional(),
    }),
  ),
  lift: z.array(
    z.object({
      playId: z.number(),
      play: z.string(),
      signalType: z.string(),
      holdoutShare: z.number(),
      treated: Counts,
      holdout: Counts,
      meetings: LiftOut,
      positive: LiftOut,
    }),
  ),
});

endpoint({
  method: 'get',
  path: '/experiments',
  summary:
    'Variants per play and template (sent, replied, positive, meetings, unsubscribed, bounced; difference vs A with a ' +
    '95% Newcombe interval; probability best under a beta-binomial model) and hold-out lift per play and signal type',
  tag: 'experiments',
  roles: 'manager, revops, admin',
  query: ExperimentsQuery,
  response: ExperimentsResponse,
});

/** The report for sequences created in the range (default: the last 90 days). */
async function loadExperiments(ctx: Pick<AppContext, 'db'>, workspaceId: number, from: Date, to: Date) {
  const [variants, steps, arms] = await Promise.all([
    run(ctx.db, variantOutcomes(workspaceId, from, to)),
    run(ctx.db, stepVariantOutcomes(workspaceId, from, to)),
    run(ctx.db, armOutcomes(workspaceId, from, to)),
  ]);
  return { experiments: experimentReports(variants, steps), lift: liftReports(arms) };
}

/** The lift panel the dashboard shows (the full report is at /experiments), under its CRM filter. */
export async function liftSection(
  ctx: Pick<AppContext, 'db'>,
  workspaceId: number,
  from: Date,
  to: Date,
  crm: CrmFilter = null,
) {
  const lift = liftReports(await run(ctx.db, armOutcomes(workspaceId, from, to, crm)));
  return liftPanel(lift);
}

function experimentFromForm(b: Record<string, string | undefined>): PlayExperiment | null {
  const variants = parseVariantLines(b.variants ?? '');
  const holdout = b.holdout_on === '1';
  if (!variants.length && !holdout) return null;
  return parseInput(PlayExperiment, {
    variants,
    holdoutShare: holdout ? Number(b.holdout_percent ?? 10) / 100 : 0,
    holdoutGets: b.holdout_gets,
    autoPromote: b.auto_promote === '1',
    minSample: Number(b.min_sample || MIN_SAMPLE_PER_ARM),
  });
}

export function experimentRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.use(['/experiments', '/experiments.csv', '/api/experiments'], requireRole('manager', 'revops'));
  const range = (req: AuthedRequest) => {
    const q = parseInput(ExperimentsQuery, req.query);
    const now = new Date();
    return dateRange(
      { from: q.from ?? new Date(now.getTime() - 89 * 86_400_000).toISOString().slice(0, 10), to: q.to },
      req.user.timeZone,
      now,
    );
  };

  r.get('/experiments', async (req, res, user) => {
    const rg = range(req);
    const { experiments, lift } = await loadExperiments(ctx, user.workspaceId, rg.from, rg.to);
    res.type('html').send(page(req, 'Experiments', experimentsPage(rg, lift, experiments)));
  });

  r.get('/experiments.csv', async (req, res, user) => {
    const rg = range(req);
    const { experiments, lift } = await loadExperiments(ctx, user.workspaceId, rg.from, rg.to);
    res
      .attachment(`prospector-experiments-${rg.fromDay}-${rg.toDay}.csv`)
      .type('text/csv')
      .send(experimentsCsv(experiments, lift));
  });

  r.get('/api/experiments', async (req, res, user) => {
    const rg = range(req);
    const report = await loadExperiments(ctx, user.workspaceId, rg.from, rg.to);
    res.json({ from: rg.fromDay, to: rg.toDay, ...report });
  });

  const loadPlay = async (req: AuthedRequest) => {
    const p = await one(ctx.db, findPlay(req.user.workspaceId, intParam(req.params.id) ?? 0));
    if (!p) throw new AppError('NOT_FOUND', 'No such play.');
    return p;
  };
  r.get('/plays/:id/experiment', requireRole('revops'), async (req, res) => {
    const p = await loadPlay(req);
    res.type('html').send(page(req, `Experiment: ${p.name}`, experimentForm(req, p)));
  });
  r.post('/plays/:id/experiment', requireRole('revops'), async (req, res, user) => {
    const p = await loadPlay(req);
    let saved;
    try {
      const experiment = experimentFromForm(req.body ?? {});
      saved = await editPlay(
        ctx.db,
        user.workspaceId,
        p.id,
        Number(req.body?.version),
        { ...toDefinition(p), experiment },
        user.id,
      );
    } catch (err) {
      const refused = (why: string) => refusedForm(req, 'The experiment was not saved', why, 'experiment-form');
      return answerRefused(ctx.log, req, res, err, async (why) =>
        page(req, `Experiment: ${p.name}`, experimentForm(req, p, refused(why))),
      );
    }
    await auditRequest(ctx.db, req, 'play.experiment_edited', { type: 'play', id: p.id }, { version: saved.version });
    res.redirect(303, `/plays/${p.id}/experiment`);
  });
  return r.router;
}
