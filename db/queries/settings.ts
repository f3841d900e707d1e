// RevOps settings: account and contact edits, import mapping, templates,
// users and workspace settings. Every statement is scoped to a workspace.
import type { Sql } from '../types.js';
import type { AccountInput, AccountRow } from './accounts.js';
import type { SequenceTemplateRow } from './templates.js';
import type { UserRow } from './users.js';
import type { WorkspaceRow } from './workspaces.js';

export const updateAccount = (
  workspaceId: number,
  id: number,
  a: AccountInput & { notes: string },
): Sql<AccountRow> => ({
  text: `UPDATE accounts SET name = $3, domain = $4, aliases = $5, owner_id = $6, time_zone = $7, country = $8,
                           tags = $9, notes = $10, updated_at = now()
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [workspaceId, id, a.name, a.domain, a.aliases, a.ownerId, a.timeZone, a.country, a.tags, a.notes],
});

export const accountChoices = (workspaceId: number): Sql<Pick<AccountRow, 'id' | 'name' | 'domain'>> => ({
  text: `SELECT id, name, domain FROM accounts WHERE workspace_id = $1 ORDER BY lower(name), id LIMIT 2000`,
  values: [workspaceId],
});

export const setImportMapping = (
  workspaceId: number,
  id: number,
  mapping: Record<string, string>,
  emptyCells: 'keep' | 'clear',
): Sql<{ id: number }> => ({
  text: `UPDATE imports SET mapping = $3, empty_cells = $4
          WHERE workspace_id = $1 AND id = $2 AND status = 'queued' RETURNING id`,
  values: [workspaceId, id, JSON.stringify(mapping), emptyCells],
});

export const listAllTemplates = (workspaceId: number): Sql<SequenceTemplateRow> => ({
  text: `SELECT * FROM sequence_templates WHERE workspace_id = $1 ORDER BY archived_at NULLS FIRST, is_default DESC, lower(name), id`,
  values: [workspaceId],
});

export const findTemplate = (workspaceId: number, id: number): Sql<SequenceTemplateRow> => ({
  text: `SELECT * FROM sequence_templates WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, id],
});

export const clearDefaultTemplate = (workspaceId: number, exceptId: number): Sql => ({
  text: `UPDATE sequence_templates SET is_default = false WHERE workspace_id = $1 AND id <> $2 AND is_default`,
  values: [workspaceId, exceptId],
});

export const updateUserRole = (
  workspaceId: number,
  id: number,
  role: string,
  timeZone: string,
  disabled: boolean,
): Sql<UserRow> => ({
  text: `UPDATE users SET role = $3, time_zone = $4,
                disabled_at = CASE WHEN $5 THEN coalesce(disabled_at, now()) ELSE NULL END
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [workspaceId, id, role, timeZone, disabled],
});

export const countAdmins = (workspaceId: number): Sql<{ n: number }> => ({
  text: `SELECT count(*)::int AS n FROM users WHERE workspace_id = $1 AND role = 'admin' AND disabled_at IS NULL`,
  values: [workspaceId],
});

export const updateWorkspaceSettings = (
  workspaceId: number,
  name: string,
  settings: Record<string, unknown>,
): Sql<WorkspaceRow> => ({
  text: `UPDATE workspaces SET name = $2, settings = settings || $3::jsonb WHERE id = $1 RETURNING *`,
  values: [workspaceId, name, JSON.stringify(settings)],
});

/** Once only: the caller that gets the row enqueues the job. */
export const markImportStarted = (workspaceId: number, id: number): Sql<{ id: number }> => ({
  text: `UPDATE imports SET started_at = now() WHERE workspace_id = $1 AND id = $2 AND started_at IS NULL
           AND status = 'queued' RETURNING id`,
  values: [workspaceId, id],
});
