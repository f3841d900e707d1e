// "Needs a contact" as pure functions of loaded rows: the block atop the review queue, and the
// page with the people research found and the form that adds one.
import type { Request } from 'express';
import type { NeedsContactRow } from '../../db/queries/needs-contact.js';
import { html, safeUrl, type Html, thead } from '../html.js';
import { csrfField } from '../layout.js';

/** The block at the top of the review queue, from its rows (the queue page reads them with its own statement). */
export function needsContactSection(
  rows: (Pick<NeedsContactRow, 'id' | 'account_name' | 'title'> & { total: number })[],
): Html {
  if (!rows.length) return html``;
  return html`<section class="needs-contact" aria-labelledby="needs-contact-h">
    <h2 id="needs-contact-h">Needs a contact (${rows[0]!.total})</h2>
    <p class="muted">
      Nobody at these accounts fits the play (or everyone was skipped). Add the right person and the draft continues.
    </p>
    <ul>
      ${rows.map((s) => html`<li><a href="/signals/${s.id}/contact">${s.account_name}: ${s.title}</a></li>`)}
    </ul>
  </section>`;
}

const split = (name: string) => {
  const [f, ...l] = name.trim().split(/\s+/);
  return { first: f ?? '', last: l.join(' ') };
};

export function needsContactPage(req: Request, s: NeedsContactRow & { status: string }): Html {
  const people = (s.people ?? []).filter((p) => p.role !== 'contact');
  const domain = s.account_domain ?? '';
  return html` <p>
      <b>${s.title}</b
      >${safeUrl(s.url) ? html` · <a href="${safeUrl(s.url)}" rel="noopener noreferrer">source</a>` : ''}
    </p>
    ${s.status !== 'needs_contact' ? html`<p class="flash ok" role="status">This signal has moved on (${s.status}).</p>` : ''}
    ${
      (s.skipped ?? []).length
        ? html`<h2>Skipped</h2>
            <ul>
              ${s.skipped!.map((k) => html`<li>contact ${k.id}: ${k.reason}</li>`)}
            </ul>`
        : ''
    }
    <h2>People research found</h2>
    ${
      people.length
        ? html`<table>
            ${thead('Name', 'Title', 'Where', '')}
            <tbody>
              ${people.map(
                (p, i) =>
                  html`<tr>
                    <td>${p.name}</td>
                    <td>${p.title ?? ''}</td>
                    <td>
                      ${
                        safeUrl(p.sourceUrl)
                          ? html`<a href="${safeUrl(p.sourceUrl)}" rel="noopener noreferrer">${p.source ?? 'page'}</a>`
                          : (p.source ?? '')
                      }
                    </td>
                    <td>
                      <button
                        type="button"
                        class="use-person"
                        data-index="${i}"
                        data-first="${split(p.name).first}"
                        data-last="${split(p.name).last}"
                        data-title="${p.title ?? ''}"
                      >
                        Use
                      </button>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted">Research found nobody named on the company's pages.</p>`
    }
    <h2>Add the contact</h2>
    <form method="post" action="/signals/${s.id}/contact" class="stack" id="add-contact">
      ${csrfField(req)}
      <label>First name <input name="firstName" id="c-first" /></label>
      <label>Last name <input name="lastName" id="c-last" /></label>
      <label>Title <input name="title" id="c-title" /></label>
      <label>Email <input name="email" id="c-email" type="email" required placeholder="name@${domain}" /></label>
      <button type="submit">Add and continue</button>
    </form>`;
}
