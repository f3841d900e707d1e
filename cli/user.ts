import type { AdminReply } from '../db/data-dir-lock.js';
import type { AppContext } from '../context.js';
import type { Role } from '../db/queries/users.js';
import { isAppError } from '../errors.js';
import { ensureWorkspace, addUser } from '../review-ui/auth/users.js';

export interface UserAddArgs {
  email: string;
  role: Role;
  name: string;
}

export async function userAdd(ctx: Pick<AppContext, 'db'>, o: UserAddArgs): Promise<AdminReply> {
  try {
    const ws = await ensureWorkspace(ctx.db);
    const { user, password } = await addUser(ctx.db, {
      workspaceId: ws.id,
      email: o.email,
      name: o.name,
      role: o.role,
    });
    return { stdout: `added ${user.email} (${user.role})\none-time password: ${password}\n`, stderr: '', exitCode: 0 };
  } catch (err) {
    if (isAppError(err, 'CONFLICT')) return { stdout: '', stderr: `prospector: ${err.message}\n`, exitCode: 1 };
    throw err;
  }
}
