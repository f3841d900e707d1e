import type { Sql } from '../types.js';

export interface WorkspaceRow {
  id: number;
  name: string;
  settings: Record<string, unknown>;
  created_at: Date;
}

export const insertWorkspace = (name: string, settings: Record<string, unknown> = {}): Sql<WorkspaceRow> => ({
  text: `INSERT INTO workspaces (name, settings) VALUES ($1, $2) RETURNING *`,
  values: [name, JSON.stringify(settings)],
});

export const firstWorkspace = (): Sql<WorkspaceRow> => ({
  text: `SELECT * FROM workspaces ORDER BY id LIMIT 1`,
  values: [],
});

export const findWorkspace = (id: number): Sql<WorkspaceRow> => ({
  text: `SELECT * FROM workspaces WHERE id = $1`,
  values: [id],
});

export const workspaceCounts = (workspaceId: number): Sql<Record<string, number>> => ({
  text: `SELECT
           (SELECT count(*) FROM accounts WHERE workspace_id = $1)::int AS accounts,
           (SELECT count(*) FROM contacts WHERE workspace_id = $1)::int AS contacts,
           (SELECT count(*) FROM signals WHERE workspace_id = $1)::int AS signals,
           (SELECT count(*) FROM sequences WHERE workspace_id = $1 AND status = 'pending_review')::int AS pending_review,
           (SELECT count(*) FROM sequences WHERE workspace_id = $1 AND status = 'active')::int AS active_sequences,
           (SELECT count(*) FROM users WHERE workspace_id = $1)::int AS users`,
  values: [workspaceId],
});
