// The draft page's evidence column: the signal card with its sources, and the dossier of cited facts.
import type { ReviewFactRow } from '../../db/queries/review.js';
import { inZone, label } from '../format.js';
import { html, safeUrl, type Html } from '../html.js';

export interface SignalView {
  type: string;
  title: string;
  summary: string;
  url: string | null;
  occurred_at: Date | null;
  detected_at: Date;
}
export interface Observation {
  url: string;
  title: string;
  observed_at: Date;
  source_name: string | null;
  source_kind: string | null;
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

export function signalCard(s: SignalView, obs: Observation[], viewerZone: string): Html {
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
export function dossier(facts: ReviewFactRow[], organization: Record<string, unknown> | null): Html {
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
