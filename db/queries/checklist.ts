// The first-run checklist: each step read from the workspace's own data, so it ticks itself off.
import type { Sql } from '../types.js';

export interface ChecklistRow {
  demo: boolean;
  mailbox: boolean;
  accounts: boolean;
  source: boolean;
  rep: boolean;
  playbook: boolean;
}

export const firstRunState = (workspaceId: number): Sql<ChecklistRow> => ({
  text: `SELECT coalesce((w.settings->>'demo') = 'true', false) AS demo,
                EXISTS (SELECT 1 FROM mailboxes m WHERE m.workspace_id = w.id AND m.kind <> 'outbox') AS mailbox,
                EXISTS (SELECT 1 FROM accounts a WHERE a.workspace_id = w.id) AS accounts,
                EXISTS (SELECT 1 FROM signal_sources s WHERE s.workspace_id = w.id) AS source,
                EXISTS (SELECT 1 FROM users u WHERE u.workspace_id = w.id AND u.role = 'rep' AND u.disabled_at IS NULL) AS rep,
                coalesce(nullif(trim(w.settings->'playbook'->>'company'), ''),
                         nullif(trim(w.settings->'playbook'->>'whoWeAre'), '')) IS NOT NULL AS playbook
           FROM workspaces w WHERE w.id = $1`,
  values: [workspaceId],
});
