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
import { html, safeUrl, type Html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { auditRequest } from '../audit.js';

const NewContact = z.object({
  firstName: z.string().trim().max(200).default(''),
  lastName: z.string().trim().max(200).default(''),
  email: z.email('a valid email address'),
  title: z.string().trim().max(300).default(''),
});

/** Reps act for accounts they own (or nobody owns); admins and RevOps for any; managers read. */
function assertMayAct(u: CurrentUser, s: Pick<NeedsContactRow, 'account_owner_id'>): void {
  if (u.role === 'manager') throw new AppError('FORBIDDEN', 'Managers see this read-only.');
  if (u.role === 'rep' && s.account_owner_id !== null && s.account_owner_id !== u.id)
    throw new AppError('FORBIDDEN', 'This account belongs to another rep.');
}

/** The block at the top of the review queue, from its rows (the queue page reads them with its own statement). */
export function needsContactSection(
  rows: (Pick<NeedsContactRow, 'id' | 'account_name' | 'title'> & { total: number })[],
): Html {
  if (!rows.length) return html``;
  return html`<section class="needs-contact" aria-labelledby="needs-contact-h">
    <h2 id="needs-contact-h">Needs a contact (${rows[0]!.total})</h2>
    <p class="muted">
      Nobody at these accounts fits the play (or everyone was skipped). Add the right person and the draft continues.
    </p>
    <ul>
      ${rows.map((s) => html`<li><a href="/signals/${s.id}/contact">${s.account_name}: ${s.title}</a></li>`)}
    </ul>
  </section>`;
}

export function needsContactRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const load = async (req: AuthedRequest) => {
    const s = await one<NeedsContactRow & { status: string }>(
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
    const people = (s.people ?? []).filter((p) => p.role !== 'contact');
    const split = (name: string) => {
      const [f, ...l] = name.trim().split(/\s+/);
      return { first: f ?? '', last: l.join(' ') };
    };
    const domain = s.account_domain ?? '';
    res.type('html').send(
      page(
        req,
        `Needs a contact: ${s.account_name}`,
        html` <p>
            <b>${s.title}</b
            >${safeUrl(s.url) ? html` · <a href="${safeUrl(s.url)}" rel="noopener noreferrer">source</a>` : ''}
          </p>
          ${s.status !== 'needs_contact' ? html`<p class="flash ok" role="status">This signal has moved on (${s.status}).</p>` : ''}
          ${
            (s.skipped ?? []).length
              ? html`<h2>Skipped</h2>
                  <ul>
                    ${s.skipped!.map((k) => html`<li>contact ${k.id}: ${k.reason}</li>`)}
                  </ul>`
              : ''
          }
          <h2>People research found</h2>
          ${
            people.length
              ? html`<table>
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Title</th>
                      <th>Where</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${people.map(
                      (p, i) =>
                        html`<tr>
                          <td>${p.name}</td>
                          <td>${p.title ?? ''}</td>
                          <td>
                            ${safeUrl(p.sourceUrl) ? html`<a href="${safeUrl(p.sourceUrl)}" rel="noopener noreferrer">${p.source ?? 'page'}</a>` : (p.source ?? '')}
                          </td>
                          <td>
                            <button
                              type="button"
                              class="use-person"
                              data-index="${i}"
                              data-first="${split(p.name).first}"
                              data-last="${split(p.name).last}"
                              data-title="${p.title ?? ''}"
                            >
                              Use
                            </button>
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p class="muted">Research found nobody named on the company's pages.</p>`
          }
          <h2>Add the contact</h2>
          <form method="post" action="/signals/${s.id}/contact" class="stack" id="add-contact">
            ${csrfField(req)}
            <label>First name <input name="firstName" id="c-first" /></label>
            <label>Last name <input name="lastName" id="c-last" /></label>
            <label>Title <input name="title" id="c-title" /></label>
            <label>Email <input name="email" id="c-email" type="email" required placeholder="name@${domain}" /></label>
            <button type="submit">Add and continue</button>
          </form>`,
      ),
    );
  });

  r.post('/signals/:id/contact', async (req, res, u) => {
    const s = await load(req);
    assertMayAct(u, s);
    if (s.status !== 'needs_contact') throw new AppError('STATE', `This signal is ${s.status} now; nothing to add.`);
    const b = NewContact.safeParse(req.body ?? {});
    if (!b.success)
      throw new AppError('VALIDATION', b.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '));
    const contactId = await ctx.db.transaction(async (tx) => {
      const existing = await one(tx, findContactByEmail(u.workspaceId, b.data.email));
      if (existing && existing.account_id !== s.account_id)
        throw new AppError('CONFLICT', `${b.data.email} is already a contact at another account.`);
      const id =
        existing?.id ??
        (await one(
          tx,
          insertContact(u.workspaceId, {
            accountId: s.account_id,
            firstName: b.data.firstName,
            lastName: b.data.lastName,
            email: b.data.email,
            title: b.data.title,
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
