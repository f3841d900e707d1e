// Replies to my sequences: the classification, the visible reply text (quoted history cut
// away by the inbox), and two corrections a rep makes: "meeting booked" and "not a reply".
import { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { deleteReplyEvent, findInbound, listReplies, markNotReply } from '../../db/queries/review.js';
import { AppError } from '../../errors.js';
import { applyMeetingBooked } from '../../sequencing/outcomes.js';
import { authedRouter } from '../authed.js';
import { assertCanAct, queueViewer } from '../access.js';
import type { CurrentUser } from '../auth/session.js';
import { intParam } from '../format.js';
import { auditRequest } from '../audit.js';
import { page, pageParams } from '../layout.js';
import { repliesPage } from '../views/replies.js';
import { answerRoutes } from './replies-answer.js';

const KINDS: Record<string, string[]> = {
  replies: ['reply'],
  auto: ['auto_reply'],
  all: ['reply', 'auto_reply', 'bounce', 'unsubscribe', 'other'],
};

async function loadInbound(ctx: Pick<AppContext, 'db'>, u: CurrentUser, id: number) {
  const m = await one(ctx.db, findInbound(u.workspaceId, id));
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
    const rows = await run(ctx.db, listReplies(u.workspaceId, queueViewer(u), KINDS[show]!, p.perPage, p.offset));
    const canAct = u.role === 'rep' || u.role === 'admin';
    res.type('html').send(
      page(
        req,
        'Replies',
        repliesPage(req, {
          rows,
          show,
          canAct,
          viewerZone: u.timeZone,
          paging: { page: p.page, perPage: p.perPage, total: rows[0]?.total ?? 0 },
        }),
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
