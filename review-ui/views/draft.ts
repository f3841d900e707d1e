// The draft page's pieces as pure functions of loaded rows: signal card, dossier with
// citations, steps with planned times, gate failures, actions. Every value goes through `html`.
import type { Request } from 'express';
import type { DraftRow, listDraftVersions, ReviewFactRow, ReviewStepRow } from '../../db/queries/review.js';
import type { Waiting } from '../../sequencing/waiting.js';
import { inZone, label, zoneOf } from '../format.js';
import { OFFLINE_INSTRUCTION } from '../../drafting/offline.js';
import { html, safeUrl, type Html } from '../html.js';
import { csrfField } from '../layout.js';
import { waitingLine } from './schedule.js';

interface SignalView {
  type: string;
  title: string;
  summary: string;
  url: string | null;
  occurred_at: Date | null;
  detected_at: Date;
}
interface Observation {
  url: string;
  title: string;
  observed_at: Date;
  source_name: string | null;
  source_kind: string | null;
}
interface Planned {
  position: number;
  at: Date | null;
}

/** Only http(s) links become hrefs: a scraped `javascript:` URL is shown as text. */
export function safeHref(url: string | null | undefined): string | undefined {
  const u = safeUrl(url);
  return u && /^https?:/.test(u) ? u : undefined;
}

export function extLink(url: string | null | undefined, text?: string): Html {
  const href = safeHref(url);
  return href
    ? html`<a href="${safeUrl(href)}" rel="noopener noreferrer nofollow" target="_blank">${text || url}</a>`
    : html`<span>${text || url || ''}</span>`;
}

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

function gateFailures(d: DraftRow): Html {
  const list = Array.isArray(d.gate_failures) ? d.gate_failures : [];
  if (!list.length) return html``;
  return html`<section class="gates" role="alert" aria-labelledby="gates-h">
    <h2 id="gates-h">Flagged by ${list.length} gate${list.length === 1 ? '' : 's'} — check before approving</h2>
    <ul>
      ${list.map((g) => html`<li>${gateText(g)}</li>`)}
    </ul>
  </section>`;
}

function signalCard(s: SignalView, obs: Observation[], viewerZone: string): Html {
  return html`<section class="card signal" aria-labelledby="signal-h">
    <h2 id="signal-h"><span class="badge t-${s.type}">${label(s.type)}</span> ${s.title}</h2>
    ${s.summary ? html`<p>${s.summary}</p>` : ''}
    <p class="muted">
      ${s.occurred_at ? html`Happened ${inZone(s.occurred_at, viewerZone)} · ` : ''}detected
      ${inZone(s.detected_at, viewerZone)}
    </p>
    <h3>Sources (${obs.length || (s.url ? 1 : 0)})</h3>
    <ul class="sources">
      ${obs.map((o) => html`<li>${extLink(o.url, o.title || o.url)} <span class="muted">${o.source_name ? html`via ${o.source_name} · ` : ''}${inZone(o.observed_at, viewerZone)}</span></li>`)}
      ${!obs.length && s.url ? html`<li>${extLink(s.url)}</li>` : ''}
    </ul>
  </section>`;
}

/** Each fact is focusable; hovering or focusing it shows its quote and source URL (CSS, no script). */
function dossier(facts: ReviewFactRow[], organization: Record<string, unknown> | null): Html {
  const org = organization && typeof organization.description === 'string' ? organization.description : '';
  return html`<section class="card dossier" aria-labelledby="dossier-h">
    <h2 id="dossier-h">Research (${facts.length} cited fact${facts.length === 1 ? '' : 's'})</h2>
    ${org ? html`<p>${org}</p>` : ''}
    ${
      facts.length
        ? html`<ol class="facts">
            ${facts.map(
              (f) =>
                html` <li id="fact-${f.id}" class="cite" tabindex="0" aria-describedby="fact-${f.id}-src">
                  <span class="fact-text">${f.text}</span
                  >${f.flags.length ? html` <span class="flag">${f.flags.join(', ')}</span>` : ''}
                  <span class="citation" role="tooltip" id="fact-${f.id}-src"
                    ><q>${f.quote}</q> ${extLink(f.source_url)}</span
                  >
                </li>`,
            )}
          </ol>`
        : html`<p class="muted">No research facts: the draft relies on the signal alone.</p>`
    }
  </section>`;
}

function stepCard(
  s: ReviewStepRow,
  plan: Planned | undefined,
  opts: {
    index: number;
    recipientZone: string;
    viewerZone: string;
    ownerZone?: string | null;
    editable: boolean;
    facts: Map<number, ReviewFactRow>;
    /** Why a step not gone yet waits, and when it is expected. */
    waiting?: Html;
  },
): Html {
  const at = s.scheduled_at ?? plan?.at ?? null;
  const when = at
    ? html`<dl class="when">
          <dt>Recipient (${opts.recipientZone})</dt>
          <dd>${inZone(at, opts.recipientZone)}</dd>
          <dt>You (${opts.viewerZone})</dt>
          <dd>${inZone(at, opts.viewerZone)}</dd>
          ${
            opts.ownerZone && opts.ownerZone !== opts.viewerZone
              ? html`<dt>Owning rep (${opts.ownerZone})</dt>
                  <dd>${inZone(at, opts.ownerZone)}</dd>`
              : ''
          }
        </dl>
        <p class="muted">
          ${
            s.scheduled_at ? `Scheduled (${label(s.status)})` : 'Planned if approved now'
          }${s.status === 'awaiting_approval' && s.scheduled_at ? html` · <a href="/steps/${s.id}">review this step</a>` : ''}
        </p>`
    : html`<p class="muted">
        No send time: ${s.status === 'draft' ? 'no open sending window found' : label(s.status)}
      </p>`;
  const p = s.position;
  const cited = s.cited_fact_ids.map((id) => opts.facts.get(Number(id))).filter((f): f is ReviewFactRow => !!f);
  return html`<section class="card step" aria-labelledby="step-${p}-h">
    <h3 id="step-${p}-h">
      Step ${opts.index + 1}: ${label(s.kind)}
      ${s.delay_days ? html`<span class="muted">· ${s.delay_days} day${s.delay_days === 1 ? '' : 's'} after the previous</span>` : ''}
    </h3>
    ${when} ${opts.waiting ?? ''}
    ${
      opts.editable
        ? html`<label
              >Subject
              <input
                name="subject_${p}"
                value="${s.subject}"
                data-step="${p}"
                data-field="subject"
                ${opts.index > 0 ? html`placeholder="(same thread)"` : ''}
                ${opts.index === 0 ? html`data-first-edit` : ''}
            /></label>
            ${opts.index > 0 && !s.subject ? html`<p class="muted same-thread">(same thread: sent as a reply to the step before)</p>` : ''}
            <label
              >Body
              <textarea
                name="body_${p}"
                rows="${Math.min(16, Math.max(5, s.body.split('\n').length + 1))}"
                data-step="${p}"
                data-field="body"
              >
${s.body}</textarea>
            </label>
            <input type="hidden" name="positions" value="${p}" />`
        : html`<p><b>Subject:</b> ${s.subject || html`<span class="muted">(same thread)</span>`}</p>
            <pre class="body">${s.body}</pre>`
    }
    ${cited.length ? html`<p class="muted">Cites: ${cited.map((f) => html`<a href="#fact-${f.id}" class="cite-ref">${f.text.slice(0, 60)}</a> `)}</p>` : ''}
    ${
      s.drafted_body !== null && s.drafted_body !== s.body
        ? html`<details>
            <summary>As drafted</summary>
            <pre class="body">${s.drafted_body}</pre>
          </details>`
        : ''
    }
  </section>`;
}

function actions(d: DraftRow, csrf: Html, canAct: boolean, offline = false): Html {
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

/** The queue page's keys (the `?` it advertises opens this). */
export const QUEUE_KEY_HELP = html`<dialog id="key-help" aria-labelledby="key-help-h">
  <h2 id="key-help-h">Keyboard</h2>
  <dl class="keys">
    <dt><kbd>j</kbd> / <kbd>k</kbd></dt>
    <dd>move the selection down / up</dd>
    <dt><kbd>Enter</kbd></dt>
    <dd>open the selected draft</dd>
    <dt><kbd>a</kbd></dt>
    <dd>approve the selected draft</dd>
    <dt><kbd>x</kbd></dt>
    <dd>tick the selected draft for "Approve selected…"</dd>
    <dt><kbd>?</kbd></dt>
    <dd>this help</dd>
  </dl>
  <form method="dialog"><button>Close</button></form>
</dialog>`;

const KEY_HELP = html`<dialog id="key-help" aria-labelledby="key-help-h">
  <h2 id="key-help-h">Keyboard</h2>
  <dl class="keys">
    <dt><kbd>j</kbd> / <kbd>k</kbd></dt>
    <dd>next / previous draft (in the queue: move the selection)</dd>
    <dt><kbd>a</kbd></dt>
    <dd>approve this draft</dd>
    <dt><kbd>e</kbd></dt>
    <dd>edit the first subject</dd>
    <dt><kbd>r</kbd></dt>
    <dd>reject, with a reason</dd>
    <dt><kbd>g</kbd></dt>
    <dd>regenerate, with an instruction</dd>
    <dt><kbd>Ctrl</kbd>+<kbd>Enter</kbd></dt>
    <dd>send the reason or instruction being typed</dd>
    <dt><kbd>?</kbd></dt>
    <dd>this help</dd>
    <dt><kbd>Esc</kbd></dt>
    <dd>close, or leave a text field</dd>
  </dl>
  <form method="dialog"><button>Close</button></form>
</dialog>`;

interface DraftView {
  d: DraftRow;
  statusLine: Html;
  signal: SignalView | undefined;
  obs: Observation[];
  steps: ReviewStepRow[];
  versions: NonNullable<ReturnType<typeof listDraftVersions>['__row']>[];
  prevId: number | null;
  nextId: number | null;
  facts: ReviewFactRow[];
  organization: Record<string, unknown> | null;
  /** Why the CRM holds the account out (approving is refused), when it does. */
  heldOut: string | null;
  planned: Planned[];
  /** Why each step not gone yet waits (the same words as Upcoming sends), by step id. */
  waiting: Map<number, Waiting>;
  recipientZone: string;
  viewerZone: string;
  canAct: boolean;
  editable: boolean;
  offline: boolean;
  now: Date;
  userId: number;
}

export function draftPage(req: Request, v: DraftView): Html {
  const { d, prevId, nextId, viewerZone: tz } = v;
  const factMap = new Map(v.facts.map((f) => [Number(f.id), f]));
  const planned = new Map(v.planned.map((p) => [p.position, p]));
  const waitingP = (id: number) => {
    const w = v.waiting.get(id);
    return w
      ? html`<p class="waiting" data-step-id="${id}">
          Waiting: ${waitingLine(w, zoneOf(tz), v.now)} · <a href="/schedule">reschedule or skip</a>
        </p>`
      : undefined;
  };
  const csrf = csrfField(req);
  return html` ${v.statusLine}
    <div
      id="draft"
      data-draft-id="${d.id}"
      data-version="${d.version}"
      data-status="${d.status}"
      data-prev="${prevId ? `/drafts/${prevId}` : ''}"
      data-next="${nextId ? `/drafts/${nextId}` : ''}"
    >
      ${gateFailures(d)}
      ${d.status === 'stopped' && d.stop_reason ? html`<p class="stopped" role="status">Stopped: ${d.stop_reason}.</p>` : ''}
      ${v.heldOut ? html`<p class="held-out" role="alert">Not sendable: ${v.heldOut}. Approving it is refused while the CRM holds the account out.</p>` : ''}
      <p class="meta">
        ${label(d.status)} · ${d.contact_title ? html`${d.contact_title} · ` : ''}${d.contact_email ?? ''} · owner
        ${d.owner_name ?? '—'} ·
        ${
          d.drafter === 'offline'
            ? html`<span class="badge">written by the offline drafter (no LLM)</span>`
            : html`drafted by ${d.drafter ?? '—'}`
        }
        ${d.prompt_version ? html`· prompt ${d.prompt_version}` : ''}
        ${d.snoozed_until ? html`· snoozed until ${inZone(d.snoozed_until, tz)}` : ''}
      </p>
      <nav class="draft-nav" aria-label="Queue">
        ${prevId ? html`<a href="/drafts/${prevId}" rel="prev">← Previous <kbd>k</kbd></a>` : ''}
        <a href="/queue">Queue</a>${nextId ? html`<a href="/drafts/${nextId}" rel="next">Next <kbd>j</kbd> →</a>` : ''}
        <button type="button" class="link" data-help>Keys <kbd>?</kbd></button>
      </nav>
      ${actions(d, csrf, v.canAct, v.offline)}
      <div class="draft-grid">
        <div>
          ${v.signal ? signalCard(v.signal, v.obs, tz) : html`<p class="muted">No signal.</p>`}
          ${dossier(v.facts, v.organization)}
        </div>
        <div>
          <form method="post" action="/drafts/${d.id}/edit" id="edit-form" data-autosave="/api/drafts/${d.id}">
            ${csrf}
            <input type="hidden" name="version" value="${d.version}" id="draft-version" />
            ${v.steps.map((s, i) =>
              stepCard(s, planned.get(s.position), {
                index: i,
                recipientZone: v.recipientZone,
                viewerZone: tz,
                ownerZone: d.owner_id !== v.userId ? zoneOf(d.owner_time_zone) : null,
                editable: v.editable,
                facts: factMap,
                waiting: waitingP(s.id),
              }),
            )}
            ${v.editable ? html`<p class="save-row"><button type="submit">Save</button> <span id="autosave-status" class="muted" role="status" aria-live="polite">Edits save themselves as you type.</span></p>` : ''}
          </form>
          ${
            v.versions.length
              ? html`<details>
                  <summary>Versions (${v.versions.length})</summary>
                  <ul>
                    ${v.versions.map((x) => html`<li>v${x.version} · ${x.source}${x.created_by_name ? html` by ${x.created_by_name}` : ''} · ${inZone(x.created_at, tz)}${x.instruction ? html` — “${x.instruction}”` : ''}</li>`)}
                  </ul>
                </details>`
              : ''
          }
        </div>
      </div>
    </div>
    ${KEY_HELP}`;
}
