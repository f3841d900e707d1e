// Google and Microsoft mailboxes: "Connect Google / Microsoft" (any signed-in user connects their
// own mailbox; it becomes theirs), the provider's callback, and disconnect. Reps see their own;
// admins and RevOps see and may disconnect all. Consent errors show on each mailbox.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { listOAuthMailboxes, type OAuthMailboxRow } from '../../db/queries/mailbox-oauth.js';
import { listMailboxRows } from '../../db/queries/mailboxes.js';
import { AppError } from '../../errors.js';
import { removeTokens } from '../../mailboxes/oauth/connection.js';
import { finishConnect, revokeAtProvider, startConnect } from '../../mailboxes/oauth/flow.js';
import { CALLBACK_PATH, PROVIDERS, PROVIDER_NAMES, isConfigured } from '../../mailboxes/oauth/providers.js';
import type { OAuthProvider } from '../../mailboxes/oauth-types.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { auditRequest } from '../audit.js';
import { inZone, intParam } from '../format.js';
import { html, safeUrl, type Html } from '../html.js';
import { csrfField, page } from '../layout.js';

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

/** The Connect buttons for the configured providers, each with the transport choice. */
export function connectButtons(ctx: Pick<AppContext, 'config'>, req: Request): Html {
  const configured = PROVIDERS.filter((p) => isConfigured(ctx.config, p));
  if (!configured.length) return html``;
  return html`<section class="card" aria-label="Connect a mailbox">
    <h2>Connect your mailbox</h2>
    <p class="muted">Sign in at the provider; the mailbox's address comes from your account there and becomes yours.</p>
    ${configured.map(
      (p) =>
        html`<form method="post" action="${safeUrl(`/mailboxes/connect/${p}`)}" class="row-actions">
          ${csrfField(req)}
          <label
            >${PROVIDER_NAMES[p]}: send and read with
            <select name="transport">
              <option value="smtp" selected>SMTP + IMAP (recommended)</option>
              <option value="api">
                ${p === 'google' ? 'Gmail API' : 'Microsoft Graph'} (where SMTP is switched off)
              </option>
            </select></label
          >
          <button type="submit">Connect ${PROVIDER_NAMES[p]}</button>
        </form>`,
    )}
  </section>`;
}

/** One line on a mailbox's state, in words. */
export function oauthState(m: Pick<OAuthMailboxRow, 'consent_error' | 'paused_at' | 'pause_reason' | 'connected'>) {
  if (m.consent_error) return html`<span class="bad">${m.consent_error}</span>`;
  if (m.paused_at) return html`<span class="bad">paused: ${m.pause_reason ?? 'no reason given'}</span>`;
  return m.connected ? 'connected, sending' : 'disconnected';
}

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
    const tz = user.timeZone;
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
        html`${done ? html`<p class="card" role="status">Connected ${done.from_email}.</p>` : ''}
          ${deleted ? html`<p class="flash ok" role="status">Deleted ${deleted}.</p>` : ''}
          ${
            own.length
              ? html`<h2>Your SMTP mailboxes</h2>
                  <ul class="own-mailboxes">
                    ${own.map(
                      (m) =>
                        html`<li>
                          <a href="${safeUrl(`/settings/mailboxes/${m.id}`)}">${m.from_name} &lt;${m.from_email}&gt;</a>
                          · ${m.paused_at ? html`<span class="bad">paused: ${m.pause_reason ?? ''}</span>` : 'sending'}
                        </li>`,
                    )}
                  </ul>`
              : ''
          }
          <table>
            <thead>
              <tr>
                <th>Mailbox</th>
                <th>Provider</th>
                ${seesAll(req) ? html`<th>Rep</th>` : ''}
                <th>State</th>
                <th>Connected</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (m) =>
                  html`<tr data-mailbox="${m.id}">
                    <td>${m.from_name} &lt;${m.from_email}&gt;</td>
                    <td>${PROVIDER_NAMES[m.provider]} · ${m.oauth_transport === 'api' ? 'API' : 'SMTP + IMAP'}</td>
                    ${seesAll(req) ? html`<td>${m.owner_email ?? '—'}</td>` : ''}
                    <td>${oauthState(m)}</td>
                    <td>${inZone(m.connected_at, tz)}</td>
                    <td class="row-actions">
                      ${
                        m.connected
                          ? html`<form method="post" action="/mailboxes/${m.id}/disconnect">
                              ${csrfField(req)}<button type="submit" class="secondary">Disconnect</button>
                            </form>`
                          : ''
                      }
                      <a href="${safeUrl(`/settings/mailboxes/${m.id}/delete`)}" class="button secondary">Delete…</a>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
          ${rows.length ? '' : html`<p class="empty">No Google or Microsoft mailbox connected yet.</p>`}
          ${connectButtons(ctx, req)}
          ${
            PROVIDERS.some((p) => isConfigured(ctx.config, p))
              ? ''
              : html`<p class="muted">
                  Neither Google nor Microsoft sign-in is configured on this server (see the README, “Google and
                  Microsoft mailboxes”).
                </p>`
          }`,
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
