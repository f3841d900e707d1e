// The mailbox settings pages: the table of mailboxes, the SMTP/IMAP form and a connection test's result.
// Pure: rows and what the viewer may do in.
import type { Request } from 'express';
import type { MailboxImpactRow, Sibling } from '../../db/queries/mailboxes.js';
import type { MailboxRow } from '../../db/queries/sending.js';
import { inZone } from '../format.js';
import { html, safeUrl, type Html } from '../html.js';
import { csrfField } from '../layout.js';
import type { ConnectionCheck } from '../routes/mailbox-connection.js';
import type { OAuthMailboxRow } from '../../db/queries/mailbox-oauth.js';
import { PROVIDER_NAMES } from '../../mailboxes/oauth/providers.js';
import type { OAuthProvider } from '../../mailboxes/oauth-types.js';
import type { AuthedRequest } from '../authed.js';
import type { InboundSecretView } from '../../sequencing/inbound-secret.js';

export function mailboxTable(req: Request, rows: (MailboxRow & { owner_email: string | null })[], tz: string): Html {
  return html`<table>
      <thead>
        <tr>
          <th>From</th>
          <th>Kind</th>
          <th>Rep</th>
          <th>Cap / gap</th>
          <th>State</th>
          <th>Last sent</th>
          <th>Actions</th>
        </tr>
      </thead>
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
                ${m.paused_at ? html`<span class="bad">paused ${inZone(m.paused_at, tz)}: ${m.pause_reason ?? 'no reason given'}</span>` : 'sending'}${m.imap_error ? html`<div class="bad">IMAP: ${m.imap_error}</div>` : ''}
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
    ${rows.length ? '' : html`<p class="empty">No mailboxes yet. Add the SMTP account each rep sends from, or a local outbox to try things out.</p>`}`;
}

export function mailboxForm(
  req: Request,
  m: MailboxRow | undefined,
  /** The reps to pick from; null: the viewer may not give the mailbox to another rep. */
  owners: { id: number; name: string; email: string }[] | null,
): Html {
  const v = (x: unknown) => (x === null || x === undefined ? '' : String(x));
  return html`<form
    method="post"
    action="${safeUrl(m ? `/settings/mailboxes/${m.id}` : '/settings/mailboxes')}"
    class="wide"
  >
    ${csrfField(req)}
    <div class="grid2">
      <label
        >Kind
        <select name="kind">
          <option value="smtp" ${m?.kind !== 'outbox' ? html`selected` : ''}>SMTP</option>
          <option value="outbox" ${m?.kind === 'outbox' ? html`selected` : ''}>
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
                ${owners.map((o) => html`<option value="${o.id}" ${m?.user_id === o.id ? html`selected` : ''}>${o.name || o.email}</option>`)}
              </select></label
            >`
          : ''
      }
      <label>From name <input name="from_name" required value="${v(m?.from_name)}" /></label>
      <label>From email <input name="from_email" type="email" required value="${v(m?.from_email)}" /></label>
    </div>
    <fieldset>
      <legend>SMTP (sending)</legend>
      <div class="grid2">
        <label>Host <input name="smtp_host" value="${v(m?.smtp_host)}" /></label
        ><label>Port <input name="smtp_port" type="number" value="${v(m?.smtp_port ?? 587)}" /></label>
        <label class="check"
          ><input type="checkbox" name="smtp_secure" value="1" ${m?.smtp_secure ? html`checked` : ''} /> TLS from the
          start (port 465)</label
        >
        <label>User <input name="smtp_user" value="${v(m?.smtp_user)}" autocomplete="off" /></label>
        <label
          >Password
          <input
            name="smtp_pass"
            type="password"
            autocomplete="new-password"
            placeholder="${m?.smtp_pass_enc ? 'stored — leave empty to keep' : ''}"
        /></label>
      </div>
    </fieldset>
    <fieldset>
      <legend>IMAP (replies)</legend>
      <div class="grid2">
        <label>Host <input name="imap_host" value="${v(m?.imap_host)}" /></label
        ><label>Port <input name="imap_port" type="number" value="${v(m?.imap_port ?? 993)}" /></label>
        <label class="check"
          ><input type="checkbox" name="imap_secure" value="1" ${!m || m.imap_secure ? html`checked` : ''} /> TLS</label
        >
        <label>User <input name="imap_user" value="${v(m?.imap_user)}" autocomplete="off" /></label>
        <label
          >Password
          <input
            name="imap_pass"
            type="password"
            autocomplete="new-password"
            placeholder="${m?.imap_pass_enc ? 'stored — leave empty to keep' : ''}"
        /></label>
      </div>
    </fieldset>
    <fieldset>
      <legend>Pacing</legend>
      <div class="grid2">
        <label>Daily cap <input name="daily_cap" type="number" min="1" value="${v(m?.daily_cap ?? 30)}" /></label>
        <label
          >Min gap (s) <input name="min_gap_seconds" type="number" min="0" value="${v(m?.min_gap_seconds ?? 90)}"
        /></label>
        <label
          >Max gap (s) <input name="max_gap_seconds" type="number" min="0" value="${v(m?.max_gap_seconds ?? 180)}"
        /></label>
      </div>
    </fieldset>
    <p class="muted">
      ${m ? 'Changing the SMTP host, port, user or password pauses the mailbox until the connection test run on save passes.' : 'A new SMTP mailbox sends once the connection test run on save passes.'}
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

/** The Connect buttons for the configured providers, each with the transport choice. */
export function connectButtons(req: Request, configured: OAuthProvider[]): Html {
  if (!configured.length) return html``;
  return html`<section class="card" aria-label="Connect a mailbox">
    <h2>Connect your mailbox</h2>
    <p class="muted">Sign in at the provider; the mailbox's address comes from your account there and becomes yours.</p>
    ${configured.map(
      (p) =>
        html`<form method="post" action="${safeUrl(`/mailboxes/connect/${p}`)}" class="row-actions">
          ${csrfField(req)}
          <label
            >${PROVIDER_NAMES[p]}: send and read with
            <select name="transport">
              <option value="smtp" selected>SMTP + IMAP (recommended)</option>
              <option value="api">
                ${p === 'google' ? 'Gmail API' : 'Microsoft Graph'} (where SMTP is switched off)
              </option>
            </select></label
          >
          <button type="submit">Connect ${PROVIDER_NAMES[p]}</button>
        </form>`,
    )}
  </section>`;
}

/** One line on a mailbox's state, in words. */
export function oauthState(m: Pick<OAuthMailboxRow, 'consent_error' | 'paused_at' | 'pause_reason' | 'connected'>) {
  if (m.consent_error) return html`<span class="bad">${m.consent_error}</span>`;
  if (m.paused_at) return html`<span class="bad">paused: ${m.pause_reason ?? 'no reason given'}</span>`;
  return m.connected ? 'connected, sending' : 'disconnected';
}

export interface OAuthMailboxesView {
  rows: OAuthMailboxRow[];
  /** The viewer's own SMTP and local-outbox mailboxes. */
  own: (MailboxRow & { owner_email: string | null })[];
  /** Just connected. */
  done?: OAuthMailboxRow;
  /** The address of a mailbox just deleted. */
  deleted: string;
  configured: OAuthProvider[];
}

/** The Mailboxes page: Google and Microsoft mailboxes the viewer sees, with Connect buttons. */
export function oauthMailboxesPage(req: AuthedRequest, v: OAuthMailboxesView): Html {
  const { rows, own, done, deleted } = v;
  const tz = req.user.timeZone;
  const all = ['admin', 'revops'].includes(req.user.role);
  return html`${done ? html`<p class="card" role="status">Connected ${done.from_email}.</p>` : ''}
    ${deletedFlash(deleted)}
    ${
      own.length
        ? html`<h2>Your SMTP mailboxes</h2>
            <ul class="own-mailboxes">
              ${own.map(
                (m) =>
                  html`<li>
                    <a href="${safeUrl(`/settings/mailboxes/${m.id}`)}">${m.from_name} &lt;${m.from_email}&gt;</a>
                    · ${m.paused_at ? html`<span class="bad">paused: ${m.pause_reason ?? ''}</span>` : 'sending'}
                  </li>`,
              )}
            </ul>`
        : ''
    }
    <table>
      <thead>
        <tr>
          <th>Mailbox</th>
          <th>Provider</th>
          ${all ? html`<th>Rep</th>` : ''}
          <th>State</th>
          <th>Connected</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (m) =>
            html`<tr data-mailbox="${m.id}">
              <td>${m.from_name} &lt;${m.from_email}&gt;</td>
              <td>${PROVIDER_NAMES[m.provider]} · ${m.oauth_transport === 'api' ? 'API' : 'SMTP + IMAP'}</td>
              ${all ? html`<td>${m.owner_email ?? '—'}</td>` : ''}
              <td>${oauthState(m)}</td>
              <td>${inZone(m.connected_at, tz)}</td>
              <td class="row-actions">
                ${
                  m.connected
                    ? html`<form method="post" action="/mailboxes/${m.id}/disconnect">
                        ${csrfField(req)}<button type="submit" class="secondary">Disconnect</button>
                      </form>`
                    : ''
                }
                <a href="${safeUrl(`/settings/mailboxes/${m.id}/delete`)}" class="button secondary">Delete…</a>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length ? '' : html`<p class="empty">No Google or Microsoft mailbox connected yet.</p>`}
    ${connectButtons(req, v.configured)}
    ${
      v.configured.length
        ? ''
        : html`<p class="muted">
            Neither Google nor Microsoft sign-in is configured on this server (see the README, “Google and Microsoft
            mailboxes”).
          </p>`
    }`;
}

/**
 * Each mailbox's inbound-mail webhook URL and secret (admins only: the route passes none to anyone else). The
 * secret is a credential: inside a closed <details> so it is not on the screen until asked for.
 */
function inboundSecretSection(req: Request, views: InboundSecretView[]): Html | string {
  if (!views.length) return '';
  return html`<h2 id="inbound-webhook">Inbound-mail webhook</h2>
    <p class="muted">
      A provider that forwards replies as raw MIME posts them to the URL, signed with the secret:
      <code>X-Prospector-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</code>.
    </p>
    <table>
      <thead>
        <tr>
          <th>Mailbox</th>
          <th>URL</th>
          <th>Secret</th>
          <th>Rotate</th>
        </tr>
      </thead>
      <tbody>
        ${views.map(
          (v) =>
            html`<tr>
              <td>${v.fromEmail}</td>
              <td><input readonly size="40" aria-label="Webhook URL for ${v.fromEmail}" value="${v.url}" /></td>
              <td>
                <details>
                  <summary>Show secret${v.rotated ? '' : ' (derived from APP_SECRET)'}</summary>
                  <input readonly size="44" aria-label="Webhook secret for ${v.fromEmail}" value="${v.secret}" />
                </details>
              </td>
              <td>
                <form method="post" action="/settings/mailboxes/${v.mailboxId}/inbound-secret/rotate">
                  ${csrfField(req)}<label
                    ><input type="checkbox" name="confirm" value="rotate" required /> the old secret stops working
                    now</label
                  ><button type="submit" class="secondary">Rotate</button>
                </form>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

/** Settings → Mailboxes: Connect buttons, the table, the inbound webhook section and the add form. */
export function mailboxSettingsPage(
  req: Request,
  v: {
    rows: (MailboxRow & { owner_email: string | null })[];
    configured: OAuthProvider[];
    inbound: InboundSecretView[];
    owners: Parameters<typeof mailboxForm>[2];
  },
  extra: Html | string = '',
): Html {
  return html`${extra} ${connectButtons(req, v.configured)} ${mailboxTable(req, v.rows, req.user!.timeZone)}
    ${inboundSecretSection(req, v.inbound)}
    <h2>Add a mailbox</h2>
    ${mailboxForm(req, undefined, v.owners)}`;
}

export const deletedFlash = (address: string) =>
  address ? html`<p class="flash ok" role="status">Deleted ${address}.</p>` : '';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The default pause reason: says what happened and what to do. */
export const defaultReason = (m: MailboxRow) =>
  `mailbox ${m.from_email} was deleted; resume to send from the rep's other mailboxes`;

export function affected(i: MailboxImpactRow): number {
  return i.bound_sequences + i.orphaned_sequences;
}

/** The confirmation before deleting a mailbox: what happens to its history and to the sequences sending from it. */
export function confirmDeletePage(
  req: Request,
  m: MailboxRow,
  i: MailboxImpactRow,
  siblings: Sibling[],
  back: string,
): Html {
  const history = i.referenced
    ? html`<p id="delete-history">
        Sent history is kept: ${plural(i.sent_messages, 'message')} sent from it stay in the outbox and on their
        sequences. The mailbox is <strong>archived</strong>: it leaves every list, never sends again, and its stored
        passwords are dropped.
      </p>`
    : html`<p id="delete-history">Nothing was sent from it and no sequence uses it: it is removed.</p>`;
  if (i.in_flight)
    return html`${history}
      <p class="bad" role="alert" id="delete-blocked">
        ${plural(i.in_flight, 'step is', 'steps are')} being sent from this mailbox or waiting for a person's decision
        in the <a href="/outbox">outbox</a>. Delete it once they are settled.
      </p>
      <p><a href="${safeUrl(back)}">← Back</a></p>`;
  const n = affected(i);
  const open = siblings.filter((s) => !s.paused_at);
  const steps = html`<p id="delete-steps">
    ${
      n
        ? html`<strong>${plural(n, 'open sequence')}</strong> would send from this mailbox
            (${plural(i.bound_steps, 'unsent step')} on ${plural(i.bound_sequences, 'sequence')} bound to
            it${
              i.orphaned_sequences
                ? html`, and ${plural(i.orphaned_sequences, 'sequence')} of its rep, who has no other mailbox`
                : ''
            }).
            Choose what happens to them:`
        : 'No open sequence sends from this mailbox.'
    }
  </p>`;
  const choices = n
    ? html`<fieldset>
        <legend>Their scheduled steps</legend>
        ${
          siblings.length
            ? html`<label class="check"
                  ><input type="radio" name="then" value="move" ${open.length ? html`checked` : ''} required /> Move
                  them to another of the rep's mailboxes (later steps of a thread then come from that address):</label
                >
                <label
                  >Mailbox
                  <select name="to">
                    ${siblings.map(
                      (s) =>
                        html`<option value="${s.id}">
                          ${s.from_name}
                          &lt;${s.from_email}&gt;${s.paused_at ? ` (paused: ${s.pause_reason ?? ''})` : ''}
                        </option>`,
                    )}
                  </select></label
                >`
            : html`<p class="muted">The rep has no other mailbox to move them to.</p>`
        }
        <label class="check"
          ><input type="radio" name="then" value="pause" ${open.length ? '' : html`checked`} required /> Pause them; the
          reason below shows on each sequence and on its waiting steps until someone resumes it:</label
        >
        <label>Reason <input name="reason" value="${defaultReason(m)}" maxlength="300" /></label>
      </fieldset>`
    : '';
  return html`${history} ${steps}
    <form method="post" action="${safeUrl(`/settings/mailboxes/${m.id}/delete`)}" class="wide" id="delete-form">
      ${csrfField(req)} ${choices}
      <button type="submit" class="danger">Delete ${m.from_email}</button>
      <a href="${safeUrl(back)}">Cancel</a>
    </form>`;
}
