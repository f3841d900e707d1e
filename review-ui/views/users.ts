// Users: the list with role, time zone, access and last login, the add form, and a new user's one-time
// password, shown once. Pure: user rows in.
import type { UserRow } from '../../db/queries/users.js';
import type { AuthedRequest } from '../authed.js';
import { html, type Html, thead } from '../html.js';
import { csrfField } from '../layout.js';
import { formValues, type Refused } from './refused.js';
import { since } from './time.js';

export function usersPage(
  req: AuthedRequest,
  users: UserRow[],
  assignable: readonly string[],
  added?: { email: string; password: string },
  /** A refused form: the add form (no `userId`) or one user's row, shown again as it was sent. */
  refused?: Refused & { userId?: number },
): Html {
  const sentTo = (id?: number) => formValues(refused && refused.userId === id ? refused.sent : undefined);
  const add = sentTo(undefined);
  return html`${refused?.why ?? ''}${
      added
        ? html`<p class="flash ok" role="status">
            Added ${added.email}. One-time password: <code>${added.password}</code> — shown once; pass it on securely.
          </p>`
        : ''
    }
    <table>
      ${thead('Email', 'Name', 'Role, time zone, access', 'Last login')}
      <tbody>
        ${users.map((u) => {
          const f = sentTo(u.id);
          return html`<tr id="user-${u.id}">
            <td>${u.email}</td>
            <td>${u.name}</td>
            <td>
              ${
                u.role === 'admin' && req.user.role !== 'admin'
                  ? html`admin · ${u.time_zone}${u.disabled_at ? ' · disabled' : ''}`
                  : html`<form method="post" action="/users/${u.id}" class="row-actions">
                      ${csrfField(req)} <label class="sr-only" for="role-${u.id}">Role</label
                      ><select id="role-${u.id}" name="role">
                        ${assignable.map((x) => html`<option ${f.chosen('role', x, u.role === x) ? html`selected` : ''}>${x}</option>`)}
                      </select>
                      <label class="sr-only" for="tz-${u.id}">Time zone</label
                      ><input id="tz-${u.id}" name="time_zone" value="${f.text('time_zone', u.time_zone)}" size="16" />
                      ${f.checkbox('disabled', !!u.disabled_at, 'disabled')}
                      <button type="submit" class="secondary">Save</button>
                    </form>`
              }
            </td>
            <td>
              last login ${since(u.last_login_at, req.user.timeZone, new Date())}
              ${
                u.id !== req.user.id && (u.role !== 'admin' || req.user.role === 'admin')
                  ? html`<form method="post" action="/users/${u.id}/password" class="row-actions">
                      ${csrfField(req)}<button type="submit" class="secondary">Reset password</button>
                    </form>`
                  : ''
              }
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
    <h2>Add a user</h2>
    <form method="post" action="/users" class="stack" id="add-user">
      ${csrfField(req)}
      <label>Email <input name="email" type="email" required value="${add.text('email', '')}" /></label>
      <label>Name <input name="name" value="${add.text('name', '')}" /></label>
      <label
        >Role
        <select name="role">
          ${assignable.map((x) => html`<option ${add.chosen('role', x, false) ? html`selected` : ''}>${x}</option>`)}
        </select></label
      >
      <button type="submit">Add user</button>
    </form>`;
}
