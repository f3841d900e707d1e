// A user's own access: the change-password form, an admin's reset result (the one-time password, shown
// once) and the API tokens page (a new token, shown once). Pure: the user and rows in.
import type { ApiTokenRow } from '../../db/queries/sessions.js';
import type { AuthedRequest } from '../authed.js';
import { inZone } from '../format.js';
import { html, type Html, thead } from '../html.js';
import { csrfField } from '../layout.js';

export interface PasswordFormState {
  error?: string;
  done?: { sessions: number; tokens: number };
}

export function changePasswordForm(req: AuthedRequest, opts: PasswordFormState): Html {
  const forced = req.user.mustChangePassword;
  return html`${
      forced ? html`<p class="flash" role="status">Your password was reset. Choose a new one to continue.</p>` : ''
    }
    ${
      opts.done
        ? html`<p class="flash ok" role="status">
            Password changed. Your other sessions have ended (${opts.done.sessions}), and your API tokens are revoked
            (${opts.done.tokens}): create new ones on <a href="/tokens">API tokens</a>.
          </p>`
        : ''
    }
    ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
    <form method="post" action="/password" class="stack">
      ${csrfField(req)}
      <input type="text" name="username" autocomplete="username" value="${req.user.email}" hidden />
      <label
        >${forced ? 'One-time password' : 'Current password'}
        <input name="current" type="password" autocomplete="current-password" required
      /></label>
      <label
        >New password (at least 12 characters)
        <input name="password" type="password" autocomplete="new-password" minlength="12" required
      /></label>
      <label
        >Repeat the new password <input name="confirm" type="password" autocomplete="new-password" required
      /></label>
      <button type="submit">Change password</button>
    </form>`;
}

export function passwordResetDone(email: string, password: string, ended: { sessions: number; tokens: number }): Html {
  return html`<p class="flash ok" role="status">
      One-time password for ${email}: <code>${password}</code> — shown once; pass it on securely. ${email} must choose a
      new password at the next login; their sessions have ended (${ended.sessions}) and their API tokens are revoked
      (${ended.tokens}).
    </p>
    <p><a href="/users">Back to users</a></p>`;
}

export function apiTokensPage(req: AuthedRequest, rows: ApiTokenRow[], created?: string): Html {
  const tz = req.user.timeZone;
  const when = (d: Date | null, none: string) => (d ? inZone(d, tz) : none);
  return html`${
      created
        ? html`<p class="flash ok" role="status">New token (shown once, copy it now): <code>${created}</code></p>`
        : ''
    }
    <form method="post" action="/tokens" class="stack">
      ${csrfField(req)}
      <label>Name <input name="name" required maxlength="100" /></label>
      <label
        >Scope
        <select name="scope">
          <option value="full">Full (read and change)</option>
          <option value="read">Read-only</option>
        </select></label
      >
      <label>Expires after (days, empty: never) <input name="expiresInDays" type="number" min="1" max="3660" /></label>
      <button type="submit">Create token</button>
    </form>
    <table>
      ${thead('Name', 'Scope', 'Created', 'Last used', 'Expires', '')}
      <tbody>
        ${rows.map(
          (t) =>
            html`<tr data-token="${t.id}">
              <td>${t.name}</td>
              <td>${t.scope === 'read' ? 'read-only' : 'full'}</td>
              <td>${when(t.created_at, '')}</td>
              <td>${when(t.last_used_at, 'never')}</td>
              <td>${when(t.expires_at, 'never')}</td>
              <td>
                ${
                  t.revoked_at
                    ? `revoked ${inZone(t.revoked_at, tz)}`
                    : html`<form method="post" action="/tokens/${t.id}/revoke">
                        ${csrfField(req)}<button type="submit" class="secondary">Revoke</button>
                      </form>`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}
