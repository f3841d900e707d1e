import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { listOAuthMailboxes } from '../../db/queries/mailbox-oauth.js';
import { workspaceCounts } from '../../db/queries/workspaces.js';
import { authedRouter } from '../authed.js';
import { html, safeUrl } from '../html.js';
import { page } from '../layout.js';
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
    const card = (label: string, n: number, href?: string) =>
      html`<div class="card">
        ${href ? html`<a href="${safeUrl(href)}"><b>${n}</b></a>` : html`<b>${n}</b>`}${label}
      </div>`;
    res.type('html').send(
      page(
        req,
        'Home',
        html`${
            broken.length
              ? html`<section class="card" role="alert" aria-label="Mailboxes to reconnect">
                  ${broken.map(
                    (m) =>
                      html`<p class="bad">
                        ${m.from_email} is paused: ${m.consent_error}.
                        <a href="/mailboxes">Reconnect on the Mailboxes page</a>; its due steps wait until then.
                      </p>`,
                  )}
                </section>`
              : ''
          }
          ${checklist}
          <p class="muted">
            Signed in as ${user.name || user.email}. ${ctx.config.embedded ? 'Running on the embedded database.' : ''}
            ${ctx.config.anthropic.apiKey ? '' : 'No ANTHROPIC_API_KEY: drafts are written by the offline drafter.'}
          </p>
          <section class="cards" aria-label="Workspace">
            ${card('drafts waiting for review', c.pending_review!, '/queue')}
            ${card('active sequences', c.active_sequences!)} ${card('signals', c.signals!)}
            ${card('accounts', c.accounts!, '/accounts')} ${card('contacts', c.contacts!, '/contacts')}
            ${card('users', c.users!)}
          </section>`,
      ),
    );
  });
  return r.router;
}
