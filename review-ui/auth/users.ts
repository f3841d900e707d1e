import type { Database } from '../../db/index.js';
import { one, run } from '../../db/index.js';
import { countUsers, insertUser, type Role, type UserRow } from '../../db/queries/users.js';
import { firstWorkspace, insertWorkspace, type WorkspaceRow } from '../../db/queries/workspaces.js';
import { AppError } from '../../errors.js';
import { auditRequest } from '../audit.js';
import { DEFAULT_TEMPLATE } from '../../demo/data.js';
import { insertTemplateRow } from '../../db/queries/templates.js';
import { seedDefaultPlays } from '../../plays/service.js';
import { generatePassword, hashPassword } from './passwords.js';

/** Creates a user with a generated one-time password, returned once and never stored in clear. */
export async function addUser(
  db: Database,
  u: {
    workspaceId: number;
    email: string;
    name?: string;
    role: Role;
    timeZone?: string;
    actorId?: number | null;
    password?: string;
  },
): Promise<{ user: UserRow; password: string }> {
  const password = u.password ?? generatePassword();
  try {
    const user = (await one(
      db,
      insertUser({
        workspaceId: u.workspaceId,
        email: u.email,
        name: u.name ?? '',
        role: u.role,
        timeZone: u.timeZone,
        passwordHash: await hashPassword(password),
      }),
    ))!;
    await auditRequest(
      db,
      { workspaceId: u.workspaceId, id: u.actorId ?? null },
      'user.created',
      {
        type: 'user',
        id: user.id,
      },
      { email: u.email, role: u.role },
    );
    return { user, password };
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw new AppError('CONFLICT', `A user with email ${u.email} already exists.`, { cause: err });
    throw err;
  }
}

/** The first workspace; a new one starts with the default 5-step template, the default plays, and each step approved on its own. */
export async function ensureWorkspace(db: Database, name = 'My workspace'): Promise<WorkspaceRow> {
  const found = await one(db, firstWorkspace());
  if (found) return found;
  const ws = (await one(db, insertWorkspace(name, { cooldownDays: 30, approvalMode: 'each_step' })))!;
  await run(db, insertTemplateRow(ws.id, DEFAULT_TEMPLATE));
  await seedDefaultPlays(db, ws.id);
  return ws;
}

/**
 * On a database with no users: creates the workspace and an admin, and returns the one-time
 * login so the caller prints it once. Returns undefined when users exist.
 */
export async function bootstrapAdmin(
  db: Database,
  email = 'admin@localhost',
): Promise<{ email: string; password: string } | undefined> {
  const n = (await one(db, countUsers()))!.n;
  if (n > 0) return undefined;
  const ws = await ensureWorkspace(db);
  const { password } = await addUser(db, { workspaceId: ws.id, email, name: 'Admin', role: 'admin' });
  return { email, password };
}
