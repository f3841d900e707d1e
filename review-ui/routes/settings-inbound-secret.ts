// Admin: each mailbox's inbound-mail webhook URL and secret on the mailboxes page, and a "rotate"
// action. The secret is a credential: admins only, inside a closed <details> so it is not on the
// screen until asked for, and rotating needs an explicit confirmation (the old one stops at once).
import { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { inboundSecretViews, rotateInboundSecret } from '../../sequencing/inbound-secret.js';
import { authedRouter } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { html, type Html } from '../html.js';
import { csrfField } from '../layout.js';

/** The section on `/settings/mailboxes`; empty for anyone but an admin. */
export async function inboundSecretSection(ctx: AppContext, req: Request): Promise<Html> {
  if (req.user?.role !== 'admin') return html``;
  const views = await inboundSecretViews(ctx.db, ctx.secrets, ctx.config.publicUrl, req.user.workspaceId);
  if (!views.length) return html``;
  return html`<h2 id="inbound-webhook">Inbound-mail webhook</h2>
    <p class="muted">
      A provider that forwards replies as raw MIME posts them to the URL, signed with the secret:
      <code>X-Prospector-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</code>.
    </p>
    <table>
      <thead>
        <tr>
          <th>Mailbox</th>
          <th>URL</th>
          <th>Secret</th>
          <th>Rotate</th>
        </tr>
      </thead>
      <tbody>
        ${views.map(
          (v) =>
            html`<tr>
              <td>${v.fromEmail}</td>
              <td><input readonly size="40" aria-label="Webhook URL for ${v.fromEmail}" value="${v.url}" /></td>
              <td>
                <details>
                  <summary>Show secret${v.rotated ? '' : ' (derived from APP_SECRET)'}</summary>
                  <input readonly size="44" aria-label="Webhook secret for ${v.fromEmail}" value="${v.secret}" />
                </details>
              </td>
              <td>
                <form method="post" action="/settings/mailboxes/${v.mailboxId}/inbound-secret/rotate">
                  ${csrfField(req)}<label
                    ><input type="checkbox" name="confirm" value="rotate" required /> the old secret stops working
                    now</label
                  ><button type="submit" class="secondary">Rotate</button>
                </form>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function settingsInboundSecretRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.post('/settings/mailboxes/:id/inbound-secret/rotate', requireRole('admin'), async (req, res, user) => {
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'rotate')
      throw new AppError('VALIDATION', 'Tick the box to confirm: the old secret stops working at once.');
    const mailboxId = intParam(req.params.id) ?? 0;
    await rotateInboundSecret(ctx.db, ctx.secrets, {
      workspaceId: user.workspaceId,
      mailboxId,
      userId: user.id,
      ip: req.ip,
    });
    ctx.log.info({ mailboxId, userId: user.id }, 'mailbox.inbound_secret.rotated');
    res.redirect(303, '/settings/mailboxes#inbound-webhook');
  });
  return r.router;
}
