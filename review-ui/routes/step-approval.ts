// Steps that came back for approval (each_step sequences): the list in the owner's queue, one
// step with what changed since the sequence was approved, approve / edit / refresh, and bulk
// approve of the steps nothing changed for (one keystroke, then a confirmation page).
import { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { listStepsForReview } from '../../db/queries/review.js';
import {
  editAwaitingStep,
  listReturned,
  nextReturned,
  stepChanges,
  type AwaitingStepRow,
} from '../../db/queries/step-approval.js';
import { refreshStep } from '../../sequencing/step-refresh.js';
import { AppError, isAppError } from '../../errors.js';
import { resolveZone } from '../../sequencing/schedule.js';
import { approveStep, loadChanges } from '../../sequencing/step-approval.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { assertCanAct, canActOnDraft, queueViewer } from '../access.js';
import { intParam } from '../format.js';
import { page } from '../layout.js';
import { confirmFailuresPage, confirmedGates } from '../views/confirm-gates.js';
import { bulkConfirm, bulkResult, returnedStepsPage, returnedStepsSection, stepPage } from '../views/step-approval.js';
import { auditRequest } from '../audit.js';
import { loadReturned, loadStep, stepSettings } from '../step-actions.js';

// The queue page (queue.ts) reads the list and its block through here.
export { loadReturned, returnedStepsSection };

function stepIdParam(req: Request): number {
  const id = intParam(req.params.id);
  if (!id) throw new AppError('NOT_FOUND', 'No such step.');
  return id;
}

async function render(ctx: AppContext, req: AuthedRequest, s: AwaitingStepRow): Promise<string> {
  const u = req.user;
  const now = new Date();
  const settings = await stepSettings(ctx, u.workspaceId);
  const [changes, steps, list] = await Promise.all([
    loadChanges(ctx.db, s.id, settings.staleFactDays, now),
    run(ctx.db, listStepsForReview(s.sequence_id)),
    run(ctx.db, listReturned(u.workspaceId, queueViewer(u), now, settings.staleFactDays, 500, 0)),
  ]);
  const i = list.findIndex((r) => r.id === s.id);
  return page(
    req,
    `${s.account_name ?? 'No account'} · ${s.contact_name ?? s.contact_email ?? ''} · step ${s.step_number}`,
    stepPage(req, {
      s,
      changes,
      earlier: steps.filter((x) => x.position < s.position),
      prev: i > 0 ? list[i - 1]!.id : null,
      next: i >= 0 ? (list[i + 1]?.id ?? null) : (list[0]?.id ?? null),
      canAct: canActOnDraft(u, s),
      canRefresh: !!ctx.config.anthropic.apiKey,
      zone: resolveZone(s.contact_tz, s.account_tz, s.owner_tz),
      viewerZone: u.timeZone,
      maxMissedWindows: settings.maxMissedWindows,
    }),
  );
}

export function stepApprovalRoutes(ctx: AppContext): Router {
  const r = authedRouter();

  r.get('/queue/steps', async (req, res, u) => {
    const now = new Date();
    const q = await loadReturned(ctx, u, now, intParam(req.query.page) ?? 1);
    const canBulk = u.role === 'rep' || u.role === 'admin';
    res.type('html').send(page(req, 'Steps back for approval', returnedStepsPage(req, q, now, u.timeZone, canBulk)));
  });

  r.post('/queue/steps/approve', async (req, res, u) => {
    const raw = req.body?.ids;
    const picked = new Map<number, string>();
    for (const x of Array.isArray(raw) ? raw : raw ? [raw] : []) {
      const [id, digest] = String(x).split(':');
      const n = intParam(id);
      if (n && digest && /^[0-9a-f]{32}$/.test(digest) && picked.size < 200) picked.set(n, digest);
    }
    if (!picked.size) throw new AppError('VALIDATION', 'Select at least one step to approve.');
    if (req.body?.confirm !== 'yes') {
      res
        .type('html')
        .send(page(req, `Approve ${picked.size} step${picked.size === 1 ? '' : 's'}?`, bulkConfirm(req, picked)));
      return;
    }
    const settings = await stepSettings(ctx, u.workspaceId);
    const now = new Date();
    const results: [number, string | null][] = [];
    let ok = 0;
    for (const [id, digest] of picked) {
      try {
        const s = await loadStep(ctx, u, id);
        assertCanAct(u, s);
        // Bulk approval is only for steps nothing changed for: re-checked now, not as the list showed it.
        if (
          (await run(ctx.db, stepChanges(id, now, settings.staleFactDays))).length ||
          (Array.isArray(s.gate_failures) && s.gate_failures.length)
        ) {
          throw new AppError('STATE', 'something changed for it since approval; open it and read it first');
        }
        await approveStep(ctx, { stepId: id, userId: u.id, digest, now });
        ok++;
        results.push([id, null]);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push([id, err.message]);
      }
    }
    res.type('html').send(page(req, 'Bulk approve steps', bulkResult(ok, results)));
  });

  r.get('/steps/:id', async (req, res, user) => {
    const s = await loadStep(ctx, user, stepIdParam(req));
    res.type('html').send(await render(ctx, req, s));
  });

  r.post('/steps/:id/approve', async (req, res, u) => {
    const s = await loadStep(ctx, u, stepIdParam(req));
    assertCanAct(u, s);
    const digest = String(req.body?.digest ?? '') || null;
    try {
      await approveStep(ctx, { stepId: s.id, userId: u.id, digest, confirmGates: confirmedGates(req.body) });
    } catch (err) {
      if (!isAppError(err, 'GATE_FAILURES')) throw err;
      res.type('html').send(
        confirmFailuresPage(req, {
          what: `step ${s.step_number}`,
          action: `/steps/${s.id}/approve`,
          back: `/steps/${s.id}`,
          failures: (err.details as { failures: unknown }).failures,
          hidden: { digest: digest ?? '' },
        }),
      );
      return;
    }
    const next = await one(ctx.db, nextReturned(u.workspaceId, queueViewer(u), new Date(), [s.id]));
    res.redirect(303, next ? `/steps/${next.id}?approved=${s.id}` : `/queue/steps?approved=1`);
  });

  r.post('/steps/:id/edit', async (req, res, u) => {
    const s = await loadStep(ctx, u, stepIdParam(req));
    assertCanAct(u, s);
    const subject = String(req.body?.subject ?? '').slice(0, 500);
    const body = String(req.body?.body ?? '').slice(0, 20_000);
    if (!body.trim()) throw new AppError('VALIDATION', 'The body cannot be empty.');
    const saved = await one(ctx.db, editAwaitingStep(s.id, String(req.body?.digest ?? ''), subject, body, new Date()));
    if (!saved)
      throw new AppError(
        'CONFLICT',
        'This step changed after you opened it (or is no longer waiting). Your text was not saved: copy it and reload.',
      );
    await auditRequest(ctx.db, req, 'step.edited', { type: 'sequence_step', id: s.id });
    res.redirect(303, `/steps/${s.id}?saved=1`);
  });

  r.post('/steps/:id/refresh', async (req, res, u) => {
    const s = await loadStep(ctx, u, stepIdParam(req));
    assertCanAct(u, s);
    await refreshStep({ db: ctx.db, config: ctx.config, log: ctx.log, llm: ctx.llm }, s.id, {
      userId: u.id,
      ip: req.ip,
    });
    res.redirect(303, `/steps/${s.id}?refreshed=1`);
  });
  return r.router;
}
