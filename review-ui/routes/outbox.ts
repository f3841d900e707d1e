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
import { intParam } from '../format.js';
import { page, pageParams } from '../layout.js';
import { outboxPage, sentMessagePage } from '../views/outbox.js';

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

async function loadOut(ctx: Pick<AppContext, 'db'>, u: CurrentUser, id: number) {
  const m = await one(ctx.db, findOutMessage(u.workspaceId, id));
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

async function sendNow(ctx: AppContext, u: CurrentUser) {
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

async function answerAsProspect(ctx: AppContext, u: CurrentUser, id: number, body: string) {
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
    const waiting = waitingIds.length ? await run(ctx.db, waitingSteps(u.workspaceId, waitingIds, queueViewer(u))) : [];
    res.type('html').send(
      page(
        req,
        'Outbox',
        outboxPage(req, {
          rows,
          paging: { page: p.page, perPage: p.perPage, total: total?.n ?? 0 },
          demo,
          sent,
          waiting,
          viewerZone: u.timeZone,
        }),
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
        sentMessagePage(req, {
          m,
          headers,
          text: parsed?.text ?? '',
          inbound,
          canSimulate: canSimulate(u, m),
          viewerZone: u.timeZone,
        }),
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
