// One step card of the draft page: its send time in each zone, its subject and body (editable or not), its citations.
import type { ReviewFactRow, ReviewStepRow } from '../../db/queries/review.js';
import { inZone, label } from '../format.js';
import { html, type Html } from '../html.js';

export interface Planned {
  position: number;
  at: Date | null;
}

export function stepCard(
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
