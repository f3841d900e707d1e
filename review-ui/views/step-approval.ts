// Returned steps as pure functions of loaded rows: the list, the "what changed since approval"
// panel, the step with its text and actions, the keyboard help. Every value goes through `html`.
import type { Request } from 'express';
import type { ReviewStepRow } from '../../db/queries/review.js';
import type { AwaitingStepRow, ReturnedStepRow } from '../../db/queries/step-approval.js';
import type { ChangeItem } from '../../sequencing/step-approval-rules.js';
import { ago, inZone, label } from '../format.js';
import { html, type Html, thead } from '../html.js';
import { csrfField, pager, type Paging } from '../layout.js';
import { gateText, keyHelp } from './draft-actions.js';
import { extLink } from './draft-facts.js';

function changeCount(n: number): Html {
  return n
    ? html`<span class="flag" data-changes="${n}">${n} change${n === 1 ? '' : 's'}</span>`
    : html`<span class="badge" data-changes="0">nothing changed</span>`;
}

function returnedRow(r: ReturnedStepRow, now: Date, viewerZone: string, csrf: boolean): Html {
  return html`<tr data-step-row data-id="${r.id}" data-unchanged="${r.changes === 0 && r.flagged === 0 ? '1' : '0'}">
    ${csrf ? html`<td>${r.changes === 0 && r.flagged === 0 ? html`<input type="checkbox" name="ids" value="${r.id}:${r.digest}" form="bulk-steps" aria-label="Select step ${r.id}" />` : ''}</td>` : ''}
    <td>
      <a href="/steps/${r.id}" class="row-link"
        >${r.account_name ?? '—'} · ${r.contact_name ?? r.contact_email ?? ''}</a
      >
      <div class="muted">
        Step ${r.step_number}:
        ${label(r.kind)}${r.subject || r.thread_subject ? html` · ${r.subject || `Re: ${r.thread_subject}`}` : ''}
      </div>
    </td>
    <td>${r.owner_name ?? '—'}</td>
    <td>
      ${r.scheduled_at ? html`<time datetime="${r.scheduled_at.toISOString()}">${inZone(r.scheduled_at, viewerZone)}</time>` : '—'}
      ${r.returned_at ? html`<div class="muted">back ${ago(r.returned_at, now)}</div>` : ''}
    </td>
    <td>
      ${changeCount(
        r.changes,
      )}${r.flagged ? html` <span class="flag">⚑ gates</span>` : ''}${r.missed_windows ? html` <span class="muted">missed ${r.missed_windows} window${r.missed_windows === 1 ? '' : 's'}</span>` : ''}
    </td>
  </tr>`;
}

function changesPanel(items: ChangeItem[], since: Date | null, viewerZone: string): Html {
  return html`<section class="card changes" aria-labelledby="changes-h" id="what-changed">
    <h2 id="changes-h">
      What changed since the sequence was
      approved${since ? html` <span class="muted">(${inZone(since, viewerZone)})</span>` : ''}
    </h2>
    ${
      items.length
        ? html`<ul class="change-list">
            ${items.map(
              (c) =>
                html`<li data-kind="${c.kind}">
                  <b>${c.label}</b> · ${c.url && c.kind !== 'click' ? extLink(c.url, c.text) : c.text}
                  <span class="muted">· ${inZone(c.at, viewerZone)}</span
                  >${c.detail ? html`<div class="muted">${c.detail}</div>` : ''}
                </li>`,
            )}
          </ul>`
        : html`<p class="ok-note">
            Nothing changed: no new signals, replies, bounces, clicks or contact changes, and no cited fact is old.
          </p>`
    }
  </section>`;
}

function stepText(s: AwaitingStepRow, opts: { editable: boolean; csrf: Html }): Html {
  const flagged = Array.isArray(s.gate_failures) ? s.gate_failures : [];
  return html`<section class="card step" aria-labelledby="step-h">
    <h2 id="step-h">
      Step ${s.step_number}: ${label(s.kind)}
      <span class="muted">· ${s.delay_days} day${s.delay_days === 1 ? '' : 's'} after the previous</span>
    </h2>
    ${
      flagged.length
        ? html`<div class="gates" role="alert">
            <h3>Flagged by the gates after the refresh</h3>
            <ul>
              ${flagged.map((g) => html`<li>${gateText(g)}</li>`)}
            </ul>
          </div>`
        : ''
    }
    ${
      opts.editable
        ? html`<form method="post" action="/steps/${s.id}/edit" id="step-edit-form">
            ${opts.csrf}<input type="hidden" name="digest" value="${s.digest}" />
            <label
              >Subject
              <input
                name="subject"
                id="step-subject"
                value="${s.subject}"
                placeholder="${s.thread_subject ? `Re: ${s.thread_subject}` : ''}"
            /></label>
            <label
              >Body
              <textarea name="body" rows="${Math.min(16, Math.max(5, s.body.split('\n').length + 1))}">
${s.body}</textarea>
            </label>
            <button type="submit" class="secondary">Save text</button>
          </form>`
        : html`<p>
              <b>Subject:</b>
              ${s.subject || html`<span class="muted">(same thread${s.thread_subject ? `: Re: ${s.thread_subject}` : ''})</span>`}
            </p>
            <pre class="body">${s.body}</pre>`
    }
  </section>`;
}

function stepActions(s: AwaitingStepRow, csrf: Html, opts: { canAct: boolean; canRefresh: boolean }): Html {
  if (!opts.canAct) return html`<p class="muted">Read-only: only the owning rep or an admin approves steps.</p>`;
  if (s.status !== 'awaiting_approval') {
    return html`<p class="muted">This step is ${label(s.status)}${s.skip_reason ? html`: ${s.skip_reason}` : ''}.</p>`;
  }
  return html`<div class="actions" aria-label="Actions">
    <form method="post" action="/steps/${s.id}/approve" id="step-approve-form">
      ${csrf}<input type="hidden" name="digest" value="${s.digest}" />
      <button type="submit" class="primary" aria-keyshortcuts="a">Approve this step <kbd>a</kbd></button>
    </form>
    ${
      opts.canRefresh
        ? html`<form method="post" action="/steps/${s.id}/refresh" id="step-refresh-form">
            ${csrf}
            <button type="submit" class="secondary" aria-keyshortcuts="f">Refresh this step <kbd>f</kbd></button>
            <span class="muted">redrafts it with what changed, through the same gates</span>
          </form>`
        : html`<p class="muted">Refreshing a step needs an LLM (no ANTHROPIC_API_KEY).</p>`
    }
  </div>`;
}

const STEP_KEY_HELP = keyHelp([
  [html`<kbd>j</kbd> / <kbd>k</kbd>`, 'next / previous step (in the list: move the selection)'],
  [html`<kbd>Enter</kbd>`, 'open the selected step'],
  [html`<kbd>a</kbd>`, 'approve this step'],
  [html`<kbd>A</kbd>`, 'in the list: approve every step nothing changed for (you confirm)'],
  [html`<kbd>e</kbd>`, 'edit the text'],
  [html`<kbd>f</kbd>`, 'refresh this step with what changed'],
  [html`<kbd>?</kbd>`, 'this help'],
  [html`<kbd>Esc</kbd>`, 'close, or leave a text field'],
]);

const SCRIPT = html`<link rel="stylesheet" href="/static/step-approval.css" />
  <script src="/static/step-approval.js" defer></script>`;

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

export function returnedStepsPage(
  req: Request,
  q: Paging & { rows: ReturnedStepRow[] },
  now: Date,
  viewerZone: string,
  canBulk: boolean,
): Html {
  const unchanged = q.rows.filter((x) => x.changes === 0 && x.flagged === 0);
  return html` ${req.query.approved ? html`<p class="flash ok" role="status">${String(req.query.approved)} step(s) approved.</p>` : ''}
    <p class="muted" id="steps-help">
      ${q.total} step${q.total === 1 ? '' : 's'} of sequences that approve each step, due soonest first. Each goes out
      only once approved. Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>A</kbd> approves every step
      nothing changed for (you confirm), <kbd>?</kbd> help.
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
      ${thead(
        canBulk && html`<span class="sr-only">Select</span>`,
        'Account · contact · step',
        'Owner',
        'Due',
        'Since approval',
      )}
      <tbody>
        ${q.rows.map((x) => returnedRow(x, now, viewerZone, canBulk))}
      </tbody>
    </table>
    ${q.rows.length ? '' : html`<p class="empty">No step is waiting for your approval.</p>`}
    ${pager('/queue/steps', {}, q)} ${STEP_KEY_HELP}${SCRIPT}`;
}

export function bulkConfirm(req: Request, picked: Map<number, string>): Html {
  return html` <p>
      Each step goes out in its recipient's sending window, as written. A step that changed since this list was loaded,
      or that something changed for, is left for you to read.
    </p>
    <form method="post" action="/queue/steps/approve" class="stack">
      ${csrfField(req)} ${[...picked].map(([id, d]) => html`<input type="hidden" name="ids" value="${id}:${d}" />`)}
      <input type="hidden" name="confirm" value="yes" />
      <button type="submit" autofocus id="confirm-bulk">Yes, approve ${picked.size}</button>
      <a href="/queue/steps">Cancel</a>
    </form>`;
}

/** One line per step: the error message when it was not approved. */
export function bulkResult(ok: number, results: [id: number, error: string | null][]): Html {
  return html`<p class="flash ok">${ok} approved.</p>
    <ul role="status">
      ${results.map(([id, err]) =>
        err === null
          ? html`<li>Step <a href="/steps/${id}">#${id}</a> approved.</li>`
          : html`<li class="bad">Step <a href="/steps/${id}">#${id}</a> not approved: ${err}</li>`,
      )}
    </ul>
    <p><a href="/queue/steps">Back to the steps</a></p>`;
}

interface StepView {
  s: AwaitingStepRow;
  changes: ChangeItem[];
  earlier: ReviewStepRow[];
  prev: number | null;
  next: number | null;
  canAct: boolean;
  canRefresh: boolean;
  zone: string;
  viewerZone: string;
  maxMissedWindows: number;
}

export function stepPage(req: Request, v: StepView): Html {
  const { s, prev, next, viewerZone: tz } = v;
  const flash = req.query.approved
    ? html`Step #${String(req.query.approved)} approved.`
    : req.query.refreshed
      ? 'Refreshed: read the new text, then approve.'
      : req.query.saved
        ? 'Saved.'
        : '';
  const csrf = csrfField(req);
  return html` <p class="status-line" id="status-line" role="status">${flash}</p>
    <div
      id="step-approval"
      data-step-id="${s.id}"
      data-prev="${prev ? `/steps/${prev}` : ''}"
      data-next="${next ? `/steps/${next}` : ''}"
    >
      <p class="meta">
        ${label(s.status)} · ${s.contact_title ? html`${s.contact_title} · ` : ''}${s.contact_email ?? ''} · owner
        ${s.owner_name ?? '—'}
        ${s.scheduled_at ? html`· due ${inZone(s.scheduled_at, v.zone)} for the recipient (${inZone(s.scheduled_at, tz)} yours)` : ''}
        ${s.missed_windows ? html`· missed ${s.missed_windows} of ${v.maxMissedWindows} windows` : ''}
      </p>
      <nav class="draft-nav" aria-label="Steps">
        ${prev ? html`<a href="/steps/${prev}" rel="prev">← Previous <kbd>k</kbd></a>` : ''}
        <a href="/queue/steps">All returned steps</a
        >${next ? html`<a href="/steps/${next}" rel="next">Next <kbd>j</kbd> →</a>` : ''}
        <a href="/drafts/${s.sequence_id}">The whole sequence</a>
        <button type="button" class="link" data-help>Keys <kbd>?</kbd></button>
      </nav>
      ${stepActions(s, csrf, { canAct: v.canAct, canRefresh: v.canRefresh })}
      <div class="draft-grid">
        <div>${changesPanel(v.changes, s.sequence_approved_at, tz)}</div>
        <div>
          ${stepText(s, { editable: v.canAct && s.status === 'awaiting_approval', csrf })}
          ${
            v.earlier.length
              ? html`<details>
                  <summary>Earlier steps (${v.earlier.length})</summary>
                  ${v.earlier.map(
                    (e) =>
                      html`<section class="card">
                        <h3>
                          ${label(e.kind)} · ${label(e.status)}${e.sent_at ? html` ${inZone(e.sent_at, tz)}` : ''}
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
    ${STEP_KEY_HELP}${SCRIPT}`;
}
