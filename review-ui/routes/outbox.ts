// The outbox: every message we sent, shown as a mail client shows it (headers, text, source) from
// the raw MIME stored when it went out. In the embedded default (the local outbox mailbox, no real
// inbox) a rep can answer a sent message as the prospect — through the same inbound path as a real
// reply. In the demo workspace, "send due steps now" sends each active sequence's next step at once.
import { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import {
  countOutbox,
  findOutMessage,
  inboundOnSequence,
  isDemoWorkspace,
  listOutbox,
  waitingSteps,
  type OutboxRow,
} from '../../db/queries/outbox.js';
import { demoSendNow } from '../../demo/send-now.js';
import { AppError } from '../../errors.js';
import { simulateReply } from '../../sequencing/control.js';
import { authedRouter } from '../authed.js';
import { assertCanAct, assertCanSee, queueViewer } from '../access.js';
import type { CurrentUser } from '../auth/session.js';
import { inZone, intParam, label } from '../format.js';
import { html, type Html } from '../html.js';
import { csrfField, page, pageParams, pager } from '../layout.js';

/** Headers a mail client's "show details" lists, in this order. */
const SHOWN_HEADERS = [
  'from',
  'to',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'dkim-signature',
];

type Full = OutboxRow & { raw: string | null };

async function loadOut(ctx: Pick<AppContext, 'db'>, u: CurrentUser, id: number): Promise<Full> {
  const m = await one<Full>(ctx.db, findOutMessage(u.workspaceId, id));
  if (!m) throw new AppError('NOT_FOUND', 'No such sent message.');
  assertCanSee(u, m);
  return m;
}

async function demoWorkspace(ctx: Pick<AppContext, 'db'>, u: CurrentUser): Promise<boolean> {
  return !!(await one(ctx.db, isDemoWorkspace(u.workspaceId)))?.demo;
}

/** Only a sent step on the local outbox (no real inbox behind it) may be answered by hand. */
function canSimulate(u: CurrentUser, m: OutboxRow): boolean {
  return (
    m.mailbox_kind === 'outbox' &&
    m.step_status === 'sent' &&
    m.step_id !== null &&
    (u.role === 'rep' || u.role === 'admin')
  );
}

export async function sendNow(ctx: AppContext, u: CurrentUser) {
  if (u.role === 'manager') throw new AppError('FORBIDDEN', 'Managers read the outbox; reps, RevOps and admins send.');
  // Reps send what they may act on; RevOps and admins run the demo for the whole workspace.
  const { results } = await demoSendNow(ctx, { workspaceId: u.workspaceId, userId: u.id, ownerId: queueViewer(u) });
  return {
    sent: results.filter((r) => r.result.status === 'sent').length,
    waiting: results
      .filter((r) => r.result.status !== 'sent')
      .map((r) => ({
        stepId: r.stepId,
        status: r.result.status,
        why: 'reason' in r.result ? r.result.reason : 'error' in r.result ? r.result.error : '',
      })),
  };
}

export async function answerAsProspect(ctx: AppContext, u: CurrentUser, id: number, body: string) {
  const m = await loadOut(ctx, u, id);
  assertCanAct(u, m);
  if (!canSimulate(u, m))
    throw new AppError(
      'STATE',
      'Only a sent message from the local outbox can be answered here; real mailboxes get real replies.',
    );
  const text = body.trim() || 'Thanks, this is timely. Could we talk next week?';
  return simulateReply(ctx, { stepId: m.step_id!, body: text });
}

interface Waiting {
  id: number;
  status: string;
  scheduled_at: Date | null;
  last_error: string | null;
  skip_reason: string | null;
  step_no: number;
  first_name: string | null;
  last_name: string | null;
  email: string;
}

/** Why a step "send now" could not send is waiting, and when it is expected to go. */
function waitingLine(w: Waiting, tz: string): Html {
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

export function outboxRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const idOf = (req: Request) => intParam(req.params.id) ?? 0;

  r.get('/outbox', async (req, res, u) => {
    const p = pageParams(req.query, 25);
    const [rows, total, demo] = await Promise.all([
      run(ctx.db, listOutbox(u.workspaceId, queueViewer(u), p.perPage, p.offset)),
      one(ctx.db, countOutbox(u.workspaceId, queueViewer(u))),
      demoWorkspace(ctx, u),
    ]);
    const sent = intParam(req.query.sent);
    const waitingIds = String(req.query.waiting ?? '')
      .split(',')
      .map((x) => intParam(x))
      .filter((x): x is number => !!x)
      .slice(0, 100);
    const waiting = waitingIds.length
      ? await run<Waiting>(ctx.db, waitingSteps(u.workspaceId, waitingIds, queueViewer(u)))
      : [];
    res.type('html').send(
      page(
        req,
        'Outbox',
        html` ${
            sent !== undefined
              ? html`<div class="flash ok" role="status">
                  <p>${sent} sent now.${waiting.length ? ` ${waiting.length} could not go yet:` : ''}</p>
                  ${
                    waiting.length
                      ? html`<ul class="waiting">
                          ${waiting.map((w) => waitingLine(w, u.timeZone))}
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
                    Approved steps wait for the recipient's sending window (often days away). In this demo workspace
                    only, you can send each active sequence's next step
                    <strong>now, ignoring its sending window</strong>; every other check (reply, unsubscribe,
                    suppression, the mailbox's pause and gap) still applies, and the message goes through the real send
                    path into this outbox.
                  </p>
                  <form method="post" action="/outbox/send-now">
                    ${csrfField(req)}<button type="submit" id="send-now">
                      Send due steps now (demo: window ignored)
                    </button>
                  </form>
                </section>`
              : ''
          }
          <table class="list">
            <thead>
              <tr>
                <th>Sent</th>
                <th>To</th>
                <th>Subject</th>
                <th>Step</th>
                <th>Sequence</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (m) =>
                  html`<tr>
                    <td>${inZone(m.at, u.timeZone)}</td>
                    <td>${m.to_addr}</td>
                    <td><a href="/outbox/${m.id}">${m.subject || '(no subject)'}</a></td>
                    <td>${m.step_position ?? ''}</td>
                    <td>${statusLine(m)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          ${rows.length ? '' : html`<p class="empty">Nothing sent yet. Approve a draft in the <a href="/queue">queue</a>${demo ? ', then send it now from here' : ''}.</p>`}
          ${pager('/outbox', {}, { page: p.page, perPage: p.perPage, total: total?.n ?? 0 })}`,
      ),
    );
  });

  r.get('/outbox/:id', async (req, res, u) => {
    const m = await loadOut(ctx, u, idOf(req));
    const { simpleParser } = await import('mailparser');
    const parsed = m.raw ? await simpleParser(m.raw, { skipImageLinks: true, skipTextToHtml: true }) : undefined;
    const lines = parsed?.headerLines ?? [];
    const headers = SHOWN_HEADERS.flatMap((k) =>
      lines.filter((l) => l.key === k).map((l) => l.line.replace(/\r?\n[ \t]+/g, ' ')),
    );
    const inbound = m.sequence_id ? await run(ctx.db, inboundOnSequence(m.sequence_id)) : [];
    res.type('html').send(
      page(
        req,
        m.subject || 'Sent message',
        html` ${req.query.replied ? html`<p class="flash ok" role="status">The reply went through the inbox: classified, matched and applied.</p>` : ''}
          <p class="meta">
            <a href="/outbox">← Outbox</a> · step ${m.step_position ?? '?'} ·
            ${statusLine(m)}${m.sequence_id ? html` · <a href="/drafts/${m.sequence_id}">sequence #${m.sequence_id}</a>` : ''}
          </p>
          <article class="card eml" aria-label="Message">
            <dl class="when headers">
              ${headers.map((h) => {
                const i = h.indexOf(':');
                return html`<dt>${h.slice(0, i)}</dt>
                  <dd>${h.slice(i + 1).trim()}</dd>`;
              })}
            </dl>
            <pre class="body">${parsed?.text ?? ''}</pre>
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
                          ${inZone(i.at, u.timeZone)} · ${i.subject}
                        </p>
                        <pre class="body">${i.visible_text ?? ''}</pre>
                      </article>`,
                  )}`
              : ''
          }
          ${
            canSimulate(u, m)
              ? html`<section class="card" aria-labelledby="sim-h">
                  <h2 id="sim-h">Simulate a reply</h2>
                  <p>
                    The local outbox has no inbox behind it. Answer as ${m.to_addr} would: the message is built as raw
                    mail and goes through the same inbound path as a real reply (classified, matched by its threading
                    headers, stored, and the sequence stopped).
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
          }`,
      ),
    );
  });

  r.post('/outbox/send-now', async (req, res, user) => {
    const out = await sendNow(ctx, user);
    const waiting = out.waiting.map((w) => w.stepId).join(',');
    res.redirect(303, `/outbox?sent=${out.sent}${waiting ? `&waiting=${waiting}` : ''}`);
  });
  r.post('/outbox/:id/simulate-reply', async (req, res, user) => {
    await answerAsProspect(ctx, user, idOf(req), String((req.body as { body?: unknown })?.body ?? ''));
    res.redirect(303, `/outbox/${idOf(req)}?replied=1`);
  });

  // JSON twins.
  r.get('/api/outbox', async (req, res, u) => {
    const p = pageParams(req.query, 50);
    res.json({ items: await run(ctx.db, listOutbox(u.workspaceId, queueViewer(u), p.perPage, p.offset)) });
  });
  r.get('/api/outbox/:id', async (req, res, user) => {
    res.json(await loadOut(ctx, user, idOf(req)));
  });
  r.post('/api/outbox/send-now', async (req, res, user) => {
    res.json(await sendNow(ctx, user));
  });
  r.post('/api/outbox/:id/simulate-reply', async (req, res, user) => {
    const out = await answerAsProspect(ctx, user, idOf(req), String((req.body as { body?: unknown })?.body ?? ''));
    res.json({ status: out.status, kind: out.kind, messageRowId: out.messageRowId, sequenceId: out.sequenceId });
  });
  return r.router;
}
