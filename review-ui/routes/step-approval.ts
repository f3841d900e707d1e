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
  type ReturnedStepRow,
} from '../../db/queries/step-approval.js';
import { refreshStep } from '../../sequencing/step-refresh.js';
import { AppError, isAppError } from '../../errors.js';
import { resolveZone } from '../../sequencing/schedule.js';
import { approveStep, loadChanges } from '../../sequencing/step-approval.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { assertCanAct, canActOnDraft, queueViewer } from '../access.js';
import { inZone, intParam, label } from '../format.js';
import { html, type Html } from '../html.js';
import { csrfField, page, pager } from '../layout.js';
import { confirmFailuresPage, confirmedGates } from '../views/confirm-gates.js';
import { changesPanel, returnedRow, STEP_KEY_HELP, stepActions, stepText } from '../views/step-approval.js';
import { auditRequest } from '../audit.js';
import { loadReturned, loadStep, stepSettings } from '../step-actions.js';

const SCRIPT = html`<link rel="stylesheet" href="/static/step-approval.css" />
  <script src="/static/step-approval.js" defer></script>`;

// The queue page (queue.ts) reads the list through here.
export { loadReturned };

/** The block atop the review queue, from the first page of returned steps (the queue page loads them). */
export function returnedStepsSection({
  total,
  rows,
}: {
  total: number;
  rows: Pick<ReturnedStepRow, 'changes' | 'flagged'>[];
}): Html {
  if (!total) return html``;
  const unchanged = rows.filter((r) => r.changes === 0 && r.flagged === 0).length;
  return html`<section class="returned-steps" aria-labelledby="returned-h">
      <h2 id="returned-h">Steps back for approval (${total})</h2>
      <p>
        Follow-ups of sequences that approve each step: each is sent only once you approve it.
        ${unchanged ? html`${unchanged} with nothing changed since approval.` : ''}
        <a href="/queue/steps">Review the steps</a>
      </p>
    </section>
    <link rel="stylesheet" href="/static/step-approval.css" />`;
}

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
  const prev = i > 0 ? list[i - 1]!.id : null;
  const next = i >= 0 ? (list[i + 1]?.id ?? null) : (list[0]?.id ?? null);
  const canAct = canActOnDraft(u, s);
  const csrf = csrfField(req);
  const zone = resolveZone(s.contact_tz, s.account_tz, s.owner_tz);
  const earlier = steps.filter((x) => x.position < s.position);
  const flash = req.query.approved
    ? html`Step #${String(req.query.approved)} approved.`
    : req.query.refreshed
      ? 'Refreshed: read the new text, then approve.'
      : req.query.saved
        ? 'Saved.'
        : '';
  return page(
    req,
    `${s.account_name ?? 'No account'} · ${s.contact_name ?? s.contact_email ?? ''} · step ${s.step_number}`,
    html` <p class="status-line" id="status-line" role="status">${flash}</p>
      <div
        id="step-approval"
        data-step-id="${s.id}"
        data-prev="${prev ? `/steps/${prev}` : ''}"
        data-next="${next ? `/steps/${next}` : ''}"
      >
        <p class="meta">
          ${label(s.status)} · ${s.contact_title ? html`${s.contact_title} · ` : ''}${s.contact_email ?? ''} · owner
          ${s.owner_name ?? '—'}
          ${s.scheduled_at ? html`· due ${inZone(s.scheduled_at, zone)} for the recipient (${inZone(s.scheduled_at, u.timeZone)} yours)` : ''}
          ${s.missed_windows ? html`· missed ${s.missed_windows} of ${settings.maxMissedWindows} windows` : ''}
        </p>
        <nav class="draft-nav" aria-label="Steps">
          ${prev ? html`<a href="/steps/${prev}" rel="prev">← Previous <kbd>k</kbd></a>` : ''}
          <a href="/queue/steps">All returned steps</a
          >${next ? html`<a href="/steps/${next}" rel="next">Next <kbd>j</kbd> →</a>` : ''}
          <a href="/drafts/${s.sequence_id}">The whole sequence</a>
          <button type="button" class="link" data-help>Keys <kbd>?</kbd></button>
        </nav>
        ${stepActions(s, csrf, { canAct, canRefresh: !!ctx.config.anthropic.apiKey })}
        <div class="draft-grid">
          <div>${changesPanel(changes, s.sequence_approved_at, u.timeZone)}</div>
          <div>
            ${stepText(s, { editable: canAct && s.status === 'awaiting_approval', csrf })}
            ${
              earlier.length
                ? html`<details>
                    <summary>Earlier steps (${earlier.length})</summary>
                    ${earlier.map(
                      (e) =>
                        html`<section class="card">
                          <h3>
                            ${label(e.kind)} ·
                            ${label(e.status)}${e.sent_at ? html` ${inZone(e.sent_at, u.timeZone)}` : ''}
                          </h3>
                          ${e.subject ? html`<p><b>Subject:</b> ${e.subject}</p>` : ''}
                          <pre class="body">${e.body}</pre>
                        </section>`,
                    )}
                  </details>`
                : ''
            }
          </div>
        </div>
      </div>
      ${STEP_KEY_HELP}${SCRIPT}`,
  );
}

export function stepApprovalRoutes(ctx: AppContext): Router {
  const r = authedRouter();

  r.get('/queue/steps', async (req, res, u) => {
    const now = new Date();
    const q = await loadReturned(ctx, u, now, intParam(req.query.page) ?? 1);
    const canBulk = u.role === 'rep' || u.role === 'admin';
    const unchanged = q.rows.filter((x) => x.changes === 0 && x.flagged === 0);
    res.type('html').send(
      page(
        req,
        'Steps back for approval',
        html` ${req.query.approved ? html`<p class="flash ok" role="status">${String(req.query.approved)} step(s) approved.</p>` : ''}
          <p class="muted" id="steps-help">
            ${q.total} step${q.total === 1 ? '' : 's'} of sequences that approve each step, due soonest first. Each goes
            out only once approved. Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>A</kbd> approves
            every step nothing changed for (you confirm), <kbd>?</kbd> help.
          </p>
          ${
            canBulk
              ? html`<form method="post" action="/queue/steps/approve" id="bulk-steps" class="bulk">
                    ${csrfField(req)} <button type="submit">Approve selected…</button>
                  </form>
                  <form method="post" action="/queue/steps/approve" id="bulk-unchanged" class="bulk">
                    ${csrfField(req)}
                    ${unchanged.map((x) => html`<input type="hidden" name="ids" value="${x.id}:${x.digest}" />`)}
                    <button type="submit" ${unchanged.length ? '' : html`disabled`} aria-keyshortcuts="Shift+A">
                      Approve all ${unchanged.length} with nothing changed… <kbd>A</kbd>
                    </button>
                  </form>`
              : ''
          }
          <table class="queue steps" aria-describedby="steps-help">
            <thead>
              <tr>
                ${canBulk ? html`<th><span class="sr-only">Select</span></th>` : ''}
                <th>Account · contact · step</th>
                <th>Owner</th>
                <th>Due</th>
                <th>Since approval</th>
              </tr>
            </thead>
            <tbody>
              ${q.rows.map((x) => returnedRow(x, now, u.timeZone, canBulk))}
            </tbody>
          </table>
          ${q.rows.length ? '' : html`<p class="empty">No step is waiting for your approval.</p>`}
          ${pager('/queue/steps', {}, { page: q.page, perPage: q.perPage, total: q.total })} ${STEP_KEY_HELP}${SCRIPT}`,
      ),
    );
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
      res.type('html').send(
        page(
          req,
          `Approve ${picked.size} step${picked.size === 1 ? '' : 's'}?`,
          html` <p>
              Each step goes out in its recipient's sending window, as written. A step that changed since this list was
              loaded, or that something changed for, is left for you to read.
            </p>
            <form method="post" action="/queue/steps/approve" class="stack">
              ${csrfField(req)}
              ${[...picked].map(([id, d]) => html`<input type="hidden" name="ids" value="${id}:${d}" />`)}
              <input type="hidden" name="confirm" value="yes" />
              <button type="submit" autofocus id="confirm-bulk">Yes, approve ${picked.size}</button>
              <a href="/queue/steps">Cancel</a>
            </form>`,
        ),
      );
      return;
    }
    const settings = await stepSettings(ctx, u.workspaceId);
    const now = new Date();
    const results: Html[] = [];
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
        results.push(html`<li>Step <a href="/steps/${id}">#${id}</a> approved.</li>`);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push(html`<li class="bad">Step <a href="/steps/${id}">#${id}</a> not approved: ${err.message}</li>`);
      }
    }
    res.type('html').send(
      page(
        req,
        'Bulk approve steps',
        html`<p class="flash ok">${ok} approved.</p>
          <ul role="status">
            ${results}
          </ul>
          <p><a href="/queue/steps">Back to the steps</a></p>`,
      ),
    );
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
          hidden: html`<input type="hidden" name="digest" value="${digest ?? ''}" />`,
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
    });
    await auditRequest(ctx.db, req, 'step.refreshed', { type: 'sequence_step', id: s.id });
    res.redirect(303, `/steps/${s.id}?refreshed=1`);
  });
  return r.router;
}
