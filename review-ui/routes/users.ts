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
import { page } from '../layout.js';
import { usersPage } from '../views/users.js';
import { addUser } from '../auth/users.js';
import { auditRequest } from '../audit.js';
import { clip, issues } from '../../zod-message.js';
import { answerRefused } from '../error-handler.js';
import { refusedForm, type Refused } from '../views/refused.js';

const NewUser = z.object({
  email: z.email(),
  name: z.string().trim().max(200).default(''),
  role: z.enum(ROLES as [string, ...string[]]),
});

export function userRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  // RevOps manage users and roles; only an admin grants, changes or removes the admin role.
  r.use('/users', requireRole('revops'));
  const assignable = (req: AuthedRequest) => (req.user.role === 'admin' ? ROLES : ROLES.filter((x) => x !== 'admin'));
  const render = async (
    req: AuthedRequest,
    added?: { email: string; password: string },
    refused?: Refused & { userId?: number },
  ) => {
    const users = await run(ctx.db, listUsers(req.user.workspaceId));
    return page(req, 'Users', usersPage(req, users, assignable(req), added, refused));
  };
  r.get('/users', async (req, res) => {
    res.type('html').send(await render(req));
  });
  r.post('/users', async (req, res, user) => {
    const parsed = NewUser.safeParse(req.body ?? {});
    if (!parsed.success)
      return answerRefused(ctx.log, req, res, new AppError('VALIDATION', issues(parsed.error)), (why) =>
        render(req, undefined, refusedForm(req, 'The user was not added', why, 'add-user')),
      );
    if (parsed.data.role === 'admin' && user.role !== 'admin')
      throw new AppError('FORBIDDEN', 'Only an admin can add an admin.');
    const { password } = await addUser(ctx.db, {
      workspaceId: user.workspaceId,
      ...parsed.data,
      role: parsed.data.role as UserRow['role'],
      actorId: user.id,
    });
    res.type('html').send(await render(req, { email: parsed.data.email, password }));
  });
  r.post('/users/:id', async (req, res, user) => {
    const id = Number.parseInt(String(req.params.id), 10) || 0;
    const role = z.enum(ROLES as [string, ...string[]]).safeParse(req.body?.role);
    const tz = String(req.body?.time_zone ?? 'UTC').trim();
    const wrong = !role.success
      ? `Role must be one of ${ROLES.join(', ')}`
      : !isTimeZone(tz)
        ? `Time zone must be an IANA name like Europe/Berlin, not "${clip(tz)}"`
        : undefined;
    if (wrong || !role.success)
      return answerRefused(ctx.log, req, res, new AppError('VALIDATION', wrong ?? ''), (why) =>
        render(req, undefined, { ...refusedForm(req, 'The user was not changed', why, `user-${id}`), userId: id }),
      );
    const disabled = !!req.body?.disabled;
    if (user.role !== 'admin') {
      const target = await one(ctx.db, findUser(user.workspaceId, id));
      if (target?.role === 'admin' || role.data === 'admin')
        throw new AppError('FORBIDDEN', 'Only an admin can change an admin or grant the admin role.');
    }
    await ctx.db.transaction(async (tx) => {
      const u = await one(tx, updateUserRole(user.workspaceId, id, role.data, tz, disabled));
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
