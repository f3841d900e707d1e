// The dashboard's filter by CRM fields that were mapped (issue 14), as SQL every section's query
// shares: the funnel, replies per step, speed per rep, approval per step, edits per prompt version
// and the hold-out lift all count only what is on accounts whose account_crm_fields hold the chosen
// values (migration 0033). A null filter matches everything.

/** Only accounts whose CRM fields hold all of these (account_crm_fields); null: every account. */
export type CrmFilter = Record<string, string> | null;

/** The filter as the jsonb parameter crmAccountMatch reads; null when nothing is chosen. */
export const crmParam = (crm: CrmFilter | undefined): string | null =>
  crm && Object.keys(crm).length ? JSON.stringify(crm) : null;

/** True when parameter $n (crmParam) is null or the account `accountExpr` holds its values. */
export const crmAccountMatch = (accountExpr: string, n: number) =>
  `($${n}::jsonb IS NULL OR EXISTS (SELECT 1 FROM account_crm_fields f
                                    WHERE f.account_id = ${accountExpr} AND f.fields @> $${n}::jsonb))`;
