import type { Sql } from '../types.js';

/** True when nothing but (at most) a bootstrap admin exists: safe to add the demo workspace. */
export const databaseIsEmpty = (): Sql<{ empty: boolean }> => ({
  text: `SELECT (SELECT count(*) FROM accounts) = 0 AND (SELECT count(*) FROM users) = 0 AS empty`,
  values: [],
});

/** Whether any workspace is the demo's (its routes answer only then). */
export const demoWorkspaceExists = (): Sql<{ ok: boolean }> => ({
  text: `SELECT EXISTS (SELECT 1 FROM workspaces WHERE settings->>'demo' = 'true') AS ok`,
  values: [],
});
