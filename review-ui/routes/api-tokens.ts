// API tokens, each user's own: named, with a scope (read-only or full) and an optional expiry;
// listed with when each was last used; revoked from the page or the API. A token is shown once,
// on creation, and only its hash is kept. Created from a browser session only, so a leaked token
// cannot mint more; any of the user's tokens (or the session) may revoke one.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { listApiTokens, revokeApiToken, type ApiTokenRow } from '../../db/queries/sessions.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { createApiToken } from '../auth/api-token.js';
import { intParam } from '../format.js';
import { page } from '../layout.js';
import { apiTokensPage } from '../views/access.js';
import { endpoint, parseInput } from '../openapi.js';

const NewToken = z.object({
  name: z.string().trim().min(1, 'a short label for the token').max(100),
  scope: z.enum(['read', 'full']).default('full'),
  /** Days until it stops working; none (or the form's empty field): until revoked. */
  expiresInDays: z.preprocess(
    (v) => (typeof v === 'string' && !v.trim() ? undefined : v),
    z.coerce.number().int().min(1).max(3660).optional(),
  ),
});

const TokenView = z.object({
  id: z.number(),
  name: z.string(),
  scope: z.enum(['read', 'full']),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

endpoint({
  method: 'get',
  path: '/tokens',
  tag: 'auth',
  summary: "The caller's API tokens with last use",
  response: z.object({ items: z.array(TokenView) }),
});
endpoint({
  method: 'post',
  path: '/tokens',
  tag: 'auth',
  summary: 'Create an API token (from a browser session only); shown once',
  body: NewToken,
  status: 201,
  response: z.object({ token: z.string(), note: z.string() }),
});
endpoint({ method: 'delete', path: '/tokens/:id', tag: 'auth', summary: 'Revoke one of your API tokens' });

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const view = (t: ApiTokenRow) => ({
  id: t.id,
  name: t.name,
  scope: t.scope,
  createdAt: t.created_at.toISOString(),
  lastUsedAt: iso(t.last_used_at),
  expiresAt: iso(t.expires_at),
  revokedAt: iso(t.revoked_at),
});

async function create(ctx: AppContext, req: AuthedRequest): Promise<string> {
  if (req.authKind !== 'session')
    throw new AppError('FORBIDDEN', 'Create API tokens from a logged-in browser session.');
  const b = parseInput(NewToken, req.body ?? {});
  const expiresAt = b.expiresInDays ? new Date(Date.now() + b.expiresInDays * 86_400_000) : null;
  return createApiToken(ctx.db, req.user.id, b.name, { scope: b.scope, expiresAt });
}

async function revoke(ctx: AppContext, req: AuthedRequest): Promise<void> {
  const rows = await run(ctx.db, revokeApiToken(req.user.id, intParam(req.params.id) ?? 0));
  if (!rows.length) throw new AppError('NOT_FOUND', 'You have no such token.');
}

const tokensPage = (req: AuthedRequest, rows: ApiTokenRow[], created?: string) =>
  page(req, 'API tokens', apiTokensPage(req, rows, created));

export function apiTokenRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const mine = (req: AuthedRequest) => run(ctx.db, listApiTokens(req.user.id));

  r.get('/api/tokens', async (req, res) => {
    res.json({ items: (await mine(req)).map(view) });
  });
  r.post('/api/tokens', async (req, res) => {
    const token = await create(ctx, req);
    res.status(201).json({ token, note: 'Shown once. Send it as "Authorization: Bearer <token>".' });
  });
  r.delete('/api/tokens/:id', async (req, res) => {
    await revoke(ctx, req);
    res.status(204).end();
  });

  r.get('/tokens', async (req, res) => {
    res.type('html').send(tokensPage(req, await mine(req)));
  });
  r.post('/tokens', async (req, res) => {
    const token = await create(ctx, req);
    res.type('html').send(tokensPage(req, await mine(req), token));
  });
  r.post('/tokens/:id/revoke', async (req, res) => {
    await revoke(ctx, req);
    res.redirect(303, '/tokens');
  });
  return r.router;
}
