// The Mailboxes page: the Google and Microsoft mailboxes the viewer sees, with the Connect buttons (also on
// Settings → Mailboxes). Pure: rows and what the viewer may do in.
import type { Request } from 'express';
import type { OAuthMailboxRow } from '../../db/queries/mailbox-oauth.js';
import type { MailboxRow } from '../../db/queries/sending.js';
import { PROVIDER_NAMES } from '../../mailboxes/oauth/providers.js';
import type { OAuthProvider } from '../../mailboxes/oauth-types.js';
import type { AuthedRequest } from '../authed.js';
import { inZone } from '../format.js';
import { html, safeUrl, type Html, thead } from '../html.js';
import { csrfField } from '../layout.js';
import { deletedFlash } from './mailbox-delete.js';

/** The Connect buttons for the configured providers, each with the transport choice. */
export function connectButtons(req: Request, configured: OAuthProvider[]): Html {
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

export interface OAuthMailboxesView {
  rows: OAuthMailboxRow[];
  /** The viewer's own SMTP and local-outbox mailboxes. */
  own: (MailboxRow & { owner_email: string | null })[];
  /** Just connected. */
  done?: OAuthMailboxRow;
  /** The address of a mailbox just deleted. */
  deleted: string;
  configured: OAuthProvider[];
}

/** The Mailboxes page: Google and Microsoft mailboxes the viewer sees, with Connect buttons. */
export function oauthMailboxesPage(req: AuthedRequest, v: OAuthMailboxesView): Html {
  const { rows, own, done, deleted } = v;
  const tz = req.user.timeZone;
  const all = ['admin', 'revops'].includes(req.user.role);
  return html`${done ? html`<p class="card" role="status">Connected ${done.from_email}.</p>` : ''}
    ${deletedFlash(deleted)}
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
      ${thead('Mailbox', 'Provider', all && 'Rep', 'State', 'Connected', 'Actions')}
      <tbody>
        ${rows.map(
          (m) =>
            html`<tr data-mailbox="${m.id}">
              <td>${m.from_name} &lt;${m.from_email}&gt;</td>
              <td>${PROVIDER_NAMES[m.provider]} · ${m.oauth_transport === 'api' ? 'API' : 'SMTP + IMAP'}</td>
              ${all ? html`<td>${m.owner_email ?? '—'}</td>` : ''}
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
    ${connectButtons(req, v.configured)}
    ${
      v.configured.length
        ? ''
        : html`<p class="muted">
            Neither Google nor Microsoft sign-in is configured on this server (see the README, “Google and Microsoft
            mailboxes”).
          </p>`
    }`;
}
