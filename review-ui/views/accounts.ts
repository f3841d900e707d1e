// Accounts, contacts and CSV imports: the lists, the upload form and one import's progress. Pure: rows in.
import type { Request } from 'express';
import type { AccountListRow } from '../../db/queries/accounts.js';
import type { ContactListRow } from '../../db/queries/contacts.js';
import type { ImportRow } from '../../db/queries/imports.js';
import { importFields } from '../../accounts/csv-rows.js';
import { html, type Html } from '../html.js';
import { csrfField, pager } from '../layout.js';
import type { AuthedRequest } from '../authed.js';
import { exportLink } from '../routes/export.js';

type Paged = { page: number; perPage: number };

export function importStatus(
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
      <thead>
        <tr>
          <th>Name</th>
          <th>Domain</th>
          <th>Owner</th>
          <th>Time zone</th>
          <th>Tags</th>
          <th>Contacts</th>
        </tr>
      </thead>
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
      <thead>
        <tr>
          <th>Name</th>
          <th>Email</th>
          <th>Title</th>
          <th>Account</th>
          <th>Time zone</th>
          <th>Status</th>
          <th>Champion</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (c) =>
            html`<tr>
              <td>
                ${revops ? html`<a href="/contacts/${c.id}/edit">${`${c.first_name} ${c.last_name}`.trim() || 'edit'}</a>` : html`${c.first_name} ${c.last_name}`}
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
      <thead>
        <tr>
          <th>#</th>
          <th>File</th>
          <th>What</th>
          <th>Progress</th>
        </tr>
      </thead>
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
              <thead>
                <tr>
                  <th>Row</th>
                  <th>Problems</th>
                  <th>Values</th>
                </tr>
              </thead>
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
