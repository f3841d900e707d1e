// The dashboard's filter by CRM fields that were mapped (issue 14): every section of the dashboard
// (funnel, reply rates, replies per step, speed, approval per step, edits, hold-out lift) counts only
// what is on accounts that hold the chosen values. The selects are views/dashboard-crm.ts's crmFilterSelects.
import { CRM_FIELDS, type CrmField } from '../../crm/mapping.js';
import type { CrmFilter } from '../../db/queries/dashboard.js';

/** The chosen values; null when none is chosen. */
export function crmFilterOf(q: Partial<Record<CrmField, string>>): CrmFilter {
  const chosen = CRM_FIELDS.flatMap((k) => (q[k] ? [[k, q[k]] as const] : []));
  return chosen.length ? Object.fromEntries(chosen) : null;
}
