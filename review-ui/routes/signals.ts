// Signals for people: the list by status, "add as account?" for companies that keep turning up
// unmatched, a choice between candidates for ambiguous ones, manual entry, and a warning when
// a source is flagged. The same functions as the JSON API (signals-api.ts).
import { Router, type Request } from 'express';
import { z } from 'zod';
import { normalizeDomain } from '../../accounts/normalize.js';
import { researchEnqueuer } from '../../agents/signal-jobs.js';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { listSources } from '../../db/queries/signal-sources.js';
import { listSignals, type SignalRow } from '../../db/queries/signals.js';
import { AppError } from '../../errors.js';
import { classify } from '../../signals/classify.js';
import { ingestItems } from '../../signals/ingest.js';
import { accountChoices } from '../../db/queries/settings.js';
import {
  addAccountFromUnmatched,
  assignSignalAccount,
  assignSignals,
  unmatchedCompanies,
} from '../../signals/review.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { inZone, intParam } from '../format.js';
import { html, type Html } from '../html.js';
import { csrfField, page, pageParams, pager } from '../layout.js';
import { extLink } from '../views/draft.js';
import { exportLink } from './export.js';

const STATUSES = ['all', 'new', 'unmatched', 'ambiguous', 'cooldown', 'dismissed'] as const;
type Listed = SignalRow & { account_name: string | null; sources: number; total: number };

const ManualForm = z.object({
  title: z.string().trim().min(1, 'a headline or a sentence saying what happened').max(500),
  url: z
    .string()
    .trim()
    .max(2000)
    .transform((s) => s || undefined)
    .pipe(z.url('an http(s) link').optional()),
  summary: z.string().max(5000).default(''),
});

function factsLine(s: SignalRow): string {
  const f = s.facts as Record<string, unknown>;
  const bits: string[] = [];
  if (typeof f.amount === 'number') bits.push(`${String(f.currency ?? '')} ${f.amount.toLocaleString('en')}`.trim());
  for (const k of ['round', 'person', 'newTitle', 'role', 'previousCompany'])
    if (typeof f[k] === 'string' && f[k]) bits.push(String(f[k]));
  if (Array.isArray(f.leadInvestors) && f.leadInvestors.length) bits.push(`led by ${f.leadInvestors.join(', ')}`);
  return bits.join(' · ');
}

function chooser(req: Request, s: SignalRow): Html {
  const cands = ((s.match as { candidates?: { accountId: number; name: string }[] }).candidates ?? []).filter(
    (c, i, all) => all.findIndex((x) => x.accountId === c.accountId) === i,
  );
  return html`<form method="post" action="/signals/${s.id}/account" class="inline">
    ${csrfField(req)}
    <select name="accountId" aria-label="Which account">
      ${cands.map((c) => html`<option value="${c.accountId}">${c.name} (#${c.accountId})</option>`)}
    </select>
    <button type="submit" class="secondary">This one</button>
  </form>`;
}

type Choice = { id: number; name: string; domain: string | null };

/** "Assign to account" for the unmatched signals ticked in the table: an existing account, or a new one. */
function assignForm(req: AuthedRequest, choices: Choice[]): Html {
  const revops = req.user.role === 'admin' || req.user.role === 'revops';
  return html`<form method="post" action="/signals/assign" id="assign-form" class="inline">
    ${csrfField(req)}
    <label
      >Assign the ticked signals to
      <select name="accountId" aria-label="Existing account">
        <option value="">an account…</option>
        ${choices.map((c) => html`<option value="${c.id}">${c.name}${c.domain ? ` (${c.domain})` : ''}</option>`)}
      </select></label
    >
    ${
      revops
        ? html`<label>or a new account <input name="name" placeholder="name" aria-label="New account name" /></label>
            <input name="domain" placeholder="domain (optional)" aria-label="New account domain" />`
        : ''
    }
    <button type="submit" class="secondary">Assign</button>
  </form>`;
}

function table(req: AuthedRequest, rows: Listed[], pick = false): Html {
  const tz = req.user.timeZone;
  return html`<table>
      <thead>
        <tr>
          ${pick ? html`<th><span class="sr-only">Pick</span></th>` : ''}
          <th>Detected</th>
          <th>Type</th>
          <th>Signal</th>
          <th>Account</th>
          <th>Sources</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (s) =>
            html`<tr data-signal-id="${s.id}">
              ${
                pick
                  ? html`<td>
                      <input
                        type="checkbox"
                        name="signalIds"
                        value="${s.id}"
                        form="assign-form"
                        aria-label="Pick signal ${s.id}"
                      />
                    </td>`
                  : ''
              }
              <td>${inZone(s.detected_at, tz)}</td>
              <td>${s.type}${s.subtype ? html`<div class="muted">${s.subtype}</div>` : ''}</td>
              <td>
                ${s.url ? extLink(s.url, s.title) : s.title}
                <div class="muted">${factsLine(s)}</div>
              </td>
              <td>
                ${s.account_id ? html`<a href="/accounts?q=${encodeURIComponent(s.account_name ?? '')}">${s.account_name ?? s.account_id}</a>` : s.status === 'ambiguous' ? chooser(req, s) : '—'}
              </td>
              <td>${s.sources}</td>
              <td>${s.status}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length ? '' : html`<p class="empty">No signals here yet.</p>`}`;
}

function domainField(v: unknown): string | null {
  const raw = typeof v === 'string' ? v.trim() : '';
  const domain = raw ? (normalizeDomain(raw) ?? null) : null;
  if (raw && !domain) throw new AppError('VALIDATION', `"${raw}" is not a domain like acme.com`);
  return domain;
}

export function signalRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const ictx = () => ({ db: ctx.db, log: ctx.log, enqueueResearch: researchEnqueuer(ctx.boss) });

  r.get('/signals', async (req, res, user) => {
    const ws = user.workspaceId;
    const status = STATUSES.find((x) => x === req.query.status) ?? 'all';
    const p = pageParams(req.query, 50);
    const rows = await run<Listed>(
      ctx.db,
      listSignals(ws, { status: status === 'all' ? undefined : status, limit: p.perPage, offset: p.offset }),
    );
    const revops = user.role === 'admin' || user.role === 'revops';
    const flagged = revops ? (await run(ctx.db, listSources(ws))).filter((s) => s.flagged_at) : [];
    const companies = revops && status === 'unmatched' ? await unmatchedCompanies(ctx.db, ws) : [];
    const pick = status === 'unmatched' && user.role !== 'manager' && rows.length > 0;
    const choices = pick ? await run<Choice>(ctx.db, accountChoices(ws)) : [];
    res.type('html').send(
      page(
        req,
        'Signals',
        html` ${flagged.length ? html`<p class="error" role="alert">${flagged.length} source(s) keep failing: ${flagged.map((f) => f.name).join(', ')}. <a href="/settings/sources">See their last errors</a>.</p>` : ''}
          ${exportLink(req, 'signals', 'sequences')}
          <nav class="tabs" aria-label="Status">
            ${STATUSES.map((x) => html`<a href="/signals?status=${x}" ${x === status ? html`aria-current="page"` : ''}>${x}</a> `)}
          </nav>
          ${
            companies.length
              ? html`<h2>Add as account?</h2>
                  <p class="muted">Companies in signals that match no account, most frequent first.</p>
                  <table>
                    <thead>
                      <tr>
                        <th>Company</th>
                        <th>Signals</th>
                        <th></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${companies.slice(0, 20).map(
                        (c) =>
                          html`<tr>
                            <td>${c.company}</td>
                            <td>${c.signals}</td>
                            <td>
                              <form method="post" action="/signals/unmatched/account" class="inline">
                                ${csrfField(req)}<input type="hidden" name="name" value="${c.company}" />
                                <input type="hidden" name="signalIds" value="${c.signal_ids.join(',')}" /><input
                                  name="domain"
                                  placeholder="domain (optional)"
                                  aria-label="Domain for ${c.company}"
                                />
                                <button type="submit" class="secondary">Add account</button>
                              </form>
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
              : ''
          }
          ${pick ? assignForm(req, choices) : ''} ${table(req, rows, pick)}
          ${pager('/signals', { status }, { page: p.page, perPage: p.perPage, total: rows[0]?.total ?? 0 })}
          <h2>Add a signal by hand</h2>
          <form method="post" action="/signals" class="stack wide">
            ${csrfField(req)}
            <label
              >What happened
              <input
                name="title"
                required
                maxlength="500"
                placeholder="Acme raises $20M Series A led by Example Ventures"
            /></label>
            <label>Link <input name="url" type="url" placeholder="https://…" /></label>
            <label>Notes <textarea name="summary" rows="2"></textarea></label>
            <button type="submit">Add signal</button>
          </form>`,
      ),
    );
  });

  r.post('/signals', requireRole('rep', 'revops'), async (req, res, user) => {
    const b = ManualForm.safeParse(req.body ?? {});
    if (!b.success) throw new AppError('VALIDATION', b.error.issues.map((i) => i.message).join('; '));
    const c = classify(b.data.title, b.data.summary);
    await ingestItems(
      ictx(),
      [
        {
          key: `manual:${user.id}:${Date.now()}`,
          title: b.data.title,
          summary: b.data.summary,
          url: b.data.url ?? null,
          publishedAt: null,
          links: b.data.url ? [b.data.url] : [],
          type: c.type,
          subtype: c.subtype,
          facts: { ...c.facts, enteredBy: user.id },
        },
      ],
      { workspaceId: user.workspaceId, sourceId: null, now: new Date() },
    );
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
