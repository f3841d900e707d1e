// Deleting a mailbox (SMTP, local outbox, Google or Microsoft): a confirmation page first says what
// happens to the sequences that would send from it — moved to another of the rep's mailboxes, or
// paused with a reason people see — and nothing is deleted while a step is being sent from it or
// waits for a person's decision. A mailbox that sent mail or carries sequences is archived (sent
// history keeps its sender); one nothing points at is removed.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import {
  archiveMailbox,
  deleteMailboxRow,
  lockMailbox,
  mailboxImpact,
  moveSequencesToMailbox,
  pauseSequencesOfMailbox,
  siblingMailboxes,
} from '../../db/queries/mailboxes.js';
import type { MailboxRow } from '../../db/queries/sending.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { auditRequest } from '../audit.js';
import { page } from '../layout.js';
import { affected, confirmDeletePage, defaultReason } from '../views/mailbox-delete.js';
import { disconnectOAuth } from './mailboxes-oauth.js';
import { loadMailbox, managesAll } from './settings-mailboxes.js';

const DeleteForm = z.object({
  then: z.enum(['move', 'pause']).optional(),
  to: z.preprocess((v) => (v ? Number(v) : undefined), z.number().int().positive().optional()),
  reason: z.preprocess((v) => (typeof v === 'string' ? v.trim().slice(0, 300) : ''), z.string()),
});

export function mailboxDeleteRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const load = (req: AuthedRequest) => loadMailbox(ctx.db, req);
  const impact = async (m: MailboxRow) => (await one(ctx.db, mailboxImpact(m.workspace_id, m.id)))!;

  r.get('/settings/mailboxes/:id/delete', async (req, res) => {
    const m = await load(req);
    const siblings = await run(ctx.db, siblingMailboxes(m.workspace_id, m.id));
    res
      .type('html')
      .send(
        page(
          req,
          `Delete mailbox ${m.from_email}?`,
          confirmDeletePage(req, m, await impact(m), siblings, managesAll(req) ? '/settings/mailboxes' : '/mailboxes'),
        ),
      );
  });

  r.post('/settings/mailboxes/:id/delete', async (req, res) => {
    const m = await load(req);
    const f = DeleteForm.parse(req.body ?? {});
    const before = await impact(m);
    if (before.in_flight)
      throw new AppError('STATE', 'A step is being sent from this mailbox or waits for a decision; settle it first.');
    if (affected(before) && !f.then)
      throw new AppError('VALIDATION', 'Say whether its sequences move to another mailbox or pause.');
    const reason = f.reason || defaultReason(m);
    // A Google or Microsoft grant is revoked before the row goes (the tokens cascade away with it).
    const revoked = ['google', 'microsoft'].includes(m.kind) ? await disconnectOAuth(ctx, m.id) : false;
    const now = new Date();
    const out = await ctx.db.transaction(async (tx) => {
      if (!(await one(tx, lockMailbox(m.workspace_id, m.id)))) throw new AppError('NOT_FOUND', 'No such mailbox.');
      const i = (await one(tx, mailboxImpact(m.workspace_id, m.id)))!;
      if (i.in_flight) throw new AppError('STATE', 'A step is being sent from this mailbox; try again in a minute.');
      let moved = 0,
        paused = 0;
      if (affected(i) && f.then === 'move') {
        const to = (await run(tx, siblingMailboxes(m.workspace_id, m.id))).find((s) => s.id === f.to);
        if (!to) throw new AppError('VALIDATION', 'Pick another mailbox of the same rep to move the sequences to.');
        moved = (await run(tx, moveSequencesToMailbox(m.workspace_id, m.id, to.id, now))).length;
      } else if (affected(i)) {
        paused = (await run(tx, pauseSequencesOfMailbox(m.workspace_id, m.id, reason, now))).length;
      }
      // What still points at it after the move or pause: sent mail and claimed steps keep it as an archive.
      const referenced = (await one(tx, mailboxImpact(m.workspace_id, m.id)))!.referenced;
      if (referenced) await run(tx, archiveMailbox(m.workspace_id, m.id, now));
      else await run(tx, deleteMailboxRow(m.workspace_id, m.id));
      return { archived: referenced, moved, paused, to: f.then === 'move' ? f.to : undefined };
    });
    await auditRequest(
      ctx.db,
      req,
      'mailbox.deleted',
      { type: 'mailbox', id: m.id },
      {
        ...out,
        email: m.from_email,
        ownerId: m.user_id,
        ...(out.paused ? { reason } : {}),
        ...(revoked ? { revoked } : {}),
      },
    );
    ctx.log.info({ mailboxId: m.id, ...out }, 'mailbox.deleted');
    res.redirect(
      303,
      `${managesAll(req) ? '/settings/mailboxes' : '/mailboxes'}?deleted=${encodeURIComponent(m.from_email)}`,
    );
  });
  return r.router;
}
