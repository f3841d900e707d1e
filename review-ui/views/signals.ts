// The Signals page: the list by status, "add as account?" for companies that keep turning up unmatched,
// a chooser for ambiguous ones, assignment of the ticked unmatched ones, and manual entry. Pure: rows in.
import type { Request } from 'express';
import type { SignalRow } from '../../db/queries/signals.js';
import type { UnmatchedCompany } from '../../signals/review.js';
import { inZone } from '../format.js';
import { html, type Html, thead } from '../html.js';
import { csrfField, pager } from '../layout.js';
import { extLink } from './draft-facts.js';

export const STATUSES = ['all', 'new', 'unmatched', 'ambiguous', 'cooldown', 'dismissed'] as const;
type Listed = SignalRow & { account_name: string | null; sources: number; total: number };
type Choice = { id: number; name: string; domain: string | null };

interface SignalsView {
  status: (typeof STATUSES)[number];
  rows: Listed[];
  /** Names of the sources that keep failing (shown to RevOps). */
  flagged: string[];
  companies: UnmatchedCompany[];
  /** Accounts to assign ticked signals to; null: no ticking on this tab or for this viewer. */
  choices: Choice[] | null;
  revops: boolean;
  /** The viewer's time zone. */
  zone: string;
  exportLink: Html | '';
  page: { page: number; perPage: number; total: number };
}

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

/** "Assign to account" for the unmatched signals ticked in the table: an existing account, or a new one. */
function assignForm(req: Request, revops: boolean, choices: Choice[]): Html {
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

function table(req: Request, rows: Listed[], tz: string, pick: boolean): Html {
  return html`<table>
      ${thead(
        pick && html`<span class="sr-only">Pick</span>`,
        'Detected',
        'Type',
        'Signal',
        'Account',
        'Sources',
        'Status',
      )}
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
                ${
                  s.account_id
                    ? html`<a href="/accounts?q=${encodeURIComponent(s.account_name ?? '')}"
                        >${s.account_name ?? s.account_id}</a
                      >`
                    : s.status === 'ambiguous'
                      ? chooser(req, s)
                      : '—'
                }
              </td>
              <td>${s.sources}</td>
              <td>${s.status}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length ? '' : html`<p class="empty">No signals here yet.</p>`}`;
}

export function signalsPage(req: Request, v: SignalsView): Html {
  return html` ${v.flagged.length ? html`<p class="error" role="alert">${v.flagged.length} source(s) keep failing: ${v.flagged.join(', ')}. <a href="/settings/sources">See their last errors</a>.</p>` : ''}
    ${v.exportLink}
    <nav class="tabs" aria-label="Status">
      ${STATUSES.map((x) => html`<a href="/signals?status=${x}" ${x === v.status ? html`aria-current="page"` : ''}>${x}</a> `)}
    </nav>
    ${
      v.companies.length
        ? html`<h2>Add as account?</h2>
            <p class="muted">Companies in signals that match no account, most frequent first.</p>
            <table>
              ${thead('Company', 'Signals', '')}
              <tbody>
                ${v.companies.slice(0, 20).map(
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
    ${v.choices ? assignForm(req, v.revops, v.choices) : ''} ${table(req, v.rows, v.zone, !!v.choices)}
    ${pager('/signals', { status: v.status }, v.page)}
    <h2>Add a signal by hand</h2>
    <form method="post" action="/signals" class="stack wide">
      ${csrfField(req)}
      <label
        >What happened
        <input name="title" required maxlength="500" placeholder="Acme raises $20M Series A led by Example Ventures"
      /></label>
      <label>Link <input name="url" type="url" placeholder="https://…" /></label>
      <label>Notes <textarea name="summary" rows="2"></textarea></label>
      <button type="submit">Add signal</button>
    </form>`;
}
