// Google and Microsoft mailboxes: "Connect Google / Microsoft" (any signed-in user connects their
// own mailbox; it becomes theirs), the provider's callback, and disconnect. Reps see their own;
// admins and RevOps see and may disconnect all. Consent errors show on each mailbox.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { listOAuthMailboxes } from '../../db/queries/mailbox-oauth.js';
import { listMailboxRows } from '../../db/queries/mailboxes.js';
import { AppError } from '../../errors.js';
import { removeTokens } from '../../mailboxes/oauth/connection.js';
import { finishConnect, revokeAtProvider, startConnect } from '../../mailboxes/oauth/flow.js';
import { CALLBACK_PATH, PROVIDERS, isConfigured } from '../../mailboxes/oauth/providers.js';
import type { OAuthProvider } from '../../mailboxes/oauth-types.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { auditRequest } from '../audit.js';
import { intParam } from '../format.js';
import { page } from '../layout.js';
import { oauthMailboxesPage } from '../views/mailboxes-oauth.js';

/** Drops the stored tokens (the mailbox pauses) and revokes the grant at the provider when it can. */
export async function disconnectOAuth(ctx: AppContext, id: number): Promise<boolean> {
  const removed = await removeTokens(ctx, id);
  if (!removed?.refreshToken || !isConfigured(ctx.config, removed.provider)) return false;
  try {
    return await revokeAtProvider(ctx, removed.provider, removed.refreshToken);
  } catch (err) {
    // The tokens are gone here either way; the provider keeps the grant until it expires.
    ctx.log.warn({ mailboxId: id, code: (err as { code?: string }).code }, 'mailbox.oauth.revoke_failed');
    return false;
  }
}

const seesAll = (req: AuthedRequest) => ['admin', 'revops'].includes(req.user.role);

export function mailboxOAuthRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const audit = (req: Request, action: string, id: number, data: Record<string, unknown> = {}) =>
    auditRequest(ctx.db, req, action, { type: 'mailbox', id }, data);
  const visible = (req: AuthedRequest) =>
    run(ctx.db, listOAuthMailboxes(req.user.workspaceId, seesAll(req) ? null : req.user.id));
  const starter = (req: AuthedRequest) => {
    if (!req.sessionId)
      throw new AppError('FORBIDDEN', 'Connecting a mailbox needs a browser session, not an API token.');
    return { sessionId: req.sessionId, workspaceId: req.user.workspaceId, userId: req.user.id };
  };

  r.get('/mailboxes', async (req, res, user) => {
    const rows = await visible(req);
    const done =
      typeof req.query.connected === 'string' ? rows.find((m) => String(m.id) === req.query.connected) : undefined;
    const deleted = typeof req.query.deleted === 'string' ? req.query.deleted.slice(0, 300) : '';
    // SMTP and local-outbox mailboxes are set up under Settings; their own rep edits or deletes them from here.
    const own = (await run(ctx.db, listMailboxRows(user.workspaceId))).filter(
      (m) => m.user_id === user.id && ['smtp', 'outbox'].includes(m.kind),
    );
    res.type('html').send(
      page(
        req,
        'Mailboxes',
        oauthMailboxesPage(req, {
          rows,
          own,
          done,
          deleted,
          configured: PROVIDERS.filter((p) => isConfigured(ctx.config, p)),
        }),
      ),
    );
  });

  r.post('/mailboxes/connect/:provider', async (req, res) => {
    const provider = z.enum(PROVIDERS as [OAuthProvider, ...OAuthProvider[]]).safeParse(req.params.provider);
    if (!provider.success || !isConfigured(ctx.config, provider.data)) {
      throw new AppError('NOT_FOUND', 'That sign-in provider is not configured.');
    }
    const transport = req.body?.transport === 'api' ? 'api' : 'smtp';
    const url = await startConnect(ctx, starter(req), provider.data, transport);
    res.redirect(303, url.href);
  });

  r.get(CALLBACK_PATH, async (req, res) => {
    const q = req.originalUrl.indexOf('?');
    const done = await finishConnect(ctx, starter(req), q < 0 ? '' : req.originalUrl.slice(q + 1));
    await audit(req, done.created ? 'mailbox.oauth_connected' : 'mailbox.oauth_reconnected', done.mailboxId, {
      provider: done.provider,
      email: done.email,
    });
    res.redirect(303, `/mailboxes?connected=${done.mailboxId}`);
  });

  r.post('/mailboxes/:id/disconnect', async (req, res) => {
    const id = intParam(req.params.id) ?? 0;
    const m = (await visible(req)).find((x) => x.id === id);
    if (!m) throw new AppError('NOT_FOUND', 'No such mailbox.');
    const revoked = await disconnectOAuth(ctx, id);
    await audit(req, 'mailbox.oauth_disconnected', id, { revoked });
    res.redirect(303, '/mailboxes');
  });
  return r.router;
}
