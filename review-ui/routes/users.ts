import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { countAdmins, updateUserRole } from '../../db/queries/settings.js';
import { isTimeZone } from '../../accounts/normalize.js';
import { findUser, listUsers, ROLES, type UserRow } from '../../db/queries/users.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { addUser } from '../auth/users.js';
import { since } from '../views/time.js';
import { auditRequest } from '../audit.js';

const NewUser = z.object({
  email: z.email('a valid email address'),
  name: z.string().trim().max(200).default(''),
  role: z.enum(ROLES as [string, ...string[]]),
});

export function userRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  // RevOps manage users and roles; only an admin grants, changes or removes the admin role.
  r.use('/users', requireRole('revops'));
  const assignable = (req: AuthedRequest) => (req.user.role === 'admin' ? ROLES : ROLES.filter((x) => x !== 'admin'));
  const render = async (req: AuthedRequest, extra = html``) => {
    const users = await run(ctx.db, listUsers(req.user.workspaceId));
    return page(
      req,
      'Users',
      html`${extra}
        <table>
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role, time zone, access</th>
              <th>Last login</th>
            </tr>
          </thead>
          <tbody>
            ${users.map(
              (u) =>
                html`<tr>
                  <td>${u.email}</td>
                  <td>${u.name}</td>
                  <td>
                    ${
                      u.role === 'admin' && req.user.role !== 'admin'
                        ? html`admin · ${u.time_zone}${u.disabled_at ? ' · disabled' : ''}`
                        : html`<form method="post" action="/users/${u.id}" class="row-actions">
                            ${csrfField(req)} <label class="sr-only" for="role-${u.id}">Role</label
                            ><select id="role-${u.id}" name="role">
                              ${assignable(req).map((x) => html`<option ${u.role === x ? html`selected` : ''}>${x}</option>`)}
                            </select>
                            <label class="sr-only" for="tz-${u.id}">Time zone</label
                            ><input id="tz-${u.id}" name="time_zone" value="${u.time_zone}" size="16" />
                            <label class="check"
                              ><input type="checkbox" name="disabled" value="1" ${u.disabled_at ? html`checked` : ''} />
                              disabled</label
                            >
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
                </tr>`,
            )}
          </tbody>
        </table>
        <h2>Add a user</h2>
        <form method="post" action="/users" class="stack">
          ${csrfField(req)}
          <label>Email <input name="email" type="email" required /></label>
          <label>Name <input name="name" /></label>
          <label
            >Role
            <select name="role">
              ${assignable(req).map((x) => html`<option>${x}</option>`)}
            </select></label
          >
          <button type="submit">Add user</button>
        </form>`,
    );
  };
  r.get('/users', async (req, res) => {
    res.type('html').send(await render(req));
  });
  r.post('/users', async (req, res, user) => {
    const parsed = NewUser.safeParse(req.body ?? {});
    if (!parsed.success)
      throw new AppError('VALIDATION', parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '));
    if (parsed.data.role === 'admin' && user.role !== 'admin')
      throw new AppError('FORBIDDEN', 'Only an admin can add an admin.');
    const { password } = await addUser(ctx.db, {
      workspaceId: user.workspaceId,
      ...parsed.data,
      role: parsed.data.role as UserRow['role'],
      actorId: user.id,
    });
    res
      .type('html')
      .send(
        await render(
          req,
          html`<p class="flash ok" role="status">
            Added ${parsed.data.email}. One-time password: <code>${password}</code> — shown once; pass it on securely.
          </p>`,
        ),
      );
  });
  r.post('/users/:id', async (req, res, user) => {
    const id = Number.parseInt(String(req.params.id), 10) || 0;
    const role = z.enum(ROLES as [string, ...string[]]).safeParse(req.body?.role);
    const tz = String(req.body?.time_zone ?? 'UTC').trim();
    if (!role.success) throw new AppError('VALIDATION', 'role: one of ' + ROLES.join(', '));
    if (!isTimeZone(tz)) throw new AppError('VALIDATION', 'time zone: an IANA name like Europe/Berlin');
    const disabled = !!req.body?.disabled;
    if (user.role !== 'admin') {
      const target = await one(ctx.db, findUser(user.workspaceId, id));
      if (target?.role === 'admin' || role.data === 'admin')
        throw new AppError('FORBIDDEN', 'Only an admin can change an admin or grant the admin role.');
    }
    await ctx.db.transaction(async (tx) => {
      const u = await one<UserRow>(tx, updateUserRole(user.workspaceId, id, role.data, tz, disabled));
      if (!u) throw new AppError('NOT_FOUND', 'No such user.');
      // A workspace never loses its last admin: someone must be able to undo this.
      if ((await one(tx, countAdmins(user.workspaceId)))!.n === 0)
        throw new AppError('CONFLICT', 'This would leave the workspace without an active admin.');
      await auditRequest(tx, req, 'user.updated', { type: 'user', id: id }, { role: role.data, disabled });
    });
    res.redirect(303, '/users');
  });
  return r.router;
}
