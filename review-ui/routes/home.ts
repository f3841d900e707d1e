import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { listOAuthMailboxes } from '../../db/queries/mailbox-oauth.js';
import { workspaceCounts } from '../../db/queries/workspaces.js';
import { authedRouter } from '../authed.js';
import { page } from '../layout.js';
import { homePage } from '../views/home.js';
import { firstRunChecklist } from './checklist.js';

export function homeRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.get('/', async (req, res, user) => {
    const c = (await one(ctx.db, workspaceCounts(user.workspaceId)))!;
    // Mailboxes whose sign-in the provider refused: the rep's own (RevOps and admins: all).
    const all = ['admin', 'revops'].includes(user.role);
    const broken = (await run(ctx.db, listOAuthMailboxes(user.workspaceId, all ? null : user.id))).filter(
      (m) => m.consent_error,
    );
    const checklist = await firstRunChecklist(ctx, req);
    res.type('html').send(
      page(
        req,
        'Home',
        homePage({
          broken,
          checklist,
          who: user.name || user.email,
          embedded: ctx.config.embedded,
          llm: !!ctx.config.anthropic.apiKey,
          c,
        }),
      ),
    );
  });
  return r.router;
}
