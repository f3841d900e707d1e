// A person a rep emailed, to create in the CRM (issue 14, the workspace's create_contacts setting).
import type { Sql } from '../types.js';

export interface ContactToCreateRow {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  title: string;
  time_zone: string | null;
  company_external_id: string | null;
}

/** The contact and its account's CRM company id (when the CRM knows the account). */
export const contactToCreate = (workspaceId: number, kind: string, contactId: number): Sql<ContactToCreateRow> => ({
  text: `SELECT c.id::int AS id, c.email, c.first_name, c.last_name, c.title, c.time_zone,
                (SELECT x.external_id FROM crm_external_ids x
                  WHERE x.workspace_id = c.workspace_id AND x.kind = $2 AND x.object = 'company'
                    AND x.local_id = c.account_id AND x.merged_into IS NULL AND x.deleted_at IS NULL
                  ORDER BY x.id LIMIT 1) AS company_external_id
           FROM contacts c WHERE c.workspace_id = $1 AND c.id = $3`,
  values: [workspaceId, kind, contactId],
});
