// The dashboard's CRM filter: a select per mapped CRM field, and the line saying what every section counts.
import type { CrmField } from '../../crm/mapping.js';
import { CRM_FIELDS } from '../../crm/mapping.js';
import type { CrmFieldValueRow } from '../../db/queries/crm-fields.js';
import type { CrmFilter } from '../../db/queries/dashboard.js';
import { html, type Html } from '../html.js';

export const CRM_FIELD_LABEL: Record<CrmField, string> = { segment: 'Segment', industry: 'Industry' };

export type CrmChoice = Partial<Record<CrmField, string>>;

/** A select per CRM field that has values (fields nobody mapped show none). */
export function crmFilterSelects(values: CrmFieldValueRow[], q: CrmChoice): Html {
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
  return html`${selects}`;
}

/** The line saying what every section is filtered to; empty when nothing is chosen. */
export function crmFilterNote(filter: CrmFilter): Html {
  return filter
    ? html`<p class="muted" id="crm-filter-note">
        Every section below counts only signals and sequences on accounts whose CRM
        ${Object.entries(filter)
          .map(([k, v]) => `${CRM_FIELD_LABEL[k as CrmField].toLowerCase()} is ${v}`)
          .join(' and ')}.
      </p>`
    : html``;
}
