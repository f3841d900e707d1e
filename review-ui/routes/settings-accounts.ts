// RevOps: create and edit accounts (owner, time zone, tags) and contacts (account, champion flag).
// Validation is the CSV import's, so a form and a spreadsheet row accept the same values.
import { Router, type Request, type Response } from 'express';
import { AccountRowInput, ContactRowInput } from '../../accounts/csv-rows.js';
import { researchEnqueuer } from '../../agents/signal-jobs.js';
import type { AppContext } from '../../context.js';
import { one, run, type Queryable } from '../../db/index.js';
import { findAccount, findAccountByDomain, insertAccount } from '../../db/queries/accounts.js';
import { findContact, findContactByEmail, insertContact, updateContact } from '../../db/queries/contacts.js';
import { listOwners } from '../../db/queries/review.js';
import { accountChoices, updateAccount } from '../../db/queries/settings.js';
import { AppError } from '../../errors.js';
import { rematchUnmatched } from '../../signals/rematch.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { page } from '../layout.js';
import { accountForm, contactForm } from '../views/accounts.js';
import { auditRequest } from '../audit.js';
import { answerRefused } from '../error-handler.js';
import { refusedForm, type SeeAlso } from '../views/refused.js';
import { parseInput } from '../openapi.js';

const s = (v: unknown) => (typeof v === 'string' ? v : '');

export function parseAccountForm(b: Record<string, unknown>) {
  const v = parseInput(AccountRowInput, {
    name: s(b.name),
    domain: s(b.domain),
    aliases: s(b.aliases),
    owner: '',
    time_zone: s(b.time_zone),
    country: s(b.country),
    tags: s(b.tags),
  });
  return {
    name: v.name,
    domain: v.domain,
    aliases: v.aliases,
    ownerId: intParam(b.owner_id) ?? null,
    timeZone: v.time_zone,
    country: v.country,
    tags: v.tags,
    notes: s(b.notes).slice(0, 5000),
  };
}

export function parseContactForm(b: Record<string, unknown>) {
  const v = parseInput(ContactRowInput, {
    email: s(b.email),
    first_name: s(b.first_name),
    last_name: s(b.last_name),
    name: '',
    title: s(b.title),
    account_domain: '',
    company: '',
    time_zone: s(b.time_zone),
    champion: b.is_champion ? 'yes' : 'no',
    linkedin_url: s(b.linkedin_url),
  });
  return {
    accountId: intParam(b.account_id) ?? null,
    firstName: v.first_name,
    lastName: v.last_name,
    email: v.email,
    title: v.title,
    timeZone: v.time_zone,
    linkedinUrl: v.linkedin_url,
    isChampion: v.champion,
  };
}

/** What a CONFLICT below links to: the account or contact that already has the domain or email. */
const seeOf = (err: AppError): SeeAlso | undefined => (err.details as { see?: SeeAlso } | undefined)?.see;
const accountRefused = (req: Request, why: string, err: AppError) =>
  refusedForm(req, 'The account was not saved', why, 'account-form', seeOf(err));
const contactRefused = (req: Request, why: string, err: AppError) =>
  refusedForm(req, 'The contact was not saved', why, 'contact-form', seeOf(err));

/**
 * An account clashing on its domain (the unique index), as a CONFLICT that names the domain and links the
 * account that has it: the form is shown again with the reason, and the JSON API (POST and PUT /api/accounts)
 * answers 409 in the same words. Other errors pass on.
 */
export async function accountTaken(
  db: Queryable,
  workspaceId: number,
  domain: string | null,
  err: unknown,
): Promise<never> {
  if ((err as { code?: string }).code !== '23505' || !domain) throw err;
  const other = await one(db, findAccountByDomain(workspaceId, domain));
  throw new AppError('CONFLICT', `An account with the domain ${other?.domain ?? domain} already exists`, {
    cause: err,
    details: other ? { see: { href: `/accounts/${other.id}/edit`, text: `Open ${other.name}` } } : undefined,
  });
}

/** A new contact clashing on its email, worded and linked as accountTaken does (the form and POST /api/contacts). */
export async function contactTaken(db: Queryable, workspaceId: number, email: string, err: unknown): Promise<never> {
  if ((err as { code?: string }).code !== '23505') throw err;
  const other = await one(db, findContactByEmail(workspaceId, email));
  const name = other && [other.first_name, other.last_name].filter(Boolean).join(' ');
  throw new AppError('CONFLICT', `A contact with the email ${other?.email ?? email} already exists`, {
    cause: err,
    details: other ? { see: { href: `/contacts/${other.id}/edit`, text: `Open ${name || other.email}` } } : undefined,
  });
}

export function settingsAccountRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const revops = requireRole('revops');
  const owners = (req: AuthedRequest) => run(ctx.db, listOwners(req.user.workspaceId));
  const accounts = (req: AuthedRequest) => run(ctx.db, accountChoices(req.user.workspaceId));
  const audit = (req: Request, action: string, type: string, id: number) =>
    auditRequest(ctx.db, req, action, { type: type, id: id });
  // A new name, domain or alias may be what an unmatched signal was about: look again now
  // (imports and the API are covered by the maintenance tick).
  const rematch = (req: AuthedRequest) =>
    rematchUnmatched(
      { db: ctx.db, log: ctx.log, caches: ctx.caches, enqueueResearch: researchEnqueuer(ctx.boss) },
      req.user.workspaceId,
      new Date(),
    );
  /** A form refused for its input, or for a domain or email another record has (409): shown again as typed. */
  const refuse = (req: Request, res: Response, err: unknown, show: (why: string, e: AppError) => Promise<string>) =>
    answerRefused(ctx.log, req, res, err, show, { conflict: true });
  const loadAccount = async (req: AuthedRequest) => {
    const a = await one(ctx.db, findAccount(req.user.workspaceId, intParam(req.params.id) ?? 0));
    if (!a) throw new AppError('NOT_FOUND', 'No such account.');
    return a;
  };
  const loadContact = async (req: AuthedRequest) => {
    const c = await one(ctx.db, findContact(req.user.workspaceId, intParam(req.params.id) ?? 0));
    if (!c) throw new AppError('NOT_FOUND', 'No such contact.');
    return c;
  };

  r.get('/accounts/new', revops, async (req, res) => {
    res.type('html').send(page(req, 'New account', accountForm(req, undefined, await owners(req))));
  });
  r.post('/accounts/new', revops, async (req, res, user) => {
    let a;
    try {
      const input = parseAccountForm(req.body ?? {});
      a = await one(ctx.db, insertAccount(user.workspaceId, input)).catch((e: unknown) =>
        accountTaken(ctx.db, user.workspaceId, input.domain, e),
      );
    } catch (err) {
      return refuse(req, res, err, async (why, e) =>
        page(req, 'New account', accountForm(req, undefined, await owners(req), accountRefused(req, why, e))),
      );
    }
    await audit(req, 'account.created', 'account', a!.id);
    await rematch(req);
    res.redirect(303, `/accounts?q=${encodeURIComponent(a!.name)}`);
  });
  r.get('/accounts/:id/edit', revops, async (req, res) => {
    const a = await loadAccount(req);
    res.type('html').send(page(req, `Edit ${a.name}`, accountForm(req, a, await owners(req))));
  });
  r.post('/accounts/:id/edit', revops, async (req, res, user) => {
    const a = await loadAccount(req);
    try {
      const input = parseAccountForm(req.body ?? {});
      await run(ctx.db, updateAccount(user.workspaceId, a.id, input)).catch((e: unknown) =>
        accountTaken(ctx.db, user.workspaceId, input.domain, e),
      );
    } catch (err) {
      return refuse(req, res, err, async (why, e) =>
        page(req, `Edit ${a.name}`, accountForm(req, a, await owners(req), accountRefused(req, why, e))),
      );
    }
    await audit(req, 'account.updated', 'account', a.id);
    await rematch(req);
    res.redirect(303, `/accounts?q=${encodeURIComponent(String(req.body?.name ?? ''))}`);
  });

  r.get('/contacts/new', revops, async (req, res) => {
    res
      .type('html')
      .send(
        page(
          req,
          'New contact',
          contactForm(req, { account_id: intParam(req.query.account) ?? null }, await accounts(req)),
        ),
      );
  });
  r.post('/contacts/new', revops, async (req, res, user) => {
    let c;
    try {
      const input = parseContactForm(req.body ?? {});
      c = await one(ctx.db, insertContact(user.workspaceId, input)).catch((e: unknown) =>
        contactTaken(ctx.db, user.workspaceId, input.email, e),
      );
    } catch (err) {
      return refuse(req, res, err, async (why, e) =>
        page(req, 'New contact', contactForm(req, undefined, await accounts(req), contactRefused(req, why, e))),
      );
    }
    await audit(req, 'contact.created', 'contact', c!.id);
    res.redirect(303, `/contacts?q=${encodeURIComponent(c!.email)}`);
  });
  r.get('/contacts/:id/edit', revops, async (req, res) => {
    const c = await loadContact(req);
    res.type('html').send(page(req, `Edit ${c.email}`, contactForm(req, c, await accounts(req))));
  });
  r.post('/contacts/:id/edit', revops, async (req, res) => {
    const c = await loadContact(req);
    let input;
    try {
      input = parseContactForm({ ...req.body, email: c.email });
    } catch (err) {
      return refuse(req, res, err, async (why, e) =>
        page(req, `Edit ${c.email}`, contactForm(req, c, await accounts(req), contactRefused(req, why, e))),
      );
    }
    await run(ctx.db, updateContact(c.id, { ...input, previousCompany: null }));
    await audit(req, 'contact.updated', 'contact', c.id);
    res.redirect(303, `/contacts?q=${encodeURIComponent(c.email)}`);
  });
  return r.router;
}
