// Answering a reply as a pure function of loaded rows: the prospect's message, answers already
// sent, the answer form and the mailto: link.
import type { Request } from 'express';
import type { AnswerTarget, SentAnswer } from '../../db/queries/answer.js';
import { inZone } from '../format.js';
import { html, safeUrl, type Html } from '../html.js';
import { csrfField } from '../layout.js';

interface AnswerView {
  t: AnswerTarget;
  to: string;
  /** The thread's mailbox address, when it is one of the workspace's. */
  fromEmail: string | undefined;
  sender: { name: string; signature: string };
  sent: SentAnswer[];
  canAct: boolean;
  mailto: string;
  viewerZone: string;
  body?: string;
  error?: string;
}

export function answerPage(req: Request, v: AnswerView): Html {
  const { t, sender, fromEmail } = v;
  return html`${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}
    ${req.query.sent ? html`<p class="flash ok" role="status">Answer sent from ${fromEmail ?? ''}.</p>` : ''}
    <p>
      <a href="/replies">← Replies</a
      >${t.sequence_id ? html` · <a href="${safeUrl(`/drafts/${t.sequence_id}`)}">sequence #${t.sequence_id}</a>` : ''}
    </p>
    <article class="card reply" aria-label="Their reply">
      <p class="meta">
        ${t.from_addr}${t.account_name ? html` · ${t.account_name}` : ''} · ${inZone(t.at, v.viewerZone)} · ${t.subject}
      </p>
      <pre class="body">${t.visible_text ?? t.text_body}</pre>
    </article>
    ${v.sent.map(
      (a) =>
        html`<article class="card" aria-label="Answer sent">
          <p class="meta">
            Answered ${a.sent_by_name ? html`by ${a.sent_by_name}` : ''} · ${inZone(a.at, v.viewerZone)} · ${a.subject}
          </p>
          <pre class="body">${a.text_body}</pre>
        </article>`,
    )}
    ${
      v.canAct && fromEmail !== undefined
        ? html`<form method="post" action="${safeUrl(`/replies/${t.id}/answer`)}" class="card" aria-label="Answer form">
            ${csrfField(req)}
            <p class="muted">
              From ${sender.name} &lt;${fromEmail}&gt; to ${v.to}, in the same thread. It is sent now, is not a sequence
              step and changes nothing about the sequence.
            </p>
            <label>Your answer <textarea name="body" rows="8" required>${v.body ?? ''}</textarea></label>
            ${
              sender.signature
                ? html`<p class="muted">Signed with:</p>
                    <pre class="body">${sender.signature}</pre>`
                : ''
            }
            <button type="submit">Send answer</button>
          </form>`
        : ''
    }
    ${
      fromEmail === undefined
        ? html`<p class="muted">This reply came to no mailbox of this workspace; answer it from your mail app.</p>`
        : ''
    }
    <p>
      <a href="mailto:${v.mailto}">Open in my mail app</a>
      <span class="muted">(same thread: "Re:" subject and In-Reply-To)</span>
    </p>`;
}
