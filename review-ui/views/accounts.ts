// Accounts, contacts and CSV imports: the lists, the upload form, the column mapping with its preview and one
// import's progress. Pure: rows in.
import type { Request } from 'express';
import type { AccountListRow, AccountRow } from '../../db/queries/accounts.js';
import type { ContactListRow, ContactRow } from '../../db/queries/contacts.js';
import type { ImportRow } from '../../db/queries/imports.js';
import { importFields } from '../../accounts/csv-rows.js';
import { describeChange } from '../../accounts/import-plan.js';
import { label } from '../format.js';
import type { ImportPreview } from '../routes/settings-imports.js';
import { html, safeUrl, type Html, thead } from '../html.js';
import { formValues, type Refused } from './refused.js';
import { csrfField, pager } from '../layout.js';
import type { AuthedRequest } from '../authed.js';
import { exportLink } from './export.js';

type Paged = { page: number; perPage: number };

function importStatus(
  i: Pick<
    ImportRow,
    | 'status'
    | 'processed_rows'
    | 'total_rows'
    | 'created_rows'
    | 'updated_rows'
    | 'unchanged_rows'
    | 'error_rows'
    | 'failure'
  >,
) {
  const pct = i.total_rows ? Math.round((100 * i.processed_rows) / i.total_rows) : 100;
  return html`<p role="status" aria-live="polite" data-import-status="${i.status}">
    <progress max="100" value="${pct}">${pct}%</progress> ${i.status}: ${i.processed_rows} of ${i.total_rows} rows,
    ${i.created_rows} created, ${i.updated_rows} updated, ${i.unchanged_rows} unchanged, ${i.error_rows} with
    errors${i.failure ? html` — <span class="error">${i.failure}</span>` : ''}
  </p>`;
}

export function accountsPage(req: AuthedRequest, rows: AccountListRow[], q: string, p: Paged, revops: boolean): Html {
  const total = rows[0]?.total ?? 0;
  return html` <form method="get" action="/accounts" role="search">
      <label>Search <input name="q" value="${q}" placeholder="name or domain" /></label>
    </form>
    ${revops ? html`<p><a href="/accounts/new">New account</a> · <a href="/imports">Import a CSV</a> · <a href="/merge/account">Merge two accounts</a></p>` : ''}
    ${exportLink(req, 'accounts')}
    <table>
      ${thead('Name', 'Domain', 'Owner', 'Time zone', 'Tags', 'Contacts')}
      <tbody>
        ${rows.map(
          (a) =>
            html`<tr>
              <td>${revops ? html`<a href="/accounts/${a.id}/edit">${a.name}</a>` : a.name}</td>
              <td>${a.domain ?? ''}</td>
              <td>${a.owner_email ?? ''}</td>
              <td>${a.time_zone ?? ''}</td>
              <td>${(a.tags as string[]).join(', ')}</td>
              <td><a href="/contacts?account=${a.id}">${a.contact_count}</a></td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length ? '' : html`<p class="muted">No accounts${q ? ' match' : ' yet: import a CSV on the Imports page'}.</p>`}
    ${pager('/accounts', { q }, { page: p.page, perPage: p.perPage, total })}`;
}

export function contactsPage(
  req: AuthedRequest,
  rows: ContactListRow[],
  q: string,
  accountId: number | undefined,
  p: Paged,
  revops: boolean,
): Html {
  const total = rows[0]?.total ?? 0;
  return html` <form method="get" action="/contacts" role="search">
      <label>Search <input name="q" value="${q}" placeholder="name, email or title" /></label>
      ${accountId ? html`<input type="hidden" name="account" value="${accountId}" />` : ''}
    </form>
    ${revops ? html`<p><a href="/contacts/new${accountId ? `?account=${accountId}` : ''}">New contact</a> · <a href="/merge/contact">Merge two contacts</a></p>` : ''}
    ${exportLink(req, 'contacts')}
    <table>
      ${thead('Name', 'Email', 'Title', 'Account', 'Time zone', 'Status', 'Champion')}
      <tbody>
        ${rows.map(
          (c) =>
            html`<tr>
              <td>
                ${
                  revops
                    ? html`<a href="/contacts/${c.id}/edit">${`${c.first_name} ${c.last_name}`.trim() || 'edit'}</a>`
                    : html`${c.first_name} ${c.last_name}`
                }
              </td>
              <td>${c.email}</td>
              <td>${c.title}</td>
              <td>${c.account_name ?? ''}</td>
              <td>${c.time_zone ?? ''}</td>
              <td>${c.status}</td>
              <td>${c.is_champion ? 'yes' : ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length ? '' : html`<p class="muted">No contacts${q ? ' match' : ' yet'}.</p>`}
    ${pager('/contacts', { q, account: accountId ? String(accountId) : undefined }, { page: p.page, perPage: p.perPage, total })}`;
}

export function importsPage(req: Request, rows: ImportRow[]): Html {
  return html` <form method="post" action="/imports" enctype="multipart/form-data" class="stack">
      ${csrfField(req)}
      <label
        >What
        <select name="kind">
          <option value="accounts">Accounts</option>
          <option value="contacts">Contacts</option>
        </select></label
      >
      <label>CSV file <input type="file" name="file" accept=".csv,text/csv" required /></label>
      <p class="muted">
        Next you choose which column feeds each field and preview the rows. Columns are guessed from headers. Accounts:
        ${importFields('accounts').join(', ')}. Contacts: ${importFields('contacts').join(', ')}. Re-importing updates
        rows with the same domain (accounts) or email (contacts).
      </p>
      <button type="submit">Upload and map columns</button>
    </form>
    <h2>Recent imports</h2>
    <table>
      ${thead('#', 'File', 'What', 'Progress')}
      <tbody>
        ${rows.map(
          (i) =>
            html`<tr>
              <td><a href="/imports/${i.id}">${i.id}</a></td>
              <td>${i.filename}</td>
              <td>${i.kind}</td>
              <td>${importStatus(i)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function importPage(imp: ImportRow): Html {
  const running = imp.status === 'queued' || imp.status === 'running';
  return html` ${running ? html`<meta http-equiv="refresh" content="2" />` : ''}
    <p>${imp.filename}</p>
    ${importStatus(imp)}
    ${
      imp.warnings.length
        ? html`<h2>Imported with a warning</h2>
            <ul class="import-warnings">
              ${imp.warnings.map((w) => html`<li>Row ${w.row}: ${w.message}</li>`)}
            </ul>`
        : ''
    }
    ${
      imp.errors.length
        ? html`<h2>Rows not imported: errors and conflicts (nothing else was lost)</h2>
            <table>
              ${thead('Row', 'Problems', 'Values')}
              <tbody>
                ${imp.errors.map(
                  (e) =>
                    html`<tr>
                      <td>${e.row}</td>
                      <td>${e.errors.join('; ')}</td>
                      <td><code>${JSON.stringify(e.raw)}</code></td>
                    </tr>`,
                )}
              </tbody>
            </table>`
        : ''
    }`;
}

const ACTION_LABEL = { create: 'new', update: 'will change', unchanged: 'no change' } as const;

/** Import step two: which column feeds each field, empty cells, and what the first rows will do. */
export function importMapPage(req: Request, imp: ImportRow, p: ImportPreview): Html {
  const { parsed, mapping, rows, shown, invalid, conflicts } = p;
  const fields = importFields(imp.kind);
  const required = imp.kind === 'accounts' ? 'name' : 'email';
  const skipped = invalid + conflicts;
  return html` <p>
      ${imp.filename} · ${parsed.records.length} rows · ${label(imp.kind)}. Choose which column feeds each field; the
      preview below updates when you press Preview. A field left "not imported" is never changed.
    </p>
    <form method="post" action="/imports/${imp.id}/map" class="wide">
      ${csrfField(req)}
      <fieldset>
        <legend>Columns</legend>
        <div class="grid2">
          ${fields.map(
            (f) =>
              html`<label
                >${label(f)}${f === required ? ' (required)' : ''}
                <select name="map_${f}">
                  <option value="">— not imported —</option>
                  ${parsed.headers.map((h) => html`<option value="${h}" ${mapping[f] === h ? html`selected` : ''}>${h}</option>`)}
                </select></label
              >`,
          )}
        </div>
      </fieldset>
      <fieldset>
        <legend>Empty cells in an imported column</legend>
        <label
          ><input type="radio" name="empty_cells" value="keep" ${imp.empty_cells === 'keep' ? html`checked` : ''} />
          Keep what is stored</label
        >
        <label
          ><input type="radio" name="empty_cells" value="clear" ${imp.empty_cells === 'clear' ? html`checked` : ''} />
          Clear the stored value</label
        >
      </fieldset>
      <p role="status" class="${skipped ? 'bad' : ''}">
        ${
          skipped
            ? `${skipped} of ${rows.length} rows will be skipped (${invalid} with errors, ${conflicts} in conflict); the others import.`
            : `All ${rows.length} rows look valid.`
        }
      </p>
      <p class="row-actions">
        <button type="submit" name="action" value="preview" class="secondary">Preview</button>
        <button type="submit" name="action" value="start">Start import</button>
      </p>
    </form>
    <h2>Preview (first ${shown.length} rows)</h2>
    <table class="import-preview">
      ${thead('Row', ...fields.filter((f) => mapping[f]).map(label), 'Result', 'What changes')}
      <tbody>
        ${shown.map((o, i) => {
          const raw = rows[i]!.raw;
          const bad = 'errors' in o;
          return html`<tr class="${bad ? 'bad' : ''}" data-row="${o.row}">
            <td>${o.row}</td>
            ${fields.filter((f) => mapping[f]).map((f) => html`<td>${raw[mapping[f]!] ?? ''}</td>`)}
            <td>${bad ? (o.errors[0]!.startsWith('conflict') ? 'conflict' : 'error') : ACTION_LABEL[o.action]}</td>
            <td>
              ${
                bad
                  ? o.errors.join('; ')
                  : [...o.changes.map(describeChange), ...o.warnings.map((w) => `warning: ${w}`)].map(
                      (line) => html`<div>${line}</div>`,
                    )
              }
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}

export function accountForm(
  req: Request,
  a: Partial<AccountRow> | undefined,
  owners: { id: number; name: string; email: string }[],
  /** After a refusal: the reason above the form, and the fields as they were sent. */
  refused?: Refused,
): Html {
  const action = a?.id ? `/accounts/${a.id}/edit` : '/accounts/new';
  const f = formValues(refused?.sent);
  return html`${refused?.why ?? ''}
    <form method="post" action="${safeUrl(action)}" class="stack wide" id="account-form">
      ${csrfField(req)}
      <label>Name <input name="name" required maxlength="300" value="${f.text('name', a?.name)}" /></label>
      <label>Domain <input name="domain" value="${f.text('domain', a?.domain)}" placeholder="acme.com" /></label>
      <label
        >Other names (; separated) <input name="aliases" value="${f.text('aliases', (a?.aliases ?? []).join('; '))}"
      /></label>
      <label
        >Owner
        <select name="owner_id">
          <option value="">Nobody</option>
          ${owners.map((o) => html`<option value="${o.id}" ${f.chosen('owner_id', String(o.id), a?.owner_id === o.id) ? html`selected` : ''}>${o.name || o.email}</option>`)}
        </select></label
      >
      <label
        >Time zone <input name="time_zone" value="${f.text('time_zone', a?.time_zone)}" placeholder="Europe/Berlin"
      /></label>
      <label>Country <input name="country" value="${f.text('country', a?.country)}" placeholder="DE" /></label>
      <label>Tags (; separated) <input name="tags" value="${f.text('tags', (a?.tags ?? []).join('; '))}" /></label>
      <label>Notes <textarea name="notes" rows="3">${f.text('notes', a?.notes)}</textarea></label>
      <button type="submit">${a?.id ? 'Save account' : 'Create account'}</button>
    </form>`;
}

export function contactForm(
  req: Request,
  c: Partial<ContactRow> | undefined,
  accounts: { id: number; name: string; domain: string | null }[],
  /** After a refusal: the reason above the form, and the fields as they were sent. */
  refused?: Refused,
): Html {
  const action = c?.id ? `/contacts/${c.id}/edit` : '/contacts/new';
  const f = formValues(refused?.sent);
  return html`${refused?.why ?? ''}
    <form method="post" action="${safeUrl(action)}" class="stack wide" id="contact-form">
      ${csrfField(req)}
      <label
        >Email
        <input
          name="email"
          type="email"
          required
          value="${c?.id ? c.email : f.text('email', c?.email)}"
          ${c?.id ? html`readonly` : ''}
      /></label>
      <label>First name <input name="first_name" value="${f.text('first_name', c?.first_name)}" /></label>
      <label>Last name <input name="last_name" value="${f.text('last_name', c?.last_name)}" /></label>
      <label>Title <input name="title" value="${f.text('title', c?.title)}" /></label>
      <label
        >Account
        <select name="account_id">
          <option value="">None</option>
          ${accounts.map((a) => html`<option value="${a.id}" ${f.chosen('account_id', String(a.id), c?.account_id === a.id) ? html`selected` : ''}>${a.name}${a.domain ? ` (${a.domain})` : ''}</option>`)}
        </select></label
      >
      <label
        >Time zone <input name="time_zone" value="${f.text('time_zone', c?.time_zone)}" placeholder="America/New_York"
      /></label>
      <label>LinkedIn URL <input name="linkedin_url" value="${f.text('linkedin_url', c?.linkedin_url)}" /></label>
      ${f.checkbox('is_champion', !!c?.is_champion, 'Champion (watch for job moves)')}
      <button type="submit">${c?.id ? 'Save contact' : 'Create contact'}</button>
    </form>`;
}
