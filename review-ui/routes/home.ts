import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { workspaceCounts } from '../../db/queries/workspaces.js';
import { html, safeUrl } from '../html.js';
import { page } from '../layout.js';

export function homeRoutes(ctx: AppContext): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const c = (await one<Record<string, number>>(ctx.db, workspaceCounts(req.user!.workspaceId)))!;
    const card = (label: string, n: number, href?: string) =>
      html`<div class="card">
        ${href ? html`<a href="${safeUrl(href)}"><b>${n}</b></a>` : html`<b>${n}</b>`}${label}
      </div>`;
    res.type('html').send(
      page(
        req,
        'Home',
        html` <p class="muted">
            Signed in as ${req.user!.name || req.user!.email}.
            ${ctx.config.embedded ? 'Running on the embedded database.' : ''}
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
  return r;
}
