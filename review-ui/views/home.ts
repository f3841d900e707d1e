// Home as a pure function of loaded rows: mailboxes to reconnect, the first-run checklist and the
// workspace's counts.
import type { OAuthMailboxRow } from '../../db/queries/mailbox-oauth.js';
import { html, safeUrl, type Html } from '../html.js';

const card = (label: string, n: number, href?: string) =>
  html`<div class="card">${href ? html`<a href="${safeUrl(href)}"><b>${n}</b></a>` : html`<b>${n}</b>`}${label}</div>`;

export function homePage(v: {
  broken: Pick<OAuthMailboxRow, 'from_email' | 'consent_error'>[];
  checklist: Html | '';
  who: string;
  embedded: boolean;
  llm: boolean;
  c: Record<string, number>;
}): Html {
  const { c } = v;
  return html`${
      v.broken.length
        ? html`<section class="card" role="alert" aria-label="Mailboxes to reconnect">
            ${v.broken.map(
              (m) =>
                html`<p class="bad">
                  ${m.from_email} is paused: ${m.consent_error}.
                  <a href="/mailboxes">Reconnect on the Mailboxes page</a>; its due steps wait until then.
                </p>`,
            )}
          </section>`
        : ''
    }
    ${v.checklist}
    <p class="muted">
      Signed in as ${v.who}. ${v.embedded ? 'Running on the embedded database.' : ''}
      ${v.llm ? '' : 'No ANTHROPIC_API_KEY: drafts are written by the offline drafter.'}
    </p>
    <section class="cards" aria-label="Workspace">
      ${card('drafts waiting for review', c.pending_review!, '/queue')} ${card('active sequences', c.active_sequences!)}
      ${card('signals', c.signals!)} ${card('accounts', c.accounts!, '/accounts')}
      ${card('contacts', c.contacts!, '/contacts')} ${card('users', c.users!)}
    </section>`;
}
