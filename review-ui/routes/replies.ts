// Replies to my sequences: the classification, the visible reply text (quoted history cut
// away by the inbox), and two corrections a rep makes: "meeting booked" and "not a reply".
import { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { deleteReplyEvent, findInbound, listReplies, markNotReply, type ReplyRow } from '../../db/queries/review.js';
import { AppError } from '../../errors.js';
import { applyMeetingBooked } from '../../sequencing/outcomes.js';
import { authedRouter } from '../authed.js';
import { assertCanAct, queueViewer } from '../access.js';
import type { CurrentUser } from '../auth/session.js';
import { inZone, intParam, label } from '../format.js';
import { auditRequest } from '../audit.js';
import { html, safeUrl } from '../html.js';
import { csrfField, page, pageParams, pager } from '../layout.js';
import { answerRoutes } from './replies-answer.js';

const KINDS: Record<string, string[]> = {
  replies: ['reply'],
  auto: ['auto_reply'],
  all: ['reply', 'auto_reply', 'bounce', 'unsubscribe', 'other'],
};

type Inbound = {
  id: number;
  sequence_id: number | null;
  contact_id: number | null;
  classification: string | null;
  owner_id: number | null;
  account_owner_id: number | null;
  account_id: number | null;
};

async function loadInbound(ctx: Pick<AppContext, 'db'>, u: CurrentUser, id: number): Promise<Inbound> {
  const m = await one<Inbound>(ctx.db, findInbound(u.workspaceId, id));
  if (!m) throw new AppError('NOT_FOUND', 'No such message.');
  assertCanAct(u, m);
  return m;
}

export async function recordMeeting(
  ctx: Pick<AppContext, 'db'>,
  u: CurrentUser,
  messageId: number,
  now = new Date(),
): Promise<void> {
  const m = await loadInbound(ctx, u, messageId);
  if (!m.contact_id)
    throw new AppError('STATE', 'This message is not linked to a contact, so no meeting can be recorded.');
  await ctx.db.transaction(async (tx) => {
    await applyMeetingBooked(tx, {
      workspaceId: u.workspaceId,
      contactId: m.contact_id!,
      sequenceId: m.sequence_id,
      source: 'review-ui',
      data: { messageId, userId: u.id },
      now,
      messageRef: messageId,
    });
    await auditRequest(tx, u, 'reply.meeting_booked', { type: 'message', id: messageId });
  });
}

export async function recordNotReply(ctx: Pick<AppContext, 'db'>, u: CurrentUser, messageId: number): Promise<void> {
  await loadInbound(ctx, u, messageId);
  await ctx.db.transaction(async (tx) => {
    await run(tx, markNotReply(messageId, u.id));
    await run(tx, deleteReplyEvent(messageId));
    await auditRequest(tx, u, 'reply.not_a_reply', { type: 'message', id: messageId });
  });
}

export function replyRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.use(answerRoutes(ctx));

  r.get('/replies', async (req, res, u) => {
    const show = KINDS[String(req.query.show)] ? String(req.query.show) : 'replies';
    const p = pageParams(req.query, 25);
    const rows = await run<ReplyRow>(
      ctx.db,
      listReplies(u.workspaceId, queueViewer(u), KINDS[show]!, p.perPage, p.offset),
    );
    const canAct = u.role === 'rep' || u.role === 'admin';
    const tab = (key: string, text: string) =>
      html`<a href="/replies?show=${key}" ${show === key ? html`aria-current="page"` : ''}>${text}</a>`;
    res.type('html').send(
      page(
        req,
        'Replies',
        html` ${req.query.done ? html`<p class="flash ok" role="status">${req.query.done === 'meeting' ? 'Meeting recorded; the sequence is complete.' : 'Marked as not a reply; it no longer counts as one.'}</p>` : ''}
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
                  ${m.meeting_booked ? html` <span class="badge t-funding">meeting booked</span>` : ''}${m.corrected_by ? ' · corrected by a rep' : ''}
                  · ${inZone(m.at, u.timeZone)} ·
                  ${m.subject}${m.sequence_id ? html` · <a href="/drafts/${m.sequence_id}">sequence #${m.sequence_id}</a>` : ''}
                </p>
                <pre class="body">${m.visible_text ?? m.text_body}</pre>
                <p><a href="${safeUrl(`/replies/${m.id}/answer`)}">Answer</a></p>
                ${
                  canAct && m.sequence_id
                    ? html`<div class="row-actions">
                        ${m.meeting_booked ? '' : html`<form method="post" action="/replies/${m.id}/meeting">${csrfField(req)}<button type="submit">Meeting booked</button></form>`}
                        ${m.classification === 'reply' ? html`<form method="post" action="/replies/${m.id}/not-a-reply">${csrfField(req)}<button type="submit" class="secondary">Not a reply</button></form>` : ''}
                      </div>`
                    : ''
                }
              </article>`,
          )}
          ${rows.length ? '' : html`<p class="empty">No ${show === 'auto' ? 'out-of-office mail' : show === 'all' ? 'inbound mail' : 'replies'} yet.</p>`}
          ${pager('/replies', { show }, { page: p.page, perPage: p.perPage, total: rows[0]?.total ?? 0 })}`,
      ),
    );
  });

  const idOf = (req: Request) => intParam(req.params.id) ?? 0;
  r.post('/replies/:id/meeting', async (req, res, user) => {
    await recordMeeting(ctx, user, idOf(req));
    res.redirect(303, '/replies?done=meeting');
  });
  r.post('/replies/:id/not-a-reply', async (req, res, user) => {
    await recordNotReply(ctx, user, idOf(req));
    res.redirect(303, '/replies?done=not-a-reply');
  });
  return r.router;
}
