// The dashboard's filter by CRM fields that were mapped (issue 14): a select per field (segment,
// industry) listing the values the CRM sync stored, and every section of the dashboard (funnel, reply
// rates, replies per step, speed, approval per step, edits, hold-out lift) counting only what is on
// accounts that hold the chosen values. Fields nobody mapped (no values stored) show no select.
import type { AppContext } from '../../context.js';
import { CRM_FIELDS, type CrmField } from '../../crm/mapping.js';
import { run } from '../../db/index.js';
import { crmFieldValues, type CrmFieldValueRow } from '../../db/queries/crm-fields.js';
import type { CrmFilter } from '../../db/queries/dashboard.js';
import { html, type Html } from '../html.js';

export const CRM_FIELD_LABEL: Record<CrmField, string> = { segment: 'Segment', industry: 'Industry' };

/** The chosen values; null when none is chosen. */
export function crmFilterOf(q: Partial<Record<CrmField, string>>): CrmFilter {
  const chosen = CRM_FIELDS.flatMap((k) => (q[k] ? [[k, q[k]] as const] : []));
  return chosen.length ? Object.fromEntries(chosen) : null;
}

/** A select per field that has values, and the line saying what the funnel is filtered to. */
export async function crmFilterControls(
  ctx: Pick<AppContext, 'db'>,
  workspaceId: number,
  q: Partial<Record<CrmField, string>>,
): Promise<{ selects: Html; note: Html }> {
  const values = await run<CrmFieldValueRow>(ctx.db, crmFieldValues(workspaceId));
  const selects = CRM_FIELDS.map((k) => {
    const mine = values.filter((v) => v.field === k);
    // A chosen value no account holds any more stays choosable, so the page says what it filters by.
    if (q[k] && !mine.some((v) => v.value === q[k])) mine.push({ field: k, value: q[k], accounts: 0 });
    if (!mine.length) return '';
    return html`<label
      >${CRM_FIELD_LABEL[k]} (CRM)
      <select name="${k}">
        <option value="">Any</option>
        ${mine.map(
          (v) =>
            html`<option value="${v.value}" ${q[k] === v.value ? html`selected` : ''}>
              ${v.value} (${v.accounts} accounts)
            </option>`,
        )}
      </select></label
    >`;
  });
  const filter = crmFilterOf(q);
  const note = filter
    ? html`<p class="muted" id="crm-filter-note">
        Every section below counts only signals and sequences on accounts whose CRM
        ${Object.entries(filter)
          .map(([k, v]) => `${CRM_FIELD_LABEL[k as CrmField].toLowerCase()} is ${v}`)
          .join(' and ')}.
      </p>`
    : html``;
  return { selects: html`${selects}`, note };
}
