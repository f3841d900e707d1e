// JSON API. Every route needs a session (with CSRF on writes) or a Bearer token.
import express, { Router } from 'express';
import { z } from 'zod';
import { createImport } from '../../accounts/import.js';
import { AccountRowInput } from '../../accounts/csv-rows.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertAccount, listAccounts } from '../../db/queries/accounts.js';
import { listContacts } from '../../db/queries/contacts.js';
import { findImport } from '../../db/queries/imports.js';
import { AppError } from '../../errors.js';
import { authedRouter } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { pageParams, pagedJson } from '../layout.js';
import { endpoint, parseInput } from '../openapi.js';
import { MAX_IMPORT_BYTES } from './accounts.js';
import { reviewApiRoutes } from './api-review.js';
import { settingsApiRoutes } from './api-settings.js';
import { startImport } from './settings-imports.js';
import { accountTaken } from './settings-accounts.js';

/** `?mapping={"email":"Work Email"}`: field → CSV header, as the UI's column mapper sends it. */
function parseMapping(s: string): Record<string, string> {
  const r = z.record(z.string(), z.string()).safeParse(
    (() => {
      try {
        return JSON.parse(s);
      } catch {
        return null;
      }
    })(),
  );
  if (!r.success) throw new AppError('VALIDATION', 'mapping: a JSON object of field → CSV header');
  return r.data;
}

const NewAccount = z.object({
  name: z.string().trim().min(1, 'name is required').max(300),
  domain: z.string().default(''),
  aliases: z.array(z.string()).default([]),
  timeZone: z.string().default(''),
  country: z.string().default(''),
  tags: z.array(z.string()).default([]),
});

const Page = z.object({
  q: z.string().optional(),
  page: z.number().int().positive().optional(),
  perPage: z.number().int().min(1).max(500).optional(),
});
endpoint({ method: 'get', path: '/me', tag: 'auth', summary: 'Who the caller is' });
endpoint({ method: 'get', path: '/accounts', tag: 'accounts', summary: 'Accounts, searched and paged', query: Page });
endpoint({
  method: 'post',
  path: '/accounts',
  tag: 'accounts',
  summary: 'Create an account',
  roles: 'revops, admin',
  body: NewAccount,
  status: 201,
});
endpoint({ method: 'get', path: '/contacts', tag: 'accounts', summary: 'Contacts, searched and paged', query: Page });
endpoint({
  method: 'post',
  path: '/imports/:kind',
  tag: 'imports',
  summary: 'Import accounts or contacts from a CSV body; poll the returned import',
  roles: 'revops, admin',
  query: z.object({
    filename: z.string().optional(),
    mapping: z.string().optional().describe('JSON object: field → CSV header (the column mapping)'),
  }),
  body: z.string().describe('The CSV file'),
  bodyContentType: 'text/csv',
  status: 202,
  response: z.object({ id: z.number(), status: z.string(), totalRows: z.number(), poll: z.string() }),
});
endpoint({
  method: 'get',
  path: '/imports/:id',
  tag: 'imports',
  summary: 'An import with its progress and per-row errors',
  roles: 'revops, admin',
});

export function apiRoutes(ctx: AppContext): Router {
  const r = authedRouter();

  r.get('/me', (req, res) => {
    res.json({ user: req.user, auth: req.authKind });
  });

  r.get('/accounts', async (req, res, user) => {
    const p = pageParams(req.query, Math.min(500, Number(req.query.perPage) || 50));
    const rows = await run(
      ctx.db,
      listAccounts(user.workspaceId, { q: String(req.query.q ?? ''), limit: p.perPage, offset: p.offset }),
    );
    res.json(pagedJson(p, rows));
  });

  r.post('/accounts', requireRole('revops'), async (req, res, user) => {
    const body = parseInput(NewAccount, req.body ?? {});
    const v = parseInput(AccountRowInput, {
      name: body.name,
      domain: body.domain,
      aliases: body.aliases.join(';'),
      owner: '',
      time_zone: body.timeZone,
      country: body.country,
      tags: body.tags.join(';'),
    });
    // A domain another account has: the unique index refuses it, worded as the account form words it.
    const a = await one(
      ctx.db,
      insertAccount(user.workspaceId, {
        name: v.name,
        domain: v.domain,
        aliases: v.aliases,
        ownerId: null,
        timeZone: v.time_zone,
        country: v.country,
        tags: v.tags,
      }),
    ).catch((e: unknown) => accountTaken(ctx.db, user.workspaceId, v.domain, e));
    res.status(201).json(a);
  });

  r.get('/contacts', async (req, res, user) => {
    const p = pageParams(req.query, Math.min(500, Number(req.query.perPage) || 50));
    const rows = await run(
      ctx.db,
      listContacts(user.workspaceId, { q: String(req.query.q ?? ''), limit: p.perPage, offset: p.offset }),
    );
    res.json(pagedJson(p, rows));
  });

  // Body: the CSV itself (Content-Type: text/csv). Answers 202 with the import to poll.
  r.post(
    '/imports/:kind',
    requireRole('revops'),
    express.text({ type: ['text/csv', 'text/plain'], limit: MAX_IMPORT_BYTES }),
    async (req, res, user) => {
      const kind = req.params.kind;
      if (kind !== 'accounts' && kind !== 'contacts')
        throw new AppError('NOT_FOUND', 'Import kind must be accounts or contacts.');
      if (typeof req.body !== 'string' || !req.body.trim())
        throw new AppError('VALIDATION', 'Send the CSV as the request body with Content-Type: text/csv.');
      const mapping = req.query.mapping ? parseMapping(String(req.query.mapping)) : {};
      const emptyCells = req.query.emptyCells === undefined ? 'keep' : String(req.query.emptyCells);
      if (emptyCells !== 'keep' && emptyCells !== 'clear')
        throw new AppError('VALIDATION', 'emptyCells must be keep (the default) or clear.');
      const imp = await createImport(ctx.db, {
        workspaceId: user.workspaceId,
        kind,
        content: req.body,
        filename: String(req.query.filename ?? 'api.csv'),
        userId: user.id,
        mapping,
        emptyCells,
      });
      await startImport(ctx, user.workspaceId, imp.id, user.id);
      res
        .status(202)
        .json({ id: imp.id, status: imp.status, totalRows: imp.total_rows, poll: `/api/imports/${imp.id}` });
    },
  );

  r.get('/imports/:id', requireRole('revops'), async (req, res, user) => {
    const imp = await one(ctx.db, findImport(user.workspaceId, Number.parseInt(req.params.id as string, 10) || 0));
    if (!imp) throw new AppError('NOT_FOUND', 'No such import.');
    const { content: _c, ...rest } = imp;
    res.json(rest);
  });

  r.use(reviewApiRoutes(ctx));
  r.use(settingsApiRoutes(ctx));

  r.use(() => {
    throw new AppError('NOT_FOUND', 'No such API route.');
  });
  return r.router;
}
