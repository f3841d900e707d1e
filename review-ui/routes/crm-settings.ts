// Settings → CRM, the settings form (issue 14): the company and contact field mapping, which
// companies to sync, the hold-out rules and whether to create CRM contacts; its parser, which
// refuses a bad property name or filter in words; and the dry-run preview shown after "Save and
// preview". The routes are in crm.ts.
import type { Request } from 'express';
import {
  COMPANY_FIELDS,
  CONTACT_FIELDS,
  MappingInput,
  RulesInput,
  TargetFilterInput,
  effectiveFilter,
  effectiveRules,
  type FullMapping,
} from '../../crm/mapping.js';
import { describeChange } from '../../accounts/import-plan.js';
import { CRM_NAMES, type CrmKind } from '../../crm/provider.js';
import { SoqlFilterError, fieldEqualsClause, safeWhereClause } from '../../crm/salesforce/soql-filter.js';
import type { SyncInResult } from '../../crm/sync-in.js';
import type { CrmConnectionRow } from '../../db/queries/crm.js';
import { AppError } from '../../errors.js';
import { html, type Html } from '../html.js';
import { csrfField } from '../layout.js';

const str = (b: Record<string, unknown>, k: string) => (typeof b[k] === 'string' ? b[k] : '');
const list = (s: string) =>
  s
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

const COMPANY_LABELS: Record<(typeof COMPANY_FIELDS)[number], string> = {
  name: 'Name',
  domain: 'Domain',
  owner: 'Owner',
  country: 'Country',
  timeZone: 'Time zone',
  tags: 'Tags',
  segment: 'Segment',
  industry: 'Industry',
};
const CONTACT_LABELS: Record<(typeof CONTACT_FIELDS)[number], string> = {
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  title: 'Title',
  owner: 'Owner',
  timeZone: 'Time zone',
  country: 'Country',
  sequenceStatus: 'Sequence status (written to)',
};

const ACTION_WORDS = { new: 'new', changed: 'would change', fail: 'would fail' } as const;

/** Each record that would be new, change (field old → new) or fail (why), like the CSV import's preview. */
function recordTable(r: SyncInResult): Html {
  const list = r.summary.records;
  const unchanged = r.summary.companies.unchanged + r.summary.contacts.unchanged;
  if (!list?.total) return html`<p>No record would change (${unchanged} unchanged).</p>`;
  return html`<p class="muted">
      ${list.shown.length < list.total ? `The first ${list.shown.length} of ` : 'All '}${list.total} records that would
      be new, change or fail; ${unchanged} unchanged are not listed.
    </p>
    <table class="crm-preview-records">
      <thead>
        <tr>
          <th>Record</th>
          <th>Result</th>
          <th>What changes</th>
        </tr>
      </thead>
      <tbody>
        ${list.shown.map(
          (x) =>
            html`<tr class="${x.action === 'fail' ? 'bad' : ''}" data-record="${x.object}:${x.key}">
              <td>${x.object} ${x.label}</td>
              <td>${ACTION_WORDS[x.action]}</td>
              <td>${x.error ?? x.changes.map((c) => html`<div>${describeChange(c)}</div>`)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function previewBlock(r: SyncInResult): Html {
  const s = r.summary;
  const line = (name: string, c: typeof s.companies) =>
    html`<li>
      ${name}: ${c.read} read, ${c.created} would be created, ${c.updated} would change, ${c.unchanged} unchanged,
      ${c.deleted} deleted, ${c.merged} merged, ${c.failed} failed
    </li>`;
  return html`<section class="card crm-preview" aria-label="Preview" role="status">
    <h2>Preview (dry run, nothing written)</h2>
    <p>Result: ${r.status}${r.error ? ` — ${r.error}` : ''}</p>
    <ul>
      ${line('Companies', s.companies)} ${line('Contacts', s.contacts)}
      <li>Deals: ${s.deals}; CRM opt-outs: ${s.optOuts}; removed in the CRM: ${s.removed}</li>
    </ul>
    ${recordTable(r)}
  </section>`;
}

export function settingsForm(req: Request, c: CrmConnectionRow, m: FullMapping): Html {
  const f = effectiveFilter(c.target_filter);
  const rules = effectiveRules(c.rules);
  const sf = c.kind === 'salesforce';
  const opt = (v: string, label: string) =>
    html`<option value="${v}" ${f.type === v ? 'selected' : ''}>${label}</option>`;
  return html`<form method="post" action="/settings/crm/settings" class="wide crm-settings">
    ${csrfField(req)}
    <h2>Field mapping</h2>
    <p class="muted">
      The ${CRM_NAMES[c.kind]} property that feeds each field; empty: not mapped. Owner: empty takes the record's own
      owner; a property holds a ${CRM_NAMES[c.kind]} user id. Owners are matched to Prospector users by email.
    </p>
    <fieldset class="crm-mapping" data-object="company">
      <legend>Companies → accounts</legend>
      ${COMPANY_FIELDS.map(
        (k) =>
          html`<label
            >${COMPANY_LABELS[k]} <input name="company.${k}" value="${m.company[k]}" maxlength="100"
          /></label>`,
      )}
      <p class="muted">Segment and industry are kept to filter the dashboard's funnel by.</p>
    </fieldset>
    <fieldset class="crm-mapping" data-object="contact">
      <legend>Contacts</legend>
      ${CONTACT_FIELDS.map(
        (k) =>
          html`<label
            >${CONTACT_LABELS[k]} <input name="contact.${k}" value="${m.contact[k]}" maxlength="100"
          /></label>`,
      )}
      <p class="muted">
        A contact with no time zone of its own takes its country's when the country has one. Its owner becomes its
        account's owner when the account has none.
      </p>
    </fieldset>
    <h2>Which companies to sync</h2>
    <label
      >Filter
      <select name="filter.type">
        ${opt('all', 'All companies')}
        ${opt('property', sf ? 'A field (checkbox) equals a value' : 'A property equals a value')}
        ${opt('list', sf ? 'A list view' : 'A list')} ${sf ? opt('where', 'A SOQL where-clause') : ''}
      </select></label
    >
    <label>Property / field <input name="filter.property" value="${f.property ?? ''}" maxlength="100" /></label>
    <label
      >Value (list id, value${sf ? ', or where-clause' : ''})
      <input name="filter.value" value="${f.value ?? ''}" maxlength="500"
    /></label>
    <h2>Hold-out rules</h2>
    <label
      >Open deal stages that hold an account out (comma-separated)
      <input name="rules.heldStages" value="${rules.heldStages.join(', ')}"
    /></label>
    <label
      >Deal types that hold an account out (comma-separated)
      <input name="rules.heldTypes" value="${rules.heldTypes.join(', ')}"
    /></label>
    <label
      ><input type="checkbox" name="rules.holdCustomers" value="1" ${rules.holdCustomers ? 'checked' : ''} /> Hold out
      customers</label
    >
    <label
      ><input type="checkbox" name="createContacts" value="1" ${c.create_contacts ? 'checked' : ''} /> Create a
      ${CRM_NAMES[c.kind]} contact for a person a rep emails who is not in ${CRM_NAMES[c.kind]} yet</label
    >
    <p>
      <button type="submit" name="action" value="save">Save</button>
      <button type="submit" name="action" value="preview" class="secondary">Save and preview</button>
    </p>
  </form>`;
}

/** Parses the settings form; a bad field or filter is a VALIDATION error in words. */
export function parseSettings(kind: CrmKind, b: Record<string, unknown>) {
  const mapping = MappingInput.safeParse({
    company: Object.fromEntries(COMPANY_FIELDS.map((k) => [k, str(b, `company.${k}`)])),
    contact: Object.fromEntries(CONTACT_FIELDS.map((k) => [k, str(b, `contact.${k}`)])),
  });
  if (!mapping.success) {
    const issue = mapping.error.issues[0]!;
    throw new AppError(
      'VALIDATION',
      `Mapping: ${issue.message}, not "${String(b[issue.path.join('.')] ?? '')}" (${issue.path.join('.')})`,
    );
  }
  if (!mapping.data.company.name && !mapping.data.company.domain)
    throw new AppError('VALIDATION', 'Mapping: a company needs the property for its name or its domain');
  const filter = TargetFilterInput.safeParse({
    type: str(b, 'filter.type') || 'all',
    property: str(b, 'filter.property') || undefined,
    value: str(b, 'filter.value') || undefined,
  });
  if (!filter.success) throw new AppError('VALIDATION', `Filter: ${filter.error.issues[0]!.message}`);
  const t = filter.data;
  if (t.type === 'where' && kind !== 'salesforce')
    throw new AppError('VALIDATION', 'A where-clause filter is for Salesforce only');
  if ((t.type === 'property' && !t.property) || ((t.type === 'list' || t.type === 'where') && !t.value))
    throw new AppError('VALIDATION', 'Filter: say which property and value, list, or where-clause');
  if (kind === 'salesforce') {
    try {
      if (t.type === 'where') safeWhereClause(t.value!);
      if (t.type === 'property') fieldEqualsClause(t.property!, t.value);
    } catch (err) {
      if (err instanceof SoqlFilterError) throw new AppError('VALIDATION', `Filter refused: ${err.message}`);
      throw err;
    }
  }
  const rules = RulesInput.parse({
    heldStages: list(str(b, 'rules.heldStages')),
    heldTypes: list(str(b, 'rules.heldTypes')),
    holdCustomers: b['rules.holdCustomers'] === '1',
  });
  return { mapping: mapping.data, targetFilter: t, rules, createContacts: b.createContacts === '1' };
}
