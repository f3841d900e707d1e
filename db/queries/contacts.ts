import type { Sql } from '../types.js';

export interface ContactRow {
  id: number;
  workspace_id: number;
  account_id: number | null;
  first_name: string;
  last_name: string;
  email: string;
  title: string;
  time_zone: string | null;
  linkedin_url: string | null;
  status: 'active' | 'replied' | 'bounced' | 'unsubscribed' | 'undeliverable' | 'do_not_contact';
  status_reason: string | null;
  is_champion: boolean;
  previous_company: string | null;
  last_contacted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface ContactInput {
  accountId: number | null;
  firstName: string;
  lastName: string;
  email: string;
  title: string;
  timeZone: string | null;
  linkedinUrl: string | null;
  isChampion: boolean;
}

export const findContact = (workspaceId: number, id: number): Sql<ContactRow> => ({
  text: `SELECT * FROM contacts WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, id],
});

export const findContactByEmail = (
  workspaceId: number,
  email: string,
): Sql<ContactRow & { account_name: string | null; account_domain: string | null }> => ({
  text: `SELECT c.*, a.name AS account_name, a.domain AS account_domain
           FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id
          WHERE c.workspace_id = $1 AND lower(c.email) = lower($2)`,
  values: [workspaceId, email],
});

export const insertContact = (workspaceId: number, c: ContactInput): Sql<ContactRow> => ({
  text: `INSERT INTO contacts (workspace_id, account_id, first_name, last_name, email, title, time_zone, linkedin_url, is_champion)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
  values: [
    workspaceId,
    c.accountId,
    c.firstName,
    c.lastName,
    c.email,
    c.title,
    c.timeZone,
    c.linkedinUrl,
    c.isChampion,
  ],
});

/** Many new contacts at once (a CRM sync page), distinct addresses; returns id and lower(email). */
export const insertContacts = (workspaceId: number, rows: ContactInput[]): Sql<{ id: number; email: string }> => ({
  text: `INSERT INTO contacts (workspace_id, account_id, first_name, last_name, email, title, time_zone, linkedin_url, is_champion)
         SELECT $1, a, f, l, e, t, tz, li, ch
           FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[])
                AS u(a, f, l, e, t, tz, li, ch)
         RETURNING id::int AS id, lower(email) AS email`,
  values: [
    workspaceId,
    rows.map((r) => r.accountId),
    rows.map((r) => r.firstName),
    rows.map((r) => r.lastName),
    rows.map((r) => r.email),
    rows.map((r) => r.title),
    rows.map((r) => r.timeZone),
    rows.map((r) => r.linkedinUrl),
    rows.map((r) => r.isChampion),
  ],
});

const updateValues = (id: number, c: ContactInput & { previousCompany?: string | null }) => [
  id,
  c.accountId,
  c.firstName,
  c.lastName,
  c.title,
  c.timeZone,
  c.linkedinUrl,
  c.isChampion,
  c.previousCompany ?? null,
];

export const updateContact = (id: number, c: ContactInput & { previousCompany?: string | null }): Sql<ContactRow> => ({
  text: `UPDATE contacts SET account_id = $2, first_name = $3, last_name = $4, title = $5,
                time_zone = coalesce($6, time_zone), linkedin_url = coalesce($7, linkedin_url),
                is_champion = $8, previous_company = coalesce($9, previous_company), updated_at = now()
          WHERE id = $1 RETURNING *`,
  values: updateValues(id, c),
});

/** A re-import's result: every field as planned (empty cells already resolved to keep or clear). */
export const updateContactImported = (
  id: number,
  c: ContactInput & { previousCompany: string | null },
): Sql<ContactRow> => ({
  text: `UPDATE contacts SET account_id = $2, first_name = $3, last_name = $4, title = $5, time_zone = $6,
                linkedin_url = $7, is_champion = $8, previous_company = coalesce($9, previous_company), updated_at = now()
          WHERE id = $1 RETURNING *`,
  values: updateValues(id, c),
});

/** A change to a contact's field; `handled` records it as processed already (a change a webhook reported). */
export const insertContactChange = (
  contactId: number,
  field: string,
  oldValue: string | null,
  newValue: string | null,
  source: string,
  handled = false,
): Sql => ({
  text: `INSERT INTO contact_changes (contact_id, field, old_value, new_value, source, processed_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END)`,
  values: [contactId, field, oldValue, newValue, source, handled],
});

/** A contact in the list: with its account's name and the total of the search. */
export type ContactListRow = ContactRow & { account_name: string | null; total: number };

export const listContacts = (
  workspaceId: number,
  opts: { q?: string; accountId?: number; limit: number; offset: number },
): Sql<ContactListRow> => ({
  text: `SELECT c.*, a.name AS account_name, count(*) OVER ()::int AS total
           FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id
          WHERE c.workspace_id = $1
            AND ($2::bigint IS NULL OR c.account_id = $2)
            AND ($3::text IS NULL OR c.email ILIKE '%' || $3 || '%'
                 OR (c.first_name || ' ' || c.last_name) ILIKE '%' || $3 || '%' OR c.title ILIKE '%' || $3 || '%')
          ORDER BY lower(c.last_name), lower(c.first_name), c.id
          LIMIT $4 OFFSET $5`,
  values: [workspaceId, opts.accountId ?? null, opts.q || null, opts.limit, opts.offset],
});

export const contactEmail = (id: number): Sql<{ email: string }> => ({
  text: 'SELECT email FROM contacts WHERE id = $1',
  values: [id],
});
