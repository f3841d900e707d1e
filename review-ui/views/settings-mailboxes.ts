// Settings → Mailboxes: the Connect buttons, the table of mailboxes, each mailbox's inbound-mail webhook and
// the add form. Pure: rows and what the viewer may do in.
import type { Request } from 'express';
import type { MailboxRow } from '../../db/queries/sending.js';
import type { OAuthProvider } from '../../mailboxes/oauth-types.js';
import type { InboundSecretView } from '../../sequencing/inbound-secret.js';
import { html, type Html, thead } from '../html.js';
import { csrfField } from '../layout.js';
import type { SentForm } from './refused.js';
import { mailboxForm, mailboxTable } from './mailboxes.js';
import { connectButtons } from './mailboxes-oauth.js';

/**
 * Each mailbox's inbound-mail webhook URL and secret (admins only: the route passes none to anyone else). The
 * secret is a credential: inside a closed <details> so it is not on the screen until asked for.
 */
function inboundSecretSection(req: Request, views: InboundSecretView[]): Html | string {
  if (!views.length) return '';
  return html`<h2 id="inbound-webhook">Inbound-mail webhook</h2>
    <p class="muted">
      A provider that forwards replies as raw MIME posts them to the URL, signed with the secret:
      <code>X-Prospector-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</code>.
    </p>
    <table>
      ${thead('Mailbox', 'URL', 'Secret', 'Rotate')}
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

/** Settings → Mailboxes: Connect buttons, the table, the inbound webhook section and the add form. */
export function mailboxSettingsPage(
  req: Request,
  v: {
    rows: (MailboxRow & { owner_email: string | null })[];
    configured: OAuthProvider[];
    inbound: InboundSecretView[];
    owners: Parameters<typeof mailboxForm>[2];
  },
  extra: Html | string = '',
  /** The add form refused: its fields as they were sent. */
  sent?: SentForm,
): Html {
  return html`${extra} ${connectButtons(req, v.configured)} ${mailboxTable(req, v.rows, req.user!.timeZone)}
    ${inboundSecretSection(req, v.inbound)}
    <h2>Add a mailbox</h2>
    ${mailboxForm(req, undefined, v.owners, sent)}`;
}
