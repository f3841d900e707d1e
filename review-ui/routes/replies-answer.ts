// Answering a reply: the prospect's message, the answer form (sent from the thread's mailbox,
// threaded, recorded; sequencing/answer.ts) and a mailto: link that opens the rep's own mail
// client on the same thread. Reps answer on their own sequences, admins on any; managers and
// RevOps read the page and may use the mailto link, nothing is sent in their name from here.
import { Router, type Response } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { answersTo, type AnswerTarget } from '../../db/queries/answer.js';
import type { MailboxRow } from '../../db/queries/sending.js';
import { findSenderProfile } from '../../db/queries/user-profile.js';
import { AppError } from '../../errors.js';
import {
  addressOf,
  answerMailbox,
  loadAnswerTarget,
  mailtoHref,
  senderOf,
  sendAnswer,
} from '../../sequencing/answer.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { assertCanAct, assertCanSee, canActOnDraft } from '../access.js';
import { intParam } from '../format.js';
import { page } from '../layout.js';
import { answerPage } from '../views/replies-answer.js';

async function view(
  ctx: AppContext,
  req: AuthedRequest,
  res: Response,
  t: AnswerTarget,
  opts: { body?: string; error?: string; status?: number } = {},
) {
  const u = req.user;
  const mailbox = await answerMailbox(ctx, t).catch(() => undefined as MailboxRow | undefined);
  const profile = await one(ctx.db, findSenderProfile(u.id));
  const sender = mailbox ? senderOf(profile, mailbox) : senderOf(profile, { from_name: '' });
  const sent = t.message_id ? await run(ctx.db, answersTo(u.workspaceId, t.message_id)) : [];
  const to = addressOf(t.from_addr);
  res
    .status(opts.status ?? 200)
    .type('html')
    .send(
      page(
        req,
        `Answer ${t.contact_name ?? to}`,
        answerPage(req, {
          t,
          to,
          fromEmail: mailbox?.from_email,
          sender,
          sent,
          canAct: canActOnDraft(u, t),
          mailto: mailtoHref(t, sender.signature),
          viewerZone: u.timeZone,
          ...opts,
        }),
      ),
    );
}

export function answerRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const load = async (req: AuthedRequest) => {
    const t = await loadAnswerTarget(ctx, req.user.workspaceId, intParam(req.params.id) ?? 0);
    assertCanSee(req.user, t);
    return t;
  };
  r.get('/replies/:id/answer', async (req, res) => {
    await view(ctx, req, res, await load(req));
  });
  r.post('/replies/:id/answer', async (req, res, user) => {
    const t = await load(req);
    assertCanAct(user, t);
    const body = typeof req.body?.body === 'string' ? (req.body.body as string) : '';
    try {
      await sendAnswer(ctx, t, {
        workspaceId: user.workspaceId,
        userId: user.id,
        messageId: t.id,
        body,
        ip: req.ip,
      });
    } catch (err) {
      if (!(err instanceof AppError) || !['VALIDATION', 'MAIL_UNREACHABLE', 'STATE'].includes(err.code)) throw err;
      return view(ctx, req, res, t, {
        body,
        error: err.message,
        status: err.code === 'MAIL_UNREACHABLE' ? 502 : err.status,
      });
    }
    res.redirect(303, `/replies/${t.id}/answer?sent=1`);
  });
  return r.router;
}
