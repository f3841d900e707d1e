// Settings → CRM: the connection card with the settings form (field mapping, which companies to sync,
// hold-out rules), the dry-run preview, the sign-in buttons, and the sync status page (last run each
// way, failed records with Retry). Pure: the connection, its runs and failures in.
import type { Request } from 'express';
import { describeChange } from '../../accounts/import-plan.js';
import {
  COMPANY_FIELDS,
  CONTACT_FIELDS,
  effectiveFilter,
  effectiveRules,
  type FullMapping,
} from '../../crm/mapping.js';
import { CRM_NAMES, type CrmKind } from '../../crm/provider.js';
import type { SyncInResult } from '../../crm/sync-in.js';
import type { CrmConnectionRow } from '../../db/queries/crm.js';
import type { CrmFailureRow, CrmRunRow } from '../../db/queries/crm-runs.js';
import type { AuthedRequest } from '../authed.js';
import { inZone } from '../format.js';
import { refusedBanner } from './refused.js';
import { html, safeUrl, type Html, thead } from '../html.js';
import { csrfField } from '../layout.js';

function runsTable(runs: CrmRunRow[], tz: string | null): Html {
  if (!runs.length) return html`<p class="empty">No sync has run yet.</p>`;
  return html`<table class="crm-runs">
    ${thead('Direction', 'Status', 'Started', 'Read', 'Written', 'Failed', 'Error')}
    <tbody>
      ${runs.map(
        (r) =>
          html`<tr data-direction="${r.direction}">
            <td>${r.direction === 'in' ? 'CRM → Prospector' : 'Prospector → CRM'}</td>
            <td>${r.status}</td>
            <td>${inZone(r.started_at, tz)}</td>
            <td>${r.records_in}</td>
            <td>${r.records_out}</td>
            <td>${r.failed}</td>
            <td>${r.error ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

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
      ${thead('Record', 'Result', 'What changes')}
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

/** The settings form's values: as saved, or as they were sent when refused. */
export interface CrmSettingsForm {
  mapping: FullMapping;
  filter: { type: string; property: string; value: string };
  heldStages: string;
  heldTypes: string;
  holdCustomers: boolean;
  createContacts: boolean;
}

/** The form as the connection has it saved, over the CRM's default mapping. */
export function savedSettingsForm(c: CrmConnectionRow, mapping: FullMapping): CrmSettingsForm {
  const f = effectiveFilter(c.target_filter);
  const rules = effectiveRules(c.rules);
  return {
    mapping,
    filter: { type: f.type, property: f.property ?? '', value: f.value ?? '' },
    heldStages: rules.heldStages.join(', '),
    heldTypes: rules.heldTypes.join(', '),
    holdCustomers: rules.holdCustomers,
    createContacts: c.create_contacts,
  };
}

/** Why the settings form was refused, above the page; the form below keeps what was sent. */
export const settingsRefused = (reason: string): Html =>
  refusedBanner('The settings were not saved', reason, 'crm-settings', 'Correct them below');

function settingsForm(req: Request, c: CrmConnectionRow, s: CrmSettingsForm): Html {
  const { mapping: m, filter: f } = s;
  const sf = c.kind === 'salesforce';
  const opt = (v: string, label: string) =>
    html`<option value="${v}" ${f.type === v ? 'selected' : ''}>${label}</option>`;
  return html`<form method="post" action="/settings/crm/settings" class="wide crm-settings" id="crm-settings">
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
    <label>Property / field <input name="filter.property" value="${f.property}" maxlength="100" /></label>
    <label
      >Value (list id, value${sf ? ', or where-clause' : ''})
      <input name="filter.value" value="${f.value}" maxlength="500"
    /></label>
    <h2>Hold-out rules</h2>
    <label
      >Open deal stages that hold an account out (comma-separated)
      <input name="rules.heldStages" value="${s.heldStages}"
    /></label>
    <label
      >Deal types that hold an account out (comma-separated) <input name="rules.heldTypes" value="${s.heldTypes}"
    /></label>
    <label
      ><input type="checkbox" name="rules.holdCustomers" value="1" ${s.holdCustomers ? 'checked' : ''} /> Hold out
      customers</label
    >
    <label
      ><input type="checkbox" name="createContacts" value="1" ${s.createContacts ? 'checked' : ''} /> Create a
      ${CRM_NAMES[c.kind]} contact for a person a rep emails who is not in ${CRM_NAMES[c.kind]} yet</label
    >
    <p>
      <button type="submit" name="action" value="save">Save</button>
      <button type="submit" name="action" value="preview" class="secondary">Save and preview</button>
    </p>
  </form>`;
}

/** Connect buttons for the CRMs whose OAuth app is configured; Salesforce with the login host choice. */
function oauthConnectForms(req: Request, on: (k: CrmKind) => boolean): Html {
  const hubspot = on('hubspot')
    ? html`<form method="post" action="/settings/crm/oauth/hubspot" class="crm-hubspot-oauth">
        ${csrfField(req)}<button type="submit">Connect HubSpot (sign in)</button>
      </form>`
    : html``;
  if (!on('salesforce')) return hubspot;
  return html`${hubspot}
    <form method="post" action="/settings/crm/oauth/salesforce" class="crm-salesforce">
      ${csrfField(req)}
      <label
        >Salesforce org
        <select name="host">
          <option value="production" selected>Production (login.salesforce.com)</option>
          <option value="sandbox">Sandbox (test.salesforce.com)</option>
        </select></label
      >
      <button type="submit">Connect Salesforce</button>
    </form>`;
}

export function crmPage(
  req: AuthedRequest,
  c: CrmConnectionRow | undefined,
  runs: CrmRunRow[],
  settings: CrmSettingsForm | undefined,
  oauthOn: (k: CrmKind) => boolean,
  extra: Html | string = '',
): Html {
  const live = c && c.status !== 'disconnected';
  const saved = req.query.saved === '1' ? html`<p class="flash ok" role="status">Saved.</p>` : '';
  return html`${saved} ${extra}
    <section class="card crm-connection" aria-label="Connection">
      ${
        c
          ? html`<p>
              <strong>${CRM_NAMES[c.kind]}</strong>${c.external_account ? ` (account ${c.external_account})` : ''}:
              <span class="${c.status === 'connected' ? 'ok' : 'bad'}">${c.status}</span>
              ${c.status_reason ? html`— <span class="bad">${c.status_reason}</span>` : ''}
            </p>`
          : html`<p class="empty">No CRM connected.</p>`
      }
      ${
        live
          ? html`<form method="post" action="/settings/crm/disconnect">
              ${csrfField(req)}<button type="submit" class="secondary">Disconnect</button>
            </form>`
          : ''
      }
      <form method="post" action="/settings/crm/connect/hubspot" class="crm-token" id="crm-token">
        ${csrfField(req)}
        <label
          >HubSpot private app token <input type="password" name="token" autocomplete="off" required maxlength="512"
        /></label>
        <button type="submit">${c?.kind === 'hubspot' && live ? 'Replace token' : 'Connect HubSpot'}</button>
      </form>
      ${oauthConnectForms(req, oauthOn)}
      <p><a href="${safeUrl('/settings/crm/status')}">Sync status, failed records, Sync now</a></p>
    </section>
    ${c ? runsTable(runs, req.user.timeZone) : ''} ${c && settings && live ? settingsForm(req, c, settings) : ''}`;
}

export function crmStatusPage(
  req: Request,
  c: CrmConnectionRow | undefined,
  runs: CrmRunRow[],
  failures: CrmFailureRow[],
  tz: string,
): Html {
  const flash =
    req.query.queued === '1'
      ? html`<p class="flash ok" role="status">Sync queued.</p>`
      : req.query.retried === '1'
        ? html`<p class="flash ok" role="status">Queued for another try.</p>`
        : '';
  return html`${flash}
    <p>
      ${c ? html`${CRM_NAMES[c.kind]}: ${c.status} ${c.status_reason ? html`— ${c.status_reason}` : ''}` : 'No CRM connected.'}
      · <a href="${safeUrl('/settings/crm')}">Settings → CRM</a>
    </p>
    ${
      c
        ? html`<form method="post" action="/settings/crm/sync">
            ${csrfField(req)}<button type="submit">Sync now</button>
          </form>`
        : ''
    }
    <h2>Last run each way</h2>
    ${runsTable(runs, tz)}
    <h2>Failed records</h2>
    ${
      failures.length
        ? html`<table class="crm-failures">
            ${thead('Record', 'Direction', 'The CRM said', 'Attempts', 'Last', '')}
            <tbody>
              ${failures.map(
                (f) =>
                  html`<tr data-failure="${f.id}">
                    <td>${f.object}: ${f.label}</td>
                    <td>${f.direction}</td>
                    <td>${f.error}</td>
                    <td>${f.attempts}</td>
                    <td>${inZone(f.last_at, tz)}</td>
                    <td>
                      ${
                        f.status === 'open'
                          ? html`<form method="post" action="/settings/crm/failures/${f.id}/retry">
                              ${csrfField(req)}<button type="submit" class="secondary">Retry</button>
                            </form>`
                          : 'retrying'
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="empty">No failed records.</p>`
    }`;
}
