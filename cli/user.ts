import type { Role } from '../db/queries/users.js';
import { isAppError } from '../errors.js';
import { ensureWorkspace, addUser } from '../review-ui/auth/users.js';
import { openContext } from './context.js';

export async function userAddCommand(o: { email: string; role: Role; name: string }): Promise<void> {
  const ctx = await openContext({ boss: false });
  try {
    const ws = await ensureWorkspace(ctx.db);
    const { user, password } = await addUser(ctx.db, {
      workspaceId: ws.id,
      email: o.email,
      name: o.name,
      role: o.role,
    });
    process.stdout.write(`added ${user.email} (${user.role})\none-time password: ${password}\n`);
  } catch (err) {
    if (isAppError(err, 'CONFLICT')) {
      process.stderr.write(`prospector: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    await ctx.close();
  }
}
