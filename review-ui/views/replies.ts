// Replies to my sequences as pure functions of loaded rows: the tabs, each reply with its
// classification and the rep's two corrections.
import type { Request } from 'express';
import type { ReplyRow } from '../../db/queries/review.js';
import { inZone, label } from '../format.js';
import { html, safeUrl, type Html } from '../html.js';
import { csrfField, pager, type Paging } from '../layout.js';

export function repliesPage(
  req: Request,
  v: { rows: ReplyRow[]; show: string; canAct: boolean; viewerZone: string; paging: Paging },
): Html {
  const { rows, show } = v;
  const tab = (key: string, text: string) =>
    html`<a href="/replies?show=${key}" ${show === key ? html`aria-current="page"` : ''}>${text}</a>`;
  return html` ${req.query.done ? html`<p class="flash ok" role="status">${req.query.done === 'meeting' ? 'Meeting recorded; the sequence is complete.' : 'Marked as not a reply; it no longer counts as one.'}</p>` : ''}
    <nav class="draft-nav" aria-label="Which mail">
      ${tab('replies', 'Replies')}${tab('auto', 'Out of office')}${tab('all', 'All inbound')}
    </nav>
    ${rows.map(
      (m) =>
        html`<article class="card reply" aria-labelledby="reply-${m.id}-h">
          <h2 id="reply-${m.id}-h">
            ${m.contact_name ?? m.from_addr}${m.account_name ? html` · ${m.account_name}` : ''}
          </h2>
          <p class="meta">
            <span class="badge">${label(m.classification)}</span
            >${m.intent ? html` <span class="badge">${label(m.intent)}</span>` : ''}
            ${
              m.meeting_booked ? html` <span class="badge t-funding">meeting booked</span>` : ''
            }${m.corrected_by ? ' · corrected by a rep' : ''}
            · ${inZone(m.at, v.viewerZone)} ·
            ${m.subject}${m.sequence_id ? html` · <a href="/drafts/${m.sequence_id}">sequence #${m.sequence_id}</a>` : ''}
          </p>
          <pre class="body">${m.visible_text ?? m.text_body}</pre>
          <p><a href="${safeUrl(`/replies/${m.id}/answer`)}">Answer</a></p>
          ${
            v.canAct && m.sequence_id
              ? html`<div class="row-actions">
                  ${m.meeting_booked ? '' : html`<form method="post" action="/replies/${m.id}/meeting">${csrfField(req)}<button type="submit">Meeting booked</button></form>`}
                  ${m.classification === 'reply' ? html`<form method="post" action="/replies/${m.id}/not-a-reply">${csrfField(req)}<button type="submit" class="secondary">Not a reply</button></form>` : ''}
                </div>`
              : ''
          }
        </article>`,
    )}
    ${rows.length ? '' : html`<p class="empty">No ${show === 'auto' ? 'out-of-office mail' : show === 'all' ? 'inbound mail' : 'replies'} yet.</p>`}
    ${pager('/replies', { show }, v.paging)}`;
}
