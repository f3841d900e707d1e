// The SMTP and local-outbox mailboxes: the table of mailboxes, the SMTP/IMAP form and a connection test's result.
// Pure: rows and what the viewer may do in.
import type { Request } from 'express';
import type { MailboxRow } from '../../db/queries/sending.js';
import { inZone } from '../format.js';
import { html, safeUrl, type Html, thead } from '../html.js';
import { formValues, type FormValues, type SentForm } from './refused.js';
import { csrfField } from '../layout.js';
import type { ConnectionCheck } from '../routes/mailbox-connection.js';

const NO_MAILBOXES = 'No mailboxes yet. Add the SMTP account each rep sends from, or a local outbox to try things out.';

export function mailboxTable(req: Request, rows: (MailboxRow & { owner_email: string | null })[], tz: string): Html {
  return html`<table>
      ${thead('From', 'Kind', 'Rep', 'Cap / gap', 'State', 'Last sent', 'Actions')}
      <tbody>
        ${rows.map(
          (m) =>
            html`<tr>
              <td>
                <a href="${safeUrl(['smtp', 'outbox'].includes(m.kind) ? `/settings/mailboxes/${m.id}` : '/mailboxes')}"
                  >${m.from_name} &lt;${m.from_email}&gt;</a
                >
              </td>
              <td>${m.kind}${m.smtp_host ? html` · ${m.smtp_host}` : ''}</td>
              <td>${m.owner_email ?? '—'}</td>
              <td>${m.daily_cap}/day · ${m.min_gap_seconds}–${m.max_gap_seconds} s</td>
              <td>
                ${
                  m.paused_at
                    ? html`<span class="bad"
                        >paused ${inZone(m.paused_at, tz)}: ${m.pause_reason ?? 'no reason given'}</span
                      >`
                    : 'sending'
                }${m.imap_error ? html`<div class="bad">IMAP: ${m.imap_error}</div>` : ''}
              </td>
              <td>${m.last_sent_at ? inZone(m.last_sent_at, tz) : 'never'}</td>
              <td class="row-actions">
                <form method="post" action="/settings/mailboxes/${m.id}/test">
                  ${csrfField(req)}<button type="submit">Test connection</button>
                </form>
                <a href="${safeUrl(`/settings/mailboxes/${m.id}/delete`)}" class="button secondary">Delete…</a>
                ${
                  m.paused_at
                    ? html`<form method="post" action="/settings/mailboxes/${m.id}/resume">
                        ${csrfField(req)}<button type="submit" class="secondary">Resume</button>
                      </form>`
                    : html`<form method="post" action="/settings/mailboxes/${m.id}/pause">
                        ${csrfField(req)}<label class="sr-only" for="pause-${m.id}">Reason</label
                        ><input id="pause-${m.id}" name="reason" placeholder="why pause?" required /><button
                          type="submit"
                          class="secondary"
                        >
                          Pause
                        </button>
                      </form>`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length ? '' : html`<p class="empty">${NO_MAILBOXES}</p>`}`;
}

const ownerOption = (
  f: FormValues,
  o: { id: number; name: string; email: string },
  current: number | null | undefined,
) =>
  html`<option value="${o.id}" ${f.chosen('user_id', String(o.id), current === o.id) ? html`selected` : ''}>
    ${o.name || o.email}
  </option>`;

/** The SMTP or the IMAP fieldset: host, port, TLS, user and a password that is never written back. */
function serverFields(
  f: FormValues,
  m: MailboxRow | undefined,
  p: 'smtp' | 'imap',
  legend: string,
  tls: string,
  /** What a new mailbox starts with. */
  fresh: { port: number; secure: boolean },
): Html {
  const saved = { host: m?.[`${p}_host`], port: m?.[`${p}_port`] ?? fresh.port, user: m?.[`${p}_user`] };
  return html`<fieldset>
    <legend>${legend}</legend>
    <div class="grid2">
      <label>Host <input name="${p}_host" value="${f.text(`${p}_host`, saved.host)}" /></label
      ><label>Port <input name="${p}_port" type="number" value="${f.text(`${p}_port`, saved.port)}" /></label>
      ${f.checkbox(`${p}_secure`, m ? m[`${p}_secure`] : fresh.secure, tls)}
      <label>User <input name="${p}_user" value="${f.text(`${p}_user`, saved.user)}" autocomplete="off" /></label>
      <label
        >Password
        <input
          name="${p}_pass"
          type="password"
          autocomplete="new-password"
          placeholder="${m?.[`${p}_pass_enc`] ? 'stored — leave empty to keep' : ''}"
      /></label>
    </div>
  </fieldset>`;
}

export function mailboxForm(
  req: Request,
  m: MailboxRow | undefined,
  /** The reps to pick from; null: the viewer may not give the mailbox to another rep. */
  owners: { id: number; name: string; email: string }[] | null,
  /** After a refusal: the fields as they were sent (passwords are never written back into the page). */
  sent?: SentForm,
): Html {
  const f = formValues(sent);
  const v = (name: string, saved: string | number | null | undefined) => f.text(name, saved);
  return html`<form
    method="post"
    action="${safeUrl(m ? `/settings/mailboxes/${m.id}` : '/settings/mailboxes')}"
    class="wide"
    id="mailbox-form"
  >
    ${csrfField(req)}
    <div class="grid2">
      <label
        >Kind
        <select name="kind">
          <option value="smtp" ${f.chosen('kind', 'smtp', m?.kind !== 'outbox') ? html`selected` : ''}>SMTP</option>
          <option value="outbox" ${f.chosen('kind', 'outbox', m?.kind === 'outbox') ? html`selected` : ''}>
            Local outbox (.eml files, nothing sent)
          </option>
        </select></label
      >
      ${
        owners
          ? html`<label
              >Rep
              <select name="user_id">
                <option value="">—</option>
                ${owners.map((o) => ownerOption(f, o, m?.user_id))}
              </select></label
            >`
          : ''
      }
      <label>From name <input name="from_name" required value="${v('from_name', m?.from_name)}" /></label>
      <label
        >From email <input name="from_email" type="email" required value="${v('from_email', m?.from_email)}"
      /></label>
    </div>
    ${serverFields(f, m, 'smtp', 'SMTP (sending)', 'TLS from the start (port 465)', { port: 587, secure: false })}
    ${serverFields(f, m, 'imap', 'IMAP (replies)', 'TLS', { port: 993, secure: true })}
    <fieldset>
      <legend>Pacing</legend>
      <div class="grid2">
        <label
          >Daily cap <input name="daily_cap" type="number" min="1" value="${v('daily_cap', m?.daily_cap ?? 30)}"
        /></label>
        <label
          >Min gap (s)
          <input name="min_gap_seconds" type="number" min="0" value="${v('min_gap_seconds', m?.min_gap_seconds ?? 90)}"
        /></label>
        <label
          >Max gap (s)
          <input
            name="max_gap_seconds"
            type="number"
            min="0"
            value="${v('max_gap_seconds', m?.max_gap_seconds ?? 180)}"
        /></label>
      </div>
    </fieldset>
    <p class="muted">
      ${
        m
          ? 'Changing the SMTP host, port, user or password pauses the mailbox until the connection test run on save passes.'
          : 'A new SMTP mailbox sends once the connection test run on save passes.'
      }
    </p>
    <button type="submit">${m ? 'Save mailbox' : 'Add mailbox'}</button>
    ${m ? html` <a href="${safeUrl(`/settings/mailboxes/${m.id}/delete`)}" class="button secondary">Delete…</a>` : ''}
  </form>`;
}

export function connectionResult(m: MailboxRow, c: ConnectionCheck): Html {
  const ok = (s: string) => s === 'ok' || !s.startsWith('failed');
  return html`<section class="card" role="status">
    <h2>Connection test: ${m.from_email}</h2>
    <p class="${ok(c.smtp) ? '' : 'bad'}">SMTP: ${c.smtp}</p>
    <p class="${ok(c.imap) ? '' : 'bad'}">IMAP: ${c.imap}</p>
  </section>`;
}
