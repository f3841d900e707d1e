import type { Sql } from '../types.js';

export interface AccountRow {
  id: number;
  workspace_id: number;
  name: string;
  domain: string | null;
  aliases: string[];
  owner_id: number | null;
  time_zone: string | null;
  country: string | null;
  tags: string[];
  needs_browser: boolean;
  notes: string;
  created_at: Date;
  updated_at: Date;
}

export interface AccountInput {
  name: string;
  domain: string | null;
  aliases: string[];
  ownerId: number | null;
  timeZone: string | null;
  country: string | null;
  tags: string[];
}

export const insertAccount = (workspaceId: number, a: AccountInput): Sql<AccountRow> => ({
  text: `INSERT INTO accounts (workspace_id, name, domain, aliases, owner_id, time_zone, country, tags)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
  values: [workspaceId, a.name, a.domain, a.aliases, a.ownerId, a.timeZone, a.country, a.tags],
});

/** Many new accounts at once (a CRM sync page), each with its own distinct domain; returns id and domain. */
export const insertAccountsByDomain = (
  workspaceId: number,
  rows: (AccountInput & { domain: string })[],
): Sql<{ id: number; domain: string }> => ({
  text: `INSERT INTO accounts (workspace_id, name, domain, aliases, owner_id, time_zone, country, tags)
         SELECT $1, n, d, '{}', o, tz, c, string_to_array(t, chr(31))
           FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[]) AS u(n, d, o, tz, c, t)
         RETURNING id::int AS id, lower(domain) AS domain`,
  values: [
    workspaceId,
    rows.map((r) => r.name),
    rows.map((r) => r.domain),
    rows.map((r) => r.ownerId),
    rows.map((r) => r.timeZone),
    rows.map((r) => r.country),
    rows.map((r) => r.tags.join('\u001f')),
  ],
});

/** Accounts with no owner take the one given (a CRM contact's owner); an owned account keeps its owner. */
export const fillAccountOwners = (workspaceId: number, accountIds: number[], ownerIds: number[]): Sql => ({
  text: `UPDATE accounts a SET owner_id = u.o, updated_at = now()
           FROM unnest($2::bigint[], $3::bigint[]) AS u(id, o)
          WHERE a.workspace_id = $1 AND a.id = u.id AND a.owner_id IS NULL`,
  values: [workspaceId, accountIds, ownerIds],
});

export const findAccount = (workspaceId: number, id: number): Sql<AccountRow> => ({
  text: `SELECT * FROM accounts WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, id],
});

export const findAccountByDomain = (workspaceId: number, domain: string): Sql<AccountRow> => ({
  text: `SELECT * FROM accounts WHERE workspace_id = $1 AND lower(domain) = lower($2)`,
  values: [workspaceId, domain],
});

/** The account a CSV row updates (by domain, else by name when the row has none), with its owner's email. */
export const findAccountForImport = (
  workspaceId: number,
  domain: string | null,
  name: string,
): Sql<{ id: number; notes: string; owner_email: string | null } & Record<string, unknown>> => ({
  text: `SELECT a.*, u.email AS owner_email FROM accounts a LEFT JOIN users u ON u.id = a.owner_id
          WHERE a.workspace_id = $1
            AND CASE WHEN $2::text IS NULL THEN lower(a.name) = lower($3)
                     ELSE lower(a.domain) = lower($2) END
          ORDER BY a.id LIMIT 1`,
  values: [workspaceId, domain, name],
});

export const findAccountByName = (workspaceId: number, name: string): Sql<AccountRow> => ({
  text: `SELECT * FROM accounts WHERE workspace_id = $1 AND lower(name) = lower($2) ORDER BY id LIMIT 2`,
  values: [workspaceId, name],
});

/** An account in the list: with its owner's email, its number of contacts and the total of the search. */
export type AccountListRow = AccountRow & { owner_email: string | null; total: number; contact_count: number };

/** One page, optional case-insensitive search on name and domain, with the total for paging. */
export const listAccounts = (
  workspaceId: number,
  opts: { q?: string; limit: number; offset: number },
): Sql<AccountListRow> => ({
  text: `SELECT a.*, u.email AS owner_email, count(*) OVER ()::int AS total,
                (SELECT count(*) FROM contacts c WHERE c.account_id = a.id)::int AS contact_count
           FROM accounts a LEFT JOIN users u ON u.id = a.owner_id
          WHERE a.workspace_id = $1
            AND ($2::text IS NULL OR a.name ILIKE '%' || $2 || '%' OR a.domain ILIKE '%' || $2 || '%')
          ORDER BY lower(a.name), a.id
          LIMIT $3 OFFSET $4`,
  values: [workspaceId, opts.q || null, opts.limit, opts.offset],
});
