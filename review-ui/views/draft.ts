// The draft page: composes the signal and dossier (draft-facts.ts), the step cards (draft-steps.ts) and the gates,
// actions and key help (draft-actions.ts). Every value goes through `html`.
import type { Request } from 'express';
import type { DraftRow, listDraftVersions, ReviewFactRow, ReviewStepRow } from '../../db/queries/review.js';
import type { Waiting } from '../../sequencing/waiting.js';
import { inZone, label, zoneOf } from '../format.js';
import { html, type Html } from '../html.js';
import { csrfField } from '../layout.js';
import { actions, gateFailures, KEY_HELP } from './draft-actions.js';
import { dossier, signalCard, type Observation, type SignalView } from './draft-facts.js';
import { stepCard, type Planned } from './draft-steps.js';
import { waitingLine } from './schedule.js';

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
