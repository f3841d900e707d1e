// Account fields from the CRM (segment, industry) kept to filter the funnel by (issue 14). The sync
// in is their only writer; the dashboard reads the distinct values for its filter's selects.
import type { Sql } from '../types.js';

interface AccountCrmFieldsRow {
  account_id: number;
  fields: Record<string, string>;
}

export const accountCrmFields = (workspaceId: number, accountIds: number[]): Sql<AccountCrmFieldsRow> => ({
  text: `SELECT account_id::int AS account_id, fields FROM account_crm_fields
          WHERE workspace_id = $1 AND account_id = ANY($2::bigint[])`,
  values: [workspaceId, accountIds],
});

/** One page of accounts at once: `fields` as JSON text, one per account id. */
export const saveAccountCrmFields = (workspaceId: number, accountIds: number[], fields: string[]): Sql => ({
  text: `INSERT INTO account_crm_fields (workspace_id, account_id, fields)
         SELECT $1, a, f::jsonb FROM unnest($2::bigint[], $3::text[]) AS u(a, f)
         ON CONFLICT (account_id) DO UPDATE SET fields = EXCLUDED.fields, updated_at = now()`,
  values: [workspaceId, accountIds, fields],
});

export interface CrmFieldValueRow {
  field: string;
  value: string;
  accounts: number;
}

/** Each field's distinct values with how many accounts hold them (the funnel filter's choices). */
export const crmFieldValues = (workspaceId: number, limit = 1000): Sql<CrmFieldValueRow> => ({
  text: `SELECT e.key AS field, e.value, count(*)::int AS accounts
           FROM account_crm_fields f, jsonb_each_text(f.fields) AS e(key, value)
          WHERE f.workspace_id = $1
          GROUP BY e.key, e.value ORDER BY e.key, e.value LIMIT $2`,
  values: [workspaceId, limit],
});
