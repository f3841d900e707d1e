// Signals for people: the list by status, "add as account?" for companies that keep turning up
// unmatched, a choice between candidates for ambiguous ones, manual entry, and a warning when
// a source is flagged. The same functions as the JSON API (signals-api.ts).
import { Router } from 'express';
import { z } from 'zod';
import { normalizeDomain } from '../../accounts/normalize.js';
import { researchEnqueuer } from '../../agents/signal-jobs.js';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { listSources } from '../../db/queries/signal-sources.js';
import { listSignals } from '../../db/queries/signals.js';
import { AppError } from '../../errors.js';
import { accountChoices } from '../../db/queries/settings.js';
import {
  addAccountFromUnmatched,
  assignSignalAccount,
  assignSignals,
  unmatchedCompanies,
} from '../../signals/review.js';
import { signalsPage, STATUSES } from '../views/signals.js';
import { addManualSignal, URL_WORDS } from '../signal-actions.js';
import { authedRouter } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { page, pageParams } from '../layout.js';
import { exportLink } from '../views/export.js';
import { parseInput } from '../openapi.js';

const ManualForm = z.object({
  title: z.string().trim().min(1).max(500),
  url: z
    .string()
    .trim()
    .max(2000)
    .transform((s) => s || undefined)
    .pipe(z.url(URL_WORDS).optional()),
  summary: z.string().max(5000).default(''),
});

function domainField(v: unknown): string | null {
  const raw = typeof v === 'string' ? v.trim() : '';
  const domain = raw ? (normalizeDomain(raw) ?? null) : null;
  if (raw && !domain) throw new AppError('VALIDATION', `"${raw}" is not a domain like acme.com`);
  return domain;
}

export function signalRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const ictx = () => ({ db: ctx.db, log: ctx.log, caches: ctx.caches, enqueueResearch: researchEnqueuer(ctx.boss) });

  r.get('/signals', async (req, res, user) => {
    const ws = user.workspaceId;
    const status = STATUSES.find((x) => x === req.query.status) ?? 'all';
    const p = pageParams(req.query, 50);
    const rows = await run(
      ctx.db,
      listSignals(ws, { status: status === 'all' ? undefined : status, limit: p.perPage, offset: p.offset }),
    );
    const revops = user.role === 'admin' || user.role === 'revops';
    const flagged = revops ? (await run(ctx.db, listSources(ws))).filter((s) => s.flagged_at) : [];
    const companies = revops && status === 'unmatched' ? await unmatchedCompanies(ctx.db, ws) : [];
    const pick = status === 'unmatched' && user.role !== 'manager' && rows.length > 0;
    const choices = pick ? await run(ctx.db, accountChoices(ws)) : null;
    res.type('html').send(
      page(
        req,
        'Signals',
        signalsPage(req, {
          status,
          rows,
          flagged: flagged.map((f) => f.name),
          companies,
          choices,
          revops,
          zone: user.timeZone,
          exportLink: exportLink(req, 'signals', 'sequences'),
          page: { page: p.page, perPage: p.perPage, total: rows[0]?.total ?? 0 },
        }),
      ),
    );
  });

  r.post('/signals', requireRole('rep', 'revops'), async (req, res, user) => {
    const b = parseInput(ManualForm, req.body ?? {});
    await addManualSignal(ictx(), user, b);
    res.redirect(303, '/signals');
  });

  // Before '/signals/:id/account', which would take "unmatched" for an id.
  r.post('/signals/unmatched/account', requireRole('revops'), async (req, res, user) => {
    const name = z.string().trim().min(1).max(300).safeParse(req.body?.name);
    if (!name.success) throw new AppError('VALIDATION', 'The company name is missing.');
    const domain = domainField(req.body?.domain);
    const signalIds = String(req.body?.signalIds ?? '')
      .split(',')
      .map((x) => Number.parseInt(x, 10))
      .filter((x) => x > 0)
      .slice(0, 200);
    await addAccountFromUnmatched(ictx(), {
      workspaceId: user.workspaceId,
      userId: user.id,
      name: name.data,
      domain,
      signalIds,
      now: new Date(),
    });
    res.redirect(303, '/signals?status=unmatched');
  });

  r.post('/signals/assign', requireRole('rep', 'revops'), async (req, res, user) => {
    const signalIds = ([] as unknown[])
      .concat(req.body?.signalIds ?? [])
      .map((x) => intParam(x))
      .filter((x): x is number => !!x)
      .slice(0, 200);
    if (!signalIds.length) throw new AppError('VALIDATION', 'Tick the signals to assign first.');
    const base = { workspaceId: user.workspaceId, userId: user.id, signalIds, now: new Date() };
    const name = typeof req.body?.name === 'string' ? req.body.name.trim().slice(0, 300) : '';
    const accountId = intParam(req.body?.accountId);
    if (accountId) await assignSignals(ictx(), { ...base, accountId });
    else if (name && (user.role === 'revops' || user.role === 'admin'))
      await addAccountFromUnmatched(ictx(), { ...base, name, domain: domainField(req.body?.domain) });
    else throw new AppError('VALIDATION', 'Choose an account, or name a new one.');
    res.redirect(303, '/signals?status=unmatched');
  });

  r.post('/signals/:id/account', requireRole('rep', 'revops'), async (req, res, user) => {
    const accountId = intParam(req.body?.accountId);
    if (!accountId) throw new AppError('VALIDATION', 'Choose the account this signal is about.');
    await assignSignalAccount(ictx(), {
      workspaceId: user.workspaceId,
      signalId: intParam(req.params.id) ?? 0,
      accountId,
      userId: user.id,
      now: new Date(),
    });
    res.redirect(303, '/signals?status=ambiguous');
  });

  return r.router;
}
