// Small builders for test inputs: a workspace with one user per role.
import type { Database } from '../../db/index.js';
import { one } from '../../db/index.js';
import type { Role } from '../../db/queries/users.js';
import { insertWorkspace } from '../../db/queries/workspaces.js';
import { addUser } from '../../review-ui/auth/users.js';

export interface TestWorkspace {
  id: number;
  users: Record<Role, { id: number; email: string; password: string }>;
}

export async function buildWorkspace(
  db: Database,
  tag = Math.random().toString(36).slice(2, 8),
): Promise<TestWorkspace> {
  const ws = (await one(db, insertWorkspace(`ws-${tag}`)))!;
  const users = {} as TestWorkspace['users'];
  for (const role of ['admin', 'revops', 'manager', 'rep'] as Role[]) {
    const email = `${role}-${tag}@test.example`;
    const { user, password } = await addUser(db, { workspaceId: ws.id, email, role, name: role });
    users[role] = { id: user.id, email, password };
  }
  return { id: ws.id, users };
}
