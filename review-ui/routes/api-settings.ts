// JSON API for sources, templates, replies and the funnel: the same functions as the pages.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { DIMENSIONS } from '../../db/queries/dashboard.js';
import { listReplies } from '../../db/queries/review.js';
import { findContact, insertContact, updateContact } from '../../db/queries/contacts.js';
import { listAllTemplates, updateAccount } from '../../db/queries/settings.js';
import { findSource } from '../../db/queries/signal-sources.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { queueViewer } from '../access.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { endpoint, parseInput } from '../openapi.js';
import { STAGES } from '../views/dashboard-funnel.js';
import { crmFilterOf } from './dashboard-crm.js';
import { DashboardQuery, dateRange, loadFunnel } from './dashboard.js';
import { recordMeeting, recordNotReply } from './replies.js';
import { accountTaken, contactTaken, parseAccountForm, parseContactForm } from './settings-accounts.js';
import { NewSource, SourcePatch, testSource } from '../source-actions.js';
import { saveTemplate, TemplateBody, templateFromJson } from './settings-templates.js';

const Source = z.object({
  id: z.number(),
  kind: z.string(),
  name: z.string(),
  url: z.string().nullable(),
  enabled: z.boolean(),
  last_success_at: z.string().nullable(),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
});
const Counts = z.object(
  Object.fromEntries(STAGES.map((s) => [s, z.number().nullable()])) as Record<
    (typeof STAGES)[number],
    z.ZodNullable<z.ZodNumber>
  >,
);
const FunnelRow = z.object({ key: z.string(), counts: Counts, signalToFirstSendMs: z.number().nullable() });

endpoint({
  method: 'get',
  path: '/sources',
  tag: 'sources',
  summary: 'Signal sources with last success and last error',
  roles: 'revops, admin',
  response: z.object({ items: z.array(Source) }),
});
endpoint({
  method: 'post',
  path: '/sources',
  tag: 'sources',
  summary: 'Add a signal source (validated by its kind)',
  roles: 'revops, admin',
  body: NewSource,
  status: 201,
  response: Source,
});
endpoint({
  method: 'patch',
  path: '/sources/:id',
  tag: 'sources',
  summary: 'Rename, re-time, reconfigure, enable or disable a source',
  roles: 'revops, admin',
  body: SourcePatch,
  response: Source,
});
endpoint({
  method: 'post',
  path: '/sources/:id/test',
  tag: 'sources',
  summary: 'Poll once and return the parsed items; nothing is stored',
  roles: 'revops, admin',
  response: z.object({
    ok: z.boolean(),
    error: z.string().optional(),
    items: z.array(z.object({ key: z.string(), title: z.string(), url: z.string().nullable(), summary: z.string() })),
  }),
});
endpoint({
  method: 'get',
  path: '/templates',
  tag: 'templates',
  summary: 'Sequence templates',
  roles: 'revops, admin',
});
endpoint({
  method: 'post',
  path: '/templates',
  tag: 'templates',
  summary: 'Create a sequence template',
  roles: 'revops, admin',
  body: TemplateBody,
  status: 201,
});
endpoint({
  method: 'put',
  path: '/templates/:id',
  tag: 'templates',
  summary: 'Replace a sequence template (its version goes up)',
  roles: 'revops, admin',
  body: TemplateBody,
});
endpoint({
  method: 'get',
  path: '/replies',
  tag: 'replies',
  summary: 'Inbound replies on my sequences (all for managers)',
  query: z.object({ page: z.number().int().positive().optional() }),
});
endpoint({
  method: 'post',
  path: '/replies/:id/meeting-booked',
  tag: 'replies',
  summary: 'Record a meeting booked from this reply',
  roles: 'owning rep, admin',
});
endpoint({
  method: 'post',
  path: '/replies/:id/not-a-reply',
  tag: 'replies',
  summary: 'Correct the classification: this mail was not a reply',
  roles: 'owning rep, admin',
});
endpoint({
  method: 'get',
  path: '/funnel',
  tag: 'dashboard',
  summary: 'The funnel by signal type, source, rep, template or play for signals detected in a date range',
  roles: 'manager, revops, admin',
  query: DashboardQuery,
  response: z.object({
    from: z.string(),
    to: z.string(),
    dimension: z.enum(DIMENSIONS),
    rows: z.array(FunnelRow),
    total: FunnelRow,
  }),
});

const AccountBody = z.object({
  name: z.string().min(1).max(300),
  domain: z.string().default(''),
  aliases: z.array(z.string()).default([]),
  ownerId: z.number().int().positive().nullable().default(null),
  timeZone: z.string().default(''),
  country: z.string().default(''),
  tags: z.array(z.string()).default([]),
  notes: z.string().max(5000).default(''),
});
const ContactBody = z.object({
  email: z.string(),
  firstName: z.string().default(''),
  lastName: z.string().default(''),
  title: z.string().default(''),
  accountId: z.number().int().positive().nullable().default(null),
  timeZone: z.string().default(''),
  linkedinUrl: z.string().default(''),
  isChampion: z.boolean().default(false),
});
const accountForm = (b: z.infer<typeof AccountBody>) =>
  parseAccountForm({
    name: b.name,
    domain: b.domain,
    aliases: b.aliases.join(';'),
    owner_id: b.ownerId ? String(b.ownerId) : '',
    time_zone: b.timeZone,
    country: b.country,
    tags: b.tags.join(';'),
    notes: b.notes,
  });
const contactForm = (b: z.infer<typeof ContactBody>) =>
  parseContactForm({
    email: b.email,
    first_name: b.firstName,
    last_name: b.lastName,
    title: b.title,
    account_id: b.accountId ? String(b.accountId) : '',
    time_zone: b.timeZone,
    linkedin_url: b.linkedinUrl,
    is_champion: b.isChampion ? '1' : '',
  });
endpoint({
  method: 'put',
  path: '/accounts/:id',
  tag: 'accounts',
  summary: 'Replace an account’s fields (owner, time zone, tags…)',
  roles: 'revops, admin',
  body: AccountBody,
});
endpoint({
  method: 'post',
  path: '/contacts',
  tag: 'accounts',
  summary: 'Create a contact',
  roles: 'revops, admin',
  body: ContactBody,
  status: 201,
});
endpoint({
  method: 'put',
  path: '/contacts/:id',
  tag: 'accounts',
  summary: 'Replace a contact’s fields (email stays)',
  roles: 'revops, admin',
  body: ContactBody,
});

export function settingsApiRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const revops = requireRole('revops');
  const loadSource = async (req: AuthedRequest) => {
    const s = await one(ctx.db, findSource(req.user.workspaceId, intParam(req.params.id) ?? 0));
    if (!s) throw new AppError('NOT_FOUND', 'No such source.');
    return s;
  };

  // GET/POST/PATCH /sources are answered by signals' routes (review-ui/routes/signals-api.ts),
  // which never return a source's sealed secret; only "test" lives here.
  r.post('/sources/:id/test', revops, async (req, res) => {
    res.json(await testSource(ctx, await loadSource(req)));
  });

  r.put('/accounts/:id', revops, async (req, res, user) => {
    const input = accountForm(parseInput(AccountBody, req.body));
    const a = await one(ctx.db, updateAccount(user.workspaceId, intParam(req.params.id) ?? 0, input)).catch((e) =>
      accountTaken(ctx.db, user.workspaceId, input.domain, e),
    );
    if (!a) throw new AppError('NOT_FOUND', 'No such account.');
    res.json(a);
  });
  r.post('/contacts', revops, async (req, res, user) => {
    const input = contactForm(parseInput(ContactBody, req.body));
    const c = await one(ctx.db, insertContact(user.workspaceId, input)).catch((e) =>
      contactTaken(ctx.db, user.workspaceId, input.email, e),
    );
    res.status(201).json(c);
  });
  r.put('/contacts/:id', revops, async (req, res, user) => {
    const c = await one(ctx.db, findContact(user.workspaceId, intParam(req.params.id) ?? 0));
    if (!c) throw new AppError('NOT_FOUND', 'No such contact.');
    res.json(
      await one(
        ctx.db,
        updateContact(c.id, {
          ...contactForm({ ...parseInput(ContactBody, req.body), email: c.email }),
          previousCompany: null,
        }),
      ),
    );
  });

  r.get('/templates', revops, async (req, res, user) => {
    res.json({ items: await run(ctx.db, listAllTemplates(user.workspaceId)) });
  });
  r.post('/templates', revops, async (req, res, user) => {
    res.status(201).json(await saveTemplate(ctx, user.workspaceId, user.id, undefined, templateFromJson(req.body)));
  });
  r.put('/templates/:id', revops, async (req, res, user) => {
    res.json(
      await saveTemplate(ctx, user.workspaceId, user.id, intParam(req.params.id) ?? 0, templateFromJson(req.body)),
    );
  });

  r.get('/replies', async (req, res, user) => {
    const page = intParam(req.query.page) ?? 1;
    const rows = await run(ctx.db, listReplies(user.workspaceId, queueViewer(user), ['reply'], 50, (page - 1) * 50));
    res.json({ page, total: rows[0]?.total ?? 0, items: rows.map(({ total: _t, ...x }) => x) });
  });
  r.post('/replies/:id/meeting-booked', async (req, res, user) => {
    await recordMeeting(ctx, user, intParam(req.params.id) ?? 0);
    res.json({ id: intParam(req.params.id), meetingBooked: true });
  });
  r.post('/replies/:id/not-a-reply', async (req, res, user) => {
    await recordNotReply(ctx, user, intParam(req.params.id) ?? 0);
    res.json({ id: intParam(req.params.id), classification: 'other' });
  });

  r.get('/funnel', requireRole('manager', 'revops'), async (req, res, user) => {
    const q = parseInput(DashboardQuery, req.query);
    const range = dateRange(q, user.timeZone);
    const { rows, total } = await loadFunnel(ctx, user.workspaceId, range.from, range.to, q.dim, crmFilterOf(q));
    res.json({ from: range.fromDay, to: range.toDay, dimension: q.dim, rows, total });
  });
  return r.router;
}
