// The JSON twins of the returned-steps pages: list, one step with what changed, approve, refresh.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { ReturnedStepRow } from '../../db/queries/step-approval.js';
import { refreshStep } from '../../sequencing/step-refresh.js';
import { isAppError } from '../../errors.js';
import { approveStep, loadChanges } from '../../sequencing/step-approval.js';
import { authedRouter } from '../authed.js';
import { assertCanAct } from '../access.js';
import type { CurrentUser } from '../auth/session.js';
import { intParam } from '../format.js';
import { endpoint, parseInput } from '../openapi.js';
import { loadReturned, loadStep, stepSettings } from '../step-actions.js';

const StepApproveBody = z.object({
  digest: z.string().optional().describe('the digest of the text you read (32 hex characters, from GET /steps/:id)'),
  confirmGateFailures: z
    .array(z.string().max(40))
    .max(20)
    .optional()
    .describe('For a step the gates flagged: the name of every gate it failed (a 409 GATE_FAILURES lists them)'),
});

endpoint({
  method: 'get',
  path: '/steps',
  tag: 'review',
  summary: 'Steps of each_step sequences back for approval, soonest due first, with how many changes each has',
  roles: 'reps (own accounts), managers, RevOps, admins',
});
endpoint({
  method: 'get',
  path: '/steps/:id',
  tag: 'review',
  summary: 'A returned step with its text digest and what changed since the sequence was approved',
  roles: 'reps (own accounts), managers, RevOps, admins',
});
endpoint({
  method: 'post',
  path: '/steps/:id/approve',
  tag: 'review',
  summary:
    'Approve one step (409 if its text changed since the digest; ' +
    '409 GATE_FAILURES for a flagged step until confirmGateFailures names every failed gate)',
  roles: 'owning rep, admin',
  body: StepApproveBody,
});
endpoint({
  method: 'post',
  path: '/steps/:id/refresh',
  tag: 'review',
  summary: 'Redraft one returned step with what changed, through the gates (needs an LLM)',
  roles: 'owning rep, admin',
});

const view = (r: ReturnedStepRow) => ({
  id: r.id,
  sequenceId: r.sequence_id,
  step: r.step_number,
  kind: r.kind,
  subject: r.subject,
  body: r.body,
  digest: r.digest,
  scheduledAt: r.scheduled_at,
  returnedAt: r.returned_at,
  missedWindows: r.missed_windows,
  changes: r.changes,
  flagged: r.flagged > 0,
  ownerId: r.owner_id,
  account: r.account_name,
  contact: r.contact_name ?? r.contact_email,
});

export function stepApprovalApiRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const load = (req: Request, u: CurrentUser) => loadStep(ctx, u, intParam(req.params.id));

  r.get('/steps', async (req, res, u) => {
    const q = await loadReturned(ctx, u, new Date(), 1, 200);
    res.json({ total: q.total, steps: q.rows.map(view) });
  });

  r.get('/steps/:id', async (req, res, user) => {
    const s = await load(req, user);
    const changes = await loadChanges(
      ctx.db,
      s.id,
      (await stepSettings(ctx, s.workspace_id)).staleFactDays,
      new Date(),
    );
    res.json({
      step: { ...view({ ...s, changes: changes.length }), status: s.status, gateFailures: s.gate_failures },
      changes,
    });
  });

  r.post('/steps/:id/approve', async (req, res, user) => {
    const s = await load(req, user);
    assertCanAct(user, s);
    const body = parseInput(StepApproveBody, req.body ?? {});
    try {
      const { scheduledAt } = await approveStep(ctx, {
        stepId: s.id,
        userId: user.id,
        digest: body.digest ?? null,
        confirmGates: body.confirmGateFailures,
      });
      res.json({ id: s.id, status: 'scheduled', scheduledAt });
    } catch (err) {
      if (!isAppError(err, 'GATE_FAILURES')) throw err;
      const { failures, gates } = err.details as { failures: unknown[]; gates: string[] };
      res.status(err.status).json({ error: { code: err.code, message: err.message, gates, failures } });
    }
  });

  r.post('/steps/:id/refresh', async (req, res, user) => {
    const s = await load(req, user);
    assertCanAct(user, s);
    res.json(
      await refreshStep({ db: ctx.db, config: ctx.config, log: ctx.log, llm: ctx.llm }, s.id, {
        userId: user.id,
        ip: req.ip,
      }),
    );
  });
  return r.router;
}
