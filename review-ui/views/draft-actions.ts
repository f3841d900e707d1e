// The draft page's gate failures, its actions (approve, reject, regenerate, snooze) and the key help dialogs.
import type { DraftRow } from '../../db/queries/review.js';
import { label } from '../format.js';
import { OFFLINE_INSTRUCTION } from '../../drafting/offline.js';
import { html, type Html } from '../html.js';

/** Gate failures come from the drafting gates as objects or strings; show what they say. */
export function gateText(g: unknown): string {
  if (typeof g === 'string') return g;
  if (g && typeof g === 'object') {
    const o = g as Record<string, unknown>;
    const name = o.gate ?? o.code ?? o.name ?? o.kind;
    const msg =
      o.message ?? o.detail ?? o.reason ?? (Array.isArray(o.items) ? (o.items as unknown[]).join(', ') : undefined);
    const step =
      typeof o.step === 'number' || typeof o.position === 'number'
        ? ` (step ${Number(o.step ?? o.position) + (typeof o.position === 'number' ? 1 : 0)})`
        : '';
    return (
      [name, msg]
        .filter((x) => x !== undefined && x !== '')
        .map(String)
        .join(': ') + step || JSON.stringify(g)
    );
  }
  return String(g);
}

export function gateFailures(d: DraftRow): Html {
  const list = Array.isArray(d.gate_failures) ? d.gate_failures : [];
  if (!list.length) return html``;
  return html`<section class="gates" role="alert" aria-labelledby="gates-h">
    <h2 id="gates-h">Flagged by ${list.length} gate${list.length === 1 ? '' : 's'} — check before approving</h2>
    <ul>
      ${list.map((g) => html`<li>${gateText(g)}</li>`)}
    </ul>
  </section>`;
}

export function actions(d: DraftRow, csrf: Html, canAct: boolean, offline = false): Html {
  if (!canAct) return html`<p class="muted">Read-only: only the owning rep or an admin acts on drafts.</p>`;
  if (d.status !== 'pending_review' && d.status !== 'snoozed')
    return html`<p class="muted">
      This draft is ${label(d.status)}${d.rejected_reason ? html`: ${d.rejected_reason}` : ''}.
    </p>`;
  return html`<div class="actions" aria-label="Actions">
    <form method="post" action="/drafts/${d.id}/approve" id="approve-form">
      ${csrf}<input type="hidden" name="version" value="${d.version}" id="approve-version" />
      <button type="submit" class="primary" aria-keyshortcuts="a">
        ${d.gate_failures?.length ? 'Approve despite the gates…' : 'Approve and start'} <kbd>a</kbd>
      </button>
      ${
        d.approval_mode === 'each_step'
          ? html`<span class="muted" id="each-step-note"
              >Approves the opener; each later step comes back to you for approval before it is sent.</span
            >`
          : ''
      }
    </form>
    <details id="reject-box">
      <summary>Reject <kbd>r</kbd></summary>
      <form method="post" action="/drafts/${d.id}/reject" class="stack" id="reject-form">
        ${csrf}
        <label>Why? <textarea name="reason" id="reject-reason" required rows="2" maxlength="1000"></textarea></label>
        <button type="submit" class="danger">Reject draft</button>
      </form>
    </details>
    <details id="regen-box">
      <summary>Regenerate <kbd>g</kbd></summary>
      <form method="post" action="/drafts/${d.id}/regenerate" class="stack" id="regen-form">
        ${csrf}
        <label
          >Instruction for the drafter
          <textarea
            name="instruction"
            id="regen-instruction"
            rows="2"
            maxlength="2000"
            placeholder="e.g. shorter, lead with the hiring news"
          ></textarea>
        </label>
        ${offline ? html`<p class="muted" id="regen-offline">${OFFLINE_INSTRUCTION}</p>` : ''}
        <button type="submit">Regenerate</button>
      </form>
    </details>
    <details>
      <summary>Snooze</summary>
      <form method="post" action="/drafts/${d.id}/snooze" class="stack">
        ${csrf}
        <label
          >Snooze for
          <select name="days">
            <option value="1">1 day</option>
            <option value="3">3 days</option>
            <option value="7">1 week</option>
          </select></label
        >
        <button type="submit">Snooze</button>
      </form>
    </details>
  </div>`;
}

/** The `?` dialog listing a page's keys: each entry is the keys and what they do. */
export function keyHelp(keys: [Html, Html | string][]): Html {
  return html`<dialog id="key-help" aria-labelledby="key-help-h">
    <h2 id="key-help-h">Keyboard</h2>
    <dl class="keys">
      ${keys.map(
        ([k, what]) =>
          html`<dt>${k}</dt>
            <dd>${what}</dd>`,
      )}
    </dl>
    <form method="dialog"><button>Close</button></form>
  </dialog>`;
}

/** The queue page's keys (the `?` it advertises opens this). */
export const QUEUE_KEY_HELP = keyHelp([
  [html`<kbd>j</kbd> / <kbd>k</kbd>`, 'move the selection down / up'],
  [html`<kbd>Enter</kbd>`, 'open the selected draft'],
  [html`<kbd>a</kbd>`, 'approve the selected draft'],
  [html`<kbd>x</kbd>`, html`tick the selected draft for "Approve selected…"`],
  [html`<kbd>?</kbd>`, 'this help'],
]);

export const KEY_HELP = keyHelp([
  [html`<kbd>j</kbd> / <kbd>k</kbd>`, 'next / previous draft (in the queue: move the selection)'],
  [html`<kbd>a</kbd>`, 'approve this draft'],
  [html`<kbd>e</kbd>`, 'edit the first subject'],
  [html`<kbd>r</kbd>`, 'reject, with a reason'],
  [html`<kbd>g</kbd>`, 'regenerate, with an instruction'],
  [html`<kbd>Ctrl</kbd>+<kbd>Enter</kbd>`, 'send the reason or instruction being typed'],
  [html`<kbd>?</kbd>`, 'this help'],
  [html`<kbd>Esc</kbd>`, 'close, or leave a text field'],
]);
