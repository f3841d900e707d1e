// JSON API for the review queue and drafts: the same actions as the pages, through the same
// functions (roles, optimistic version, audit).
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import {
  findDossierForReview,
  listFacts,
  listObservationsForReview,
  listStepsForReview,
} from '../../db/queries/review.js';
import { findSignalInAnyWorkspace } from '../../db/queries/signals.js';
import { AppError, isAppError } from '../../errors.js';
import { previewSchedule } from '../../sequencing/approve.js';
import { authedRouter } from '../authed.js';
import { approve, loadDraft, regenerate, reject, saveEdit, snooze } from '../draft-actions.js';
import { intParam } from '../format.js';
import { endpoint, parseInput } from '../openapi.js';
import { loadQueue, QueueQuery } from './queue.js';

const Iso = z.string().describe('ISO 8601 timestamp');
const QueueItem = z.object({
  id: z.number(),
  version: z.number(),
  signal_type: z.string(),
  signal_title: z.string(),
  detected_at: Iso,
  account_name: z.string().nullable(),
  contact_name: z.string().nullable(),
  subject: z.string().nullable(),
  owner_id: z.number().nullable(),
  gate_failure_count: z.number(),
  age: z.string(),
});
const DraftEdit = z.object({
  version: z.number().int().positive().describe('The version you loaded; a newer one on the server answers 409'),
  steps: z
    .array(z.object({ position: z.number().int().min(0), subject: z.string().max(500), body: z.string().max(20_000) }))
    .min(1),
});
// The rules (a reason is required, at most 1,000 characters; an instruction at most 2,000) live in
// the use cases (draft-actions.ts), so the page and the API refuse the same input with the same words.
const RejectBody = z.object({
  reason: z.string().default('').describe('why (required, at most 1,000 characters)'),
});
const RegenerateBody = z.object({
  instruction: z.string().default('').describe('what to change (at most 2,000 characters)'),
});
const SnoozeBody = z
  .object({ days: z.number().int().min(1).max(30).optional(), until: Iso.optional() })
  .refine((b) => !!b.days !== !!b.until, 'give days or until');
const ApproveBody = z.object({
  version: z.number().int().positive().optional().describe('The version you reviewed; a newer one answers 409'),
  confirmGateFailures: z
    .array(z.string().max(40))
    .max(20)
    .optional()
    .describe('For a draft the gates flagged: the name of every gate it failed (a 409 GATE_FAILURES lists them)'),
});
const BulkApproveBody = z.object({
  ids: z.array(z.number().int().positive()).min(1).max(200),
  versions: z.record(z.string(), z.number().int().positive()).optional().describe('id → the version you reviewed'),
});

const ep = {
  queue: endpoint({
    method: 'get',
    path: '/queue',
    tag: 'review',
    summary: 'Drafts waiting for review, newest signal first, with counts per filter',
    query: QueueQuery,
    response: z.object({
      page: z.number(),
      perPage: z.number(),
      total: z.number().describe('matching drafts; with capped, a lower bound (the count stops past 1,000)'),
      capped: z
        .boolean()
        .describe('a search matched more than 1,000 drafts: total is a lower bound and counts are empty'),
      counts: z.record(z.string(), z.record(z.string(), z.number())),
      items: z.array(QueueItem),
    }),
  }),
  draft: endpoint({
    method: 'get',
    path: '/drafts/:id',
    tag: 'review',
    summary: 'A draft with its signal, sources, facts, steps and planned send times',
    roles: 'reps (own accounts), managers, RevOps, admins',
  }),
  edit: endpoint({
    method: 'patch',
    path: '/drafts/:id',
    tag: 'review',
    summary: 'Save edited subjects and bodies (optimistic version; 409 on conflict)',
    roles: 'owning rep, admin',
    body: DraftEdit,
    response: z.object({ version: z.number(), savedVersion: z.number() }),
  }),
  approve: endpoint({
    method: 'post',
    path: '/drafts/:id/approve',
    tag: 'review',
    summary:
      'Approve: the sequence starts and every step is scheduled. ' +
      'A flagged draft answers 409 GATE_FAILURES with its failures until confirmGateFailures names every failed gate',
    roles: 'owning rep, admin',
    body: ApproveBody,
    response: z.object({ id: z.number(), firstSendAt: Iso.nullable() }),
  }),
  reject: endpoint({
    method: 'post',
    path: '/drafts/:id/reject',
    tag: 'review',
    summary: 'Reject with a reason',
    roles: 'owning rep, admin',
    body: RejectBody,
    response: z.object({ id: z.number(), status: z.literal('rejected') }),
  }),
  regenerate: endpoint({
    method: 'post',
    path: '/drafts/:id/regenerate',
    tag: 'review',
    summary: 'Ask the drafter for a new version with an instruction',
    roles: 'owning rep, admin',
    body: RegenerateBody,
    status: 202,
    response: z.object({ id: z.number(), jobId: z.string().nullable() }),
  }),
  snooze: endpoint({
    method: 'post',
    path: '/drafts/:id/snooze',
    tag: 'review',
    summary: 'Hide from the queue until a time',
    roles: 'owning rep, admin',
    body: SnoozeBody,
    response: z.object({ id: z.number(), until: Iso }),
  }),
  bulk: endpoint({
    method: 'post',
    path: '/drafts/bulk-approve',
    tag: 'review',
    summary:
      'Approve several drafts; each result says whether it started. Drafts flagged by a gate are refused (GATE_FAILURES)',
    roles: 'owning rep, admin',
    body: BulkApproveBody,
    response: z.object({
      results: z.array(
        z.object({
          id: z.number(),
          ok: z.boolean(),
          firstSendAt: Iso.nullable().optional(),
          error: z.object({ code: z.string(), message: z.string() }).optional(),
        }),
      ),
    }),
  }),
};
void ep;

const idOf = (v: unknown) => {
  const id = intParam(v);
  if (!id) throw new AppError('NOT_FOUND', 'No such draft.');
  return id;
};

export function reviewApiRoutes(ctx: AppContext): Router {
  const r = authedRouter();

  r.get('/queue', async (req, res) => {
    const query = QueueQuery.parse(req.query);
    const perPage = Math.min(200, intParam(req.query.perPage) ?? 50);
    const q = await loadQueue(ctx, req, query, perPage);
    res.json({ page: q.page, perPage: q.perPage, total: q.total, capped: q.capped, counts: q.counts, items: q.rows });
  });

  r.post('/drafts/bulk-approve', async (req, res, user) => {
    const { ids, versions } = parseInput(BulkApproveBody, req.body);
    const results = [];
    for (const id of ids) {
      try {
        const { firstSendAt } = await approve(ctx, user, id, {
          expectedVersion: versions?.[String(id)],
          bulk: true,
        });
        results.push({ id, ok: true, firstSendAt });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({ id, ok: false, error: { code: err.code, message: err.message } });
      }
    }
    res.json({ results });
  });

  r.get('/drafts/:id', async (req, res, user) => {
    const d = await loadDraft(ctx, user, idOf(req.params.id));
    const steps = await run(ctx.db, listStepsForReview(d.id));
    const signal = d.signal_id ? await one(ctx.db, findSignalInAnyWorkspace(d.signal_id)) : null;
    const observations = d.signal_id ? await run(ctx.db, listObservationsForReview(d.signal_id)) : [];
    const dos = d.signal_id ? await one(ctx.db, findDossierForReview(d.signal_id, d.contact_id)) : undefined;
    const facts = dos ? await run(ctx.db, listFacts(dos.id)) : [];
    const pending = d.status === 'pending_review' || d.status === 'snoozed';
    const plan = pending ? await previewSchedule(ctx.db, d.id).catch(() => undefined) : undefined;
    res.json({
      draft: d,
      signal,
      observations,
      facts,
      steps,
      plan: plan ? { zone: plan.zone, steps: plan.steps.map(({ position, at }) => ({ position, at })) } : null,
    });
  });

  r.patch('/drafts/:id', async (req, res, user) => {
    const body = parseInput(DraftEdit, req.body);
    res.json(await saveEdit(ctx, user, idOf(req.params.id), body.version, body.steps));
  });

  r.post('/drafts/:id/approve', async (req, res, user) => {
    const id = idOf(req.params.id);
    const body = parseInput(ApproveBody, req.body ?? {});
    try {
      const { firstSendAt } = await approve(ctx, user, id, {
        expectedVersion: body.version,
        confirmGates: body.confirmGateFailures,
      });
      res.json({ id, firstSendAt });
    } catch (err) {
      if (!isAppError(err, 'GATE_FAILURES')) throw err;
      // The failures themselves, so a client can show them and confirm by name.
      const { failures, gates } = err.details as { failures: unknown[]; gates: string[] };
      res.status(err.status).json({ error: { code: err.code, message: err.message, gates, failures } });
    }
  });

  r.post('/drafts/:id/reject', async (req, res, user) => {
    const id = idOf(req.params.id);
    await reject(ctx, user, id, parseInput(RejectBody, req.body).reason);
    res.json({ id, status: 'rejected' });
  });

  r.post('/drafts/:id/regenerate', async (req, res, user) => {
    const id = idOf(req.params.id);
    const { jobId } = await regenerate(ctx, user, id, parseInput(RegenerateBody, req.body ?? {}).instruction);
    res.status(202).json({ id, jobId });
  });

  r.post('/drafts/:id/snooze', async (req, res, user) => {
    const id = idOf(req.params.id);
    const b = parseInput(SnoozeBody, req.body);
    const until = b.until ? new Date(b.until) : new Date(Date.now() + b.days! * 86_400_000);
    if (Number.isNaN(until.getTime()) || until.getTime() <= Date.now())
      throw new AppError('VALIDATION', 'until: a time in the future');
    if (until.getTime() > Date.now() + 366 * 86_400_000) throw new AppError('VALIDATION', 'until: within a year');
    res.json({ id, until: (await snooze(ctx, user, id, until)).until });
  });
  return r.router;
}
