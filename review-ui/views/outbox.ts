// The outbox as pure functions of loaded rows: the list (with the demo's "send now" controls and
// what could not go yet), and one sent message shown as a mail client shows it.
import type { Request } from 'express';
import type { inboundOnSequence, OutboxRow, WaitingStepRow } from '../../db/queries/outbox.js';
import { inZone, label } from '../format.js';
import { html, type Html, thead } from '../html.js';
import { csrfField, pager, type Paging } from '../layout.js';

/** Why a step "send now" could not send is waiting, and when it is expected to go. */
function waitingLine(w: WaitingStepRow, tz: string): Html {
  const who = [w.first_name, w.last_name].filter(Boolean).join(' ') || w.email;
  const why =
    w.status === 'scheduled'
      ? html`${w.last_error ?? 'waiting for its time'}; expected
        ${w.scheduled_at ? inZone(w.scheduled_at, tz) : 'when it is due'}`
      : w.status === 'awaiting_approval'
        ? 'awaiting its own approval'
        : html`${label(w.status)}${w.skip_reason ? html`: ${w.skip_reason}` : ''}`;
  return html`<li data-step-id="${w.id}">${who}, step ${w.step_no}: ${why}</li>`;
}

function statusLine(m: OutboxRow): Html {
  return html`<span class="badge">${label(m.sequence_status ?? 'no sequence')}</span
    >${m.stop_reason ? html` <span class="meta">${m.stop_reason}</span>` : ''}
    ${m.replies ? html` <span class="badge t-funding">${m.replies} inbound</span>` : ''}`;
}

interface OutboxView {
  rows: OutboxRow[];
  paging: Paging;
  demo: boolean;
  /** How many "send now" sent, when the page follows it; then the steps that could not go. */
  sent: number | undefined;
  waiting: WaitingStepRow[];
  viewerZone: string;
}

export function outboxPage(req: Request, v: OutboxView): Html {
  const { rows, demo, sent, waiting } = v;
  return html` ${
      sent !== undefined
        ? html`<div class="flash ok" role="status">
            <p>${sent} sent now.${waiting.length ? ` ${waiting.length} could not go yet:` : ''}</p>
            ${
              waiting.length
                ? html`<ul class="waiting">
                    ${waiting.map((w) => waitingLine(w, v.viewerZone))}
                  </ul>`
                : ''
            }
          </div>`
        : ''
    }
    ${
      demo
        ? html`<section class="card demo-controls" aria-labelledby="demo-h">
            <h2 id="demo-h">Demo controls</h2>
            <p>
              Approved steps wait for the recipient's sending window (often days away). In this demo workspace only, you
              can send each active sequence's next step <strong>now, ignoring its sending window</strong>; every other
              check (reply, unsubscribe, suppression, the mailbox's pause and gap) still applies, and the message goes
              through the real send path into this outbox.
            </p>
            <form method="post" action="/outbox/send-now">
              ${csrfField(req)}<button type="submit" id="send-now">Send due steps now (demo: window ignored)</button>
            </form>
          </section>`
        : ''
    }
    <table class="list">
      ${thead('Sent', 'To', 'Subject', 'Step', 'Sequence')}
      <tbody>
        ${rows.map(
          (m) =>
            html`<tr>
              <td>${inZone(m.at, v.viewerZone)}</td>
              <td>${m.to_addr}</td>
              <td><a href="/outbox/${m.id}">${m.subject || '(no subject)'}</a></td>
              <td>${m.step_position ?? ''}</td>
              <td>${statusLine(m)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length ? '' : html`<p class="empty">Nothing sent yet. Approve a draft in the <a href="/queue">queue</a>${demo ? ', then send it now from here' : ''}.</p>`}
    ${pager('/outbox', {}, v.paging)}`;
}

interface SentMessageView {
  m: OutboxRow & { raw: string | null };
  /** "Name: value" header lines, in the order a mail client shows them. */
  headers: string[];
  text: string;
  inbound: NonNullable<ReturnType<typeof inboundOnSequence>['__row']>[];
  canSimulate: boolean;
  viewerZone: string;
}

export function sentMessagePage(req: Request, v: SentMessageView): Html {
  const { m, inbound } = v;
  return html` ${req.query.replied ? html`<p class="flash ok" role="status">The reply went through the inbox: classified, matched and applied.</p>` : ''}
    <p class="meta">
      <a href="/outbox">← Outbox</a> · step ${m.step_position ?? '?'} ·
      ${statusLine(m)}${m.sequence_id ? html` · <a href="/drafts/${m.sequence_id}">sequence #${m.sequence_id}</a>` : ''}
    </p>
    <article class="card eml" aria-label="Message">
      <dl class="when headers">
        ${v.headers.map((h) => {
          const i = h.indexOf(':');
          return html`<dt>${h.slice(0, i)}</dt>
            <dd>${h.slice(i + 1).trim()}</dd>`;
        })}
      </dl>
      <pre class="body">${v.text}</pre>
      <details>
        <summary>Message source (.eml)</summary>
        <pre class="body source">${m.raw ?? ''}</pre>
      </details>
    </article>
    ${
      inbound.length
        ? html`<h2>Answers on this sequence</h2>
            ${inbound.map(
              (i) =>
                html`<article class="card reply">
                  <p class="meta">
                    <span class="badge">${label(i.classification ?? 'unclassified')}</span> ${i.from_addr} ·
                    ${inZone(i.at, v.viewerZone)} · ${i.subject}
                  </p>
                  <pre class="body">${i.visible_text ?? ''}</pre>
                </article>`,
            )}`
        : ''
    }
    ${
      v.canSimulate
        ? html`<section class="card" aria-labelledby="sim-h">
            <h2 id="sim-h">Simulate a reply</h2>
            <p>
              The local outbox has no inbox behind it. Answer as ${m.to_addr} would: the message is built as raw mail
              and goes through the same inbound path as a real reply (classified, matched by its threading headers,
              stored, and the sequence stopped).
            </p>
            <form method="post" action="/outbox/${m.id}/simulate-reply" class="stack">
              ${csrfField(req)}
              <label
                >Reply text
                <textarea name="body" rows="4">Thanks, this is timely. Could we talk next week?</textarea>
              </label>
              <button type="submit" id="simulate-reply">Simulate reply</button>
            </form>
          </section>`
        : ''
    }`;
}
