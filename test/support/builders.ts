// Small builders for test inputs: a workspace with one user per role, an account and a contact.
import type { Database } from '../../db/index.js';
import { one } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import { insertContact } from '../../db/queries/contacts.js';
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

/** An account of the workspace's rep, in UTC, through the app's own insert. */
export async function buildAccount(db: Database, ws: TestWorkspace, name: string, domain: string) {
  const a = { name, domain, aliases: [], ownerId: ws.users.rep.id, timeZone: 'UTC', country: null, tags: [] };
  return (await one(db, insertAccount(ws.id, a)))!;
}

/** A contact at an account, with no time zone, LinkedIn page or champion flag of its own. */
export async function buildContact(
  db: Database,
  ws: TestWorkspace,
  c: { accountId: number; firstName: string; lastName: string; email: string; title: string },
) {
  return (await one(db, insertContact(ws.id, { ...c, timeZone: null, linkedinUrl: null, isChampion: false })))!;
}
