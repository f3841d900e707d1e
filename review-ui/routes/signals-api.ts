// Signals over HTTP.
// - `signalWebhookRoutes`: POST /api/signals signed by a webhook source's secret (no session or
//   token: providers sign instead). Mounted before the body parsers so the HMAC covers the exact
//   bytes sent; a request without a signature header falls through to the authenticated API.
// - `signalApiRoutes` (under /api, needs a user): list and read signals, manual entry, settle an
//   ambiguous or unmatched signal, the unmatched companies ("add as account?"), sources (mounted
//   before the settings API, so these /sources routes answer: they never return secrets, and a
//   new webhook source gets its signing secret, shown once).
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { researchEnqueuer } from '../../agents/signal-jobs.js';
import { Queues } from '../../agents/queues.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import {
  findSource,
  findSourceInAnyWorkspace,
  listSources,
  type SignalSourceRow,
} from '../../db/queries/signal-sources.js';
import { findSignal, listObservations, listSignals } from '../../db/queries/signals.js';
import { AppError, isAppError } from '../../errors.js';
import { ingestItems, type IngestOutcome } from '../../signals/ingest.js';
import { handleJobChangeEvent } from '../../signals/job-changes.js';
import { fetchOptionsFor, fetchSource } from '../../signals/poll.js';
import { sourceRegistry } from '../../signals/registry.js';
import { assignSignalAccount, unmatchedCompanies } from '../../signals/review.js';
import { eventItem, JobChangeEvent, verifySignature, WebhookPayload } from '../../signals/sources/webhook.js';
import { SOURCE_KINDS } from '../../signals/types.js';
import { addManualSignal, URL_WORDS } from '../signal-actions.js';
import { changeSource, createSource, pollUrl } from '../source-actions.js';
import { KindField, SOURCE_FIELDS } from '../../signals/source-fields.js';
import { authedRouter } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { pageParams, pagedJson } from '../layout.js';
import { isHexSignature, signedBody } from '../webhook-guard.js';
import { SaneDate } from '../../accounts/normalize.js';
import { issues } from '../../zod-message.js';
import { parseInput, parseJsonBody } from '../openapi.js';

const MAX_WEBHOOK_BYTES = 1024 * 1024;

function merge(a: IngestOutcome, b: IngestOutcome): IngestOutcome {
  const byStatus = { ...a.byStatus };
  for (const [k, v] of Object.entries(b.byStatus))
    byStatus[k as keyof typeof byStatus] = (byStatus[k as keyof typeof byStatus] ?? 0) + v;
  return {
    created: a.created + b.created,
    merged: a.merged + b.merged,
    byStatus,
    signalIds: [...a.signalIds, ...b.signalIds],
    researchQueued: a.researchQueued + b.researchQueued,
  };
}

export function signalWebhookRoutes(ctx: AppContext): Router {
  const r = Router();
  const raw = signedBody(MAX_WEBHOOK_BYTES, (req) =>
    /^[1-9]\d{0,15}$/.test(req.get('x-prospector-source') ?? '') && isHexSignature(req.get('x-prospector-signature'))
      ? undefined
      : 'Unknown webhook source or malformed signature.',
  );
  const unauthorized = (res: Response, why: string) =>
    res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: why } });
  r.post('/api/signals', (req: Request, res: Response, next: NextFunction) => {
    if (!req.get('x-prospector-signature')) return next(); // not a provider: manual entry below
    raw(req, res, async (err?: unknown) => {
      try {
        if (err) throw err instanceof Error ? err : new Error(String(err));
        const sourceId = Number.parseInt(req.get('x-prospector-source') ?? '', 10);
        const source =
          Number.isSafeInteger(sourceId) && sourceId > 0
            ? await one(ctx.db, findSourceInAnyWorkspace(sourceId))
            : undefined;
        if (!source || source.kind !== 'webhook' || !source.enabled || !source.secret_enc)
          return unauthorized(res, 'Unknown or disabled webhook source.');
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (!verifySignature(ctx.secrets.open(source.secret_enc), body, req.get('x-prospector-signature'))) {
          ctx.log.warn({ sourceId }, 'signals.webhook.bad_signature');
          return unauthorized(res, 'The signature does not match the body.');
        }
        const events = parseJsonBody(WebhookPayload, body);
        const ictx = {
          db: ctx.db,
          log: ctx.log,
          caches: ctx.caches,
          enqueueResearch: researchEnqueuer(ctx.boss),
          llm: ctx.llm,
        };
        const o = { workspaceId: source.workspace_id, sourceId: source.id, now: new Date() };
        let total: IngestOutcome = { created: 0, merged: 0, byStatus: {}, signalIds: [], researchQueued: 0 };
        for (const e of events) {
          const out =
            e.type === 'job_change'
              ? await handleJobChangeEvent(ictx, o, e)
              : await ingestItems(ictx, [eventItem(e)], o);
          total = merge(total, out);
        }
        ctx.log.info({ sourceId, events: events.length, created: total.created }, 'signals.webhook.received');
        res.status(202).json({
          received: events.length,
          created: total.created,
          merged: total.merged,
          signals: total.signalIds,
        });
      } catch (e) {
        next(e);
      }
    });
  });
  return r;
}

const ManualSignal = z.object({
  title: z.string().trim().min(1).max(500),
  summary: z.string().max(5000).default(''),
  url: z.url(URL_WORDS).max(2000).optional(),
  type: z.enum(['funding', 'job_change', 'news', 'hiring', 'acquisition', 'manual']).optional(),
  accountId: z.number().int().positive().optional(),
  contactId: z.number().int().positive().optional(),
  occurredAt: SaneDate.optional(),
  facts: z.record(z.string(), z.unknown()).optional(),
});

const TestBody = z.object({
  // Checked below as an address being added is (pollUrl), in the same words.
  url: z.string().trim().min(1).max(2000),
  kind: KindField(['feed', 'page', 'greenhouse', 'lever', 'ashby']).default('feed'),
  config: z.record(z.string(), z.unknown()).default({}),
});

/** A source as the API shows it: never the secret. */
const publicSource = ({ secret_enc, snapshot: _s, ...s }: SignalSourceRow) => ({ ...s, hasSecret: !!secret_enc });

export function signalApiRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const ictx = () => ({ db: ctx.db, log: ctx.log, caches: ctx.caches, enqueueResearch: researchEnqueuer(ctx.boss) });
  const idParam = (req: Request) => Number.parseInt(String(req.params.id), 10) || 0;

  r.get('/signals', async (req, res, user) => {
    const p = pageParams(req.query, Math.min(500, Number(req.query.perPage) || 50));
    const q = (k: string) => (typeof req.query[k] === 'string' && req.query[k] ? (req.query[k] as string) : undefined);
    const rows = await run(
      ctx.db,
      listSignals(user.workspaceId, {
        status: q('status'),
        type: q('type'),
        accountId: Number(q('accountId')) || undefined,
        limit: p.perPage,
        offset: p.offset,
      }),
    );
    res.json(pagedJson(p, rows));
  });

  r.get('/signals/unmatched', requireRole('revops'), async (req, res, user) => {
    res.json({ items: await unmatchedCompanies(ctx.db, user.workspaceId) });
  });

  r.get('/signals/:id', async (req, res, user) => {
    const s = await one(ctx.db, findSignal(user.workspaceId, idParam(req)));
    if (!s) throw new AppError('NOT_FOUND', 'No such signal.');
    res.json({ ...s, observations: await run(ctx.db, listObservations(s.id)) });
  });

  // Manual entry (JSON from the API or the UI). The provider webhook shares this path but is signed.
  r.post('/signals', requireRole('rep', 'revops'), async (req, res, user) => {
    const b = parseInput(ManualSignal, req.body ?? {});
    const out = await addManualSignal(ictx(), user, b);
    const signal = await one(ctx.db, findSignal(user.workspaceId, out.signalIds[0]!));
    res
      .status(out.created ? 201 : 200)
      .json({ signal, created: out.created === 1, researchQueued: out.researchQueued === 1 });
  });

  // A person settles an ambiguous or unmatched signal; it then starts research like any other.
  r.post('/signals/:id/account', requireRole('rep', 'revops'), async (req, res, user) => {
    const accountId = z.number().int().positive().safeParse(req.body?.accountId);
    if (!accountId.success) throw new AppError('VALIDATION', 'accountId: the account this signal is about');
    const s = await assignSignalAccount(ictx(), {
      workspaceId: user.workspaceId,
      signalId: idParam(req),
      accountId: accountId.data,
      userId: user.id,
      now: new Date(),
    });
    res.json(s);
  });

  // Job changes as JSON from RevOps (same events as the signed webhook, authenticated instead).
  r.post('/signals/job-changes', requireRole('revops'), async (req, res, user) => {
    const events = parseInput(
      z.array(JobChangeEvent).min(1).max(500),
      Array.isArray(req.body) ? req.body : req.body?.events,
    );
    const o = { workspaceId: user.workspaceId, sourceId: null, now: new Date() };
    let total: IngestOutcome = { created: 0, merged: 0, byStatus: {}, signalIds: [], researchQueued: 0 };
    for (const e of events) total = merge(total, await handleJobChangeEvent(ictx(), o, e));
    res
      .status(201)
      .json({ received: events.length, created: total.created, merged: total.merged, signals: total.signalIds });
  });

  r.get('/sources', requireRole('revops'), async (req, res, user) => {
    res.json({ items: (await run(ctx.db, listSources(user.workspaceId))).map(publicSource) });
  });

  r.post('/sources', requireRole('revops'), async (req, res, user) => {
    const { source, secret } = await createSource(ctx, req, user.workspaceId, req.body);
    res.status(201).json({
      ...publicSource(source),
      ...(secret
        ? {
            secret,
            note:
              'Shown once. Sign each POST /api/signals body with HMAC-SHA256 using it; ' +
              'send X-Prospector-Source and X-Prospector-Signature: sha256=<hex>.',
          }
        : {}),
    });
  });

  r.patch('/sources/:id', requireRole('revops'), async (req, res, user) => {
    res.json(publicSource(await changeSource(ctx, req, user.workspaceId, idParam(req), req.body)));
  });

  r.post('/sources/:id/poll', requireRole('revops'), async (req, res, user) => {
    const s = await one(ctx.db, findSource(user.workspaceId, idParam(req)));
    if (!s) throw new AppError('NOT_FOUND', 'No such source.');
    if (!sourceRegistry[s.kind as (typeof SOURCE_KINDS)[number]]?.polled)
      throw new AppError('VALIDATION', 'This source is pushed to Prospector, not polled.');
    const jobId = await ctx.boss.send(
      Queues.pollSource.name,
      { sourceId: s.id },
      { singletonKey: `source:${s.id}`, singletonSeconds: 10 },
    );
    res.status(202).json({ queued: !!jobId });
  });

  // Fetch once and show what would be found, storing nothing.
  r.post('/sources/test', requireRole('revops'), async (req, res, user) => {
    const b = TestBody.safeParse(req.body ?? {});
    if (!b.success) throw new AppError('VALIDATION', issues(b.error, SOURCE_FIELDS));
    const url = pollUrl(sourceRegistry[b.data.kind], b.data.url, ctx.config.allowPrivateFetch);
    const { demo: _demo, ...config } = b.data.config;
    const result = await fetchSource(
      {
        id: 0,
        workspaceId: user.workspaceId,
        kind: b.data.kind,
        url,
        config,
        etag: null,
        lastModified: null,
        snapshot: null,
      },
      { fetch: fetchOptionsFor(ctx.config, {}), now: new Date(), renderer: ctx.renderer },
    ).catch((err: unknown) => {
      // The address is what the person typed: a host that does not resolve, a refused address or
      // a page that is not a feed is their input to fix, not our failure.
      if (isAppError(err) && ['FETCH_FAILED', 'FETCH_BLOCKED', 'FETCH_SKIPPED', 'PARSE_FAILED'].includes(err.code))
        throw new AppError('VALIDATION', `Could not test ${url}: ${err.message}`, { cause: err });
      throw err;
    });
    res.json({ url, items: result.items.slice(0, 100) });
  });

  return r.router;
}
