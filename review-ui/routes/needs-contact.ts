// "Needs a contact": a signal whose account has nobody the play can write to still reaches the
// rep, with the people research found, so they add one in place and the draft proceeds.
import { Router } from 'express';
import { z } from 'zod';
import { Queues } from '../../agents/queues.js';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { findContactByEmail, insertContact } from '../../db/queries/contacts.js';
import { findSignalNeedingContact, targetSignalContact, type NeedsContactRow } from '../../db/queries/needs-contact.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import type { CurrentUser } from '../auth/session.js';
import { page } from '../layout.js';
import { needsContactPage, needsContactSection } from '../views/needs-contact.js';
import { auditRequest } from '../audit.js';
import { parseInput } from '../openapi.js';

const NewContact = z.object({
  firstName: z.string().trim().max(200).default(''),
  lastName: z.string().trim().max(200).default(''),
  email: z.email(),
  title: z.string().trim().max(300).default(''),
});

/** Reps act for accounts they own (or nobody owns); admins and RevOps for any; managers read. */
function assertMayAct(u: CurrentUser, s: Pick<NeedsContactRow, 'account_owner_id'>): void {
  if (u.role === 'manager') throw new AppError('FORBIDDEN', 'Managers see this read-only.');
  if (u.role === 'rep' && s.account_owner_id !== null && s.account_owner_id !== u.id)
    throw new AppError('FORBIDDEN', 'This account belongs to another rep.');
}

// The queue page (queue.ts) reads its block through here.
export { needsContactSection };

export function needsContactRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const load = async (req: AuthedRequest) => {
    const s = await one(
      ctx.db,
      findSignalNeedingContact(req.user.workspaceId, Number.parseInt(String(req.params.id), 10) || 0),
    );
    if (!s) throw new AppError('NOT_FOUND', 'No such signal.');
    if (req.user.role === 'rep' && s.account_owner_id !== null && s.account_owner_id !== req.user.id)
      throw new AppError('FORBIDDEN', 'This account belongs to another rep.');
    return s;
  };

  r.get('/signals/:id/contact', async (req, res) => {
    const s = await load(req);
    res.type('html').send(page(req, `Needs a contact: ${s.account_name}`, needsContactPage(req, s)));
  });

  r.post('/signals/:id/contact', async (req, res, u) => {
    const s = await load(req);
    assertMayAct(u, s);
    if (s.status !== 'needs_contact') throw new AppError('STATE', `This signal is ${s.status} now; nothing to add.`);
    const b = parseInput(NewContact, req.body ?? {});
    const contactId = await ctx.db.transaction(async (tx) => {
      const existing = await one(tx, findContactByEmail(u.workspaceId, b.email));
      if (existing && existing.account_id !== s.account_id)
        throw new AppError('CONFLICT', `${b.email} is already a contact at another account.`);
      const id =
        existing?.id ??
        (await one(
          tx,
          insertContact(u.workspaceId, {
            accountId: s.account_id,
            firstName: b.firstName,
            lastName: b.lastName,
            email: b.email,
            title: b.title,
            timeZone: null,
            linkedinUrl: null,
            isChampion: false,
          }),
        ))!.id;
      if (!(await one(tx, targetSignalContact(s.id, id))))
        throw new AppError('STATE', 'This signal moved on meanwhile.');
      await auditRequest(tx, req, 'signal.contact_added', { type: 'signal', id: s.id }, { contactId: id });
      return id;
    });
    // A fresh job (no fixed id): the signal's first research job may still be on record.
    await ctx.boss.send(Queues.research.name, { signalId: s.id });
    ctx.log.info({ signalId: s.id, contactId }, 'signal.contact_added');
    res.redirect(303, `/queue?contactAdded=${s.id}`);
  });
  return r.router;
}
