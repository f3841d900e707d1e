import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { listUsers, ROLES, type UserRow } from '../../db/queries/users.js';
import { AppError } from '../../errors.js';
import { requireRole } from '../auth/roles.js';
import { html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { addUser } from '../auth/users.js';

const NewUser = z.object({
  email: z.email('a valid email address'),
  name: z.string().trim().max(200).default(''),
  role: z.enum(ROLES as [string, ...string[]]),
});

export function userRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use('/users', requireRole());
  const render = async (req: Parameters<Parameters<typeof r.get>[1]>[0], extra = html``) => {
    const users = await run<UserRow>(ctx.db, listUsers(req.user!.workspaceId));
    return page(req, 'Users', html`${extra}
      <table><thead><tr><th>Email</th><th>Name</th><th>Role</th><th>Last login</th></tr></thead><tbody>
      ${users.map((u) => html`<tr><td>${u.email}</td><td>${u.name}</td><td>${u.role}</td><td>${u.last_login_at ? u.last_login_at.toISOString() : 'never'}</td></tr>`)}
      </tbody></table>
      <h2>Add a user</h2>
      <form method="post" action="/users" class="stack">${csrfField(req)}
        <label>Email <input name="email" type="email" required></label>
        <label>Name <input name="name"></label>
        <label>Role <select name="role">${ROLES.map((x) => html`<option>${x}</option>`)}</select></label>
        <button type="submit">Add user</button>
      </form>`);
  };
  r.get('/users', async (req, res) => {
    res.type('html').send(await render(req));
  });
  r.post('/users', async (req, res) => {
    const parsed = NewUser.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('VALIDATION', parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '));
    const { password } = await addUser(ctx.db, { workspaceId: req.user!.workspaceId, ...parsed.data, role: parsed.data.role as UserRow['role'], actorId: req.user!.id });
    res.type('html').send(await render(req, html`<p class="flash ok" role="status">Added ${parsed.data.email}. One-time password: <code>${password}</code> — shown once; pass it on securely.</p>`));
  });
  return r;
}
