// One draft: what happened, the research behind it, every step with its send time, and the
// actions. Approve, reject and snooze land on the next draft in the queue.
import { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import {
  findDossierForReview,
  listDraftVersions,
  listFacts,
  listObservationsForReview,
  listStepsForReview,
  type DraftRow,
} from '../../db/queries/review.js';
import { findSignalInAnyWorkspace } from '../../db/queries/signals.js';
import { queueNeighbours } from '../../db/queries/review-queue.js';
import { crmHoldOut } from '../../crm/guards.js';
import { AppError, isAppError } from '../../errors.js';
import { previewSchedule } from '../../sequencing/approve.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { loadUpcoming } from './schedule.js';
import { canActOnDraft, queueViewer } from '../access.js';
import { approve, loadDraft, regenerate, reject, saveEdit, snooze, type StepEdit } from '../draft-actions.js';
import { intParam, zoneOf } from '../format.js';
import { page } from '../layout.js';
import { statusLine } from '../status-line.js';
import { confirmFailuresPage, confirmedGates } from '../views/confirm-gates.js';
import { draftPage } from '../views/draft.js';

const idParam = (req: Request) => {
  const id = intParam(req.params.id);
  if (!id) throw new AppError('NOT_FOUND', 'No such draft.');
  return id;
};

async function render(ctx: AppContext, req: AuthedRequest, d: DraftRow): Promise<string> {
  const u = req.user;
  const [signal, obs, steps, versions, nb] = await Promise.all([
    d.signal_id ? one(ctx.db, findSignalInAnyWorkspace(d.signal_id)) : undefined,
    d.signal_id ? run(ctx.db, listObservationsForReview(d.signal_id)) : [],
    run(ctx.db, listStepsForReview(d.id)),
    run(ctx.db, listDraftVersions(d.id)),
    one(ctx.db, queueNeighbours(u.workspaceId, queueViewer(u), d.id)),
  ]);
  const dos = d.signal_id ? await one(ctx.db, findDossierForReview(d.signal_id, d.contact_id)) : undefined;
  const facts = dos ? await run(ctx.db, listFacts(dos.id)) : [];
  const pending = d.status === 'pending_review' || d.status === 'snoozed';
  const plan = pending ? await previewSchedule(ctx.db, d.id).catch(() => undefined) : undefined;
  // Drafted before the CRM held the account out: the reason, and approving is refused (sequencing/approve.ts).
  const heldOut = pending && d.account_id ? await crmHoldOut(ctx.db, d.workspace_id, d.account_id) : null;
  const canAct = canActOnDraft(u, d);
  const now = new Date();
  const upcoming = ['active', 'paused'].includes(d.status)
    ? await loadUpcoming(ctx.db, req, { sequenceId: d.id }, 100, 0, now)
    : [];
  const who = [d.contact_first_name, d.contact_last_name].filter(Boolean).join(' ') || d.contact_email || 'no contact';
  return page(
    req,
    `${d.account_name ?? 'No account'} · ${who}`,
    draftPage(req, {
      d,
      statusLine: await statusLine(ctx, req),
      signal,
      obs,
      steps,
      versions,
      prevId: nb?.prev_id ?? null,
      nextId: nb?.next_id ?? null,
      facts,
      organization: dos?.organization ?? null,
      heldOut,
      planned: plan?.steps ?? [],
      waiting: new Map(upcoming.map((it) => [it.row.id, it.waiting])),
      recipientZone:
        plan?.zone ?? zoneOf(d.contact_time_zone, dos?.contact_time_zone, d.account_time_zone, d.owner_time_zone),
      viewerZone: u.timeZone,
      canAct,
      editable: canAct && pending,
      offline: !ctx.llm,
      now,
      userId: u.id,
    }),
  );
}

export function stepEditsFromForm(body: Record<string, unknown>): StepEdit[] {
  const positions = ([] as unknown[])
    .concat(body.positions ?? [])
    .map((x) => Number.parseInt(String(x), 10))
    .filter((n) => Number.isInteger(n) && n >= 0);
  return positions.map((p) => ({
    position: p,
    subject: String(body[`subject_${p}`] ?? '').slice(0, 500),
    body: String(body[`body_${p}`] ?? '').slice(0, 20_000),
  }));
}

export function draftRoutes(ctx: AppContext): Router {
  const r = authedRouter();

  r.get('/drafts/:id', async (req, res, user) => {
    const d = await loadDraft(ctx, user, idParam(req));
    res.type('html').send(await render(ctx, req, d));
  });

  r.post('/drafts/:id/edit', async (req, res, user) => {
    const id = idParam(req);
    const version = intParam(req.body?.version);
    if (!version) throw new AppError('VALIDATION', 'The form lost its version; reload the page.');
    await saveEdit(ctx, user, id, version, stepEditsFromForm(req.body ?? {}));
    res.redirect(303, `/drafts/${id}?saved=1`);
  });

  r.post('/drafts/:id/approve', async (req, res, user) => {
    const id = idParam(req);
    const version = intParam(req.body?.version);
    // The confirmation page sends the gates it listed, and only with its box ticked.
    const confirmGates = confirmedGates(req.body);
    try {
      await approve(ctx, user, id, { expectedVersion: version, confirmGates });
    } catch (err) {
      if (!isAppError(err, 'GATE_FAILURES')) throw err;
      const d = await loadDraft(ctx, user, id);
      res.type('html').send(
        confirmFailuresPage(req, {
          what: `draft #${d.id}`,
          action: `/drafts/${d.id}/approve`,
          back: `/drafts/${d.id}`,
          failures: d.gate_failures,
          hidden: { version: d.version },
        }),
      );
      return;
    }
    res.redirect(303, `/queue/next?approved=${id}`);
  });

  r.post('/drafts/:id/reject', async (req, res, user) => {
    const id = idParam(req);
    await reject(ctx, user, id, String(req.body?.reason ?? ''));
    res.redirect(303, `/queue/next?rejected=${id}`);
  });

  r.post('/drafts/:id/regenerate', async (req, res, user) => {
    const id = idParam(req);
    await regenerate(ctx, user, id, String(req.body?.instruction ?? ''));
    res.redirect(303, `/drafts/${id}?regenerating=1`);
  });

  r.post('/drafts/:id/snooze', async (req, res, user) => {
    const id = idParam(req);
    const days = Math.min(30, intParam(req.body?.days) ?? 1);
    await snooze(ctx, user, id, new Date(Date.now() + days * 86_400_000));
    res.redirect(303, `/queue/next?snoozed=${id}`);
  });
  return r.router;
}
