// The settings index and the workspace settings form (playbook, footer, pacing, competitors, approval).
// Pure: the workspace row in.
import type { Request } from 'express';
import type { WorkspaceRow } from '../../db/queries/workspaces.js';
import { competitorsOf } from '../../signals/competitors.js';
import { html, safeUrl, type Html } from '../html.js';
import { csrfField } from '../layout.js';

export function settingsIndex(): Html {
  const item = (href: string, title: string, what: string) =>
    html`<li><a href="${safeUrl(href)}">${title}</a> — <span class="muted">${what}</span></li>`;
  return html`<ul class="settings-index">
    ${item('/accounts', 'Accounts', 'list, search, create, edit, owners')}
    ${item('/contacts', 'Contacts', 'list, search, create, edit, champion flag')}
    ${item('/imports', 'CSV import', 'upload, map columns, preview, per-row errors, progress')}
    ${item('/settings/sources', 'Signal sources', 'feeds, pages, job boards; test now; last error')}
    ${item('/settings/templates', 'Sequence templates', 'steps, delays, sending days and hours, branches')}
    ${item('/settings/mailboxes', 'Mailboxes', 'SMTP/IMAP, test connection, caps, pause')}
    ${item('/users', 'Users and roles', 'add users, change roles and time zones, disable; only admins grant admin')}
    ${item('/settings/workspace', 'Workspace', 'playbook, signature, address, cooldown, approval before each send')}
  </ul>`;
}

export function workspaceForm(req: Request, w: WorkspaceRow): Html {
  const st = w.settings;
  const pb = (st.playbook ?? {}) as Record<string, unknown>;
  const arr = (v: unknown) => (Array.isArray(v) ? v.join('\n') : '');
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return html` ${req.query.saved ? html`<p class="flash ok" role="status">Saved.</p>` : ''}
    <form method="post" action="/settings/workspace" class="wide">
      ${csrfField(req)}
      <div class="stack">
        <label>Workspace name <input name="name" required value="${w.name}" /></label>
      </div>
      <fieldset>
        <legend>Playbook (what the drafter knows about you)</legend>
        <div class="stack">
          <label>Company <input name="pb_company" value="${str(pb.company)}" /></label>
          <label>Who we are <textarea name="pb_whoWeAre" rows="2">${str(pb.whoWeAre)}</textarea></label>
          <label
            >Value propositions (one per line)
            <textarea name="pb_valueProps" rows="3">${arr(pb.valueProps)}</textarea>
          </label>
          <label
            >Proof points (one per line) <textarea name="pb_proofPoints" rows="3">${arr(pb.proofPoints)}</textarea>
          </label>
          <label>Tone <input name="pb_tone" value="${str(pb.tone)}" /></label>
          <label
            >Banned phrases (one per line)
            <textarea name="pb_bannedPhrases" rows="3">${arr(pb.bannedPhrases)}</textarea>
          </label>
          <label>Call to action <input name="pb_callToAction" value="${str(pb.callToAction)}" /></label>
          <label>Sender persona <input name="pb_senderPersona" value="${str(pb.senderPersona)}" /></label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Footer and pacing</legend>
        <div class="stack">
          <label>Signature <textarea name="signature" rows="3">${str(st.signature)}</textarea></label>
          <label
            >Physical address (required in the footer)
            <input name="physicalAddress" required value="${str(st.physicalAddress)}"
          /></label>
          <label
            >Cooldown: days before the same account gets another sequence
            <input name="cooldownDays" type="number" min="0" max="365" value="${String(st.cooldownDays ?? 30)}"
          /></label>
          <label class="check"
            ><input
              type="checkbox"
              name="autoCreateAccountsFromChampions"
              value="1"
              ${st.autoCreateAccountsFromChampions ? html`checked` : ''}
            />
            When a champion moves to a company we do not track, create the account</label
          >
        </div>
      </fieldset>
      <fieldset>
        <legend>Competitors</legend>
        <div class="stack">
          <label
            >One per line: the name, then any other names it goes by, separated by commas. When one is bought, every
            account tagged <code>competitor:&lt;name&gt;</code> gets a signal for the play "a competitor was bought".
            <textarea name="competitors" rows="3">
${competitorsOf(st)
                .map((c) => [c.name, ...c.aliases].join(', '))
                .join('\n')}</textarea>
          </label>
          ${
            competitorsOf(st).length
              ? html`<p class="muted">
                  Account tags: ${competitorsOf(st).map((c, i) => html`${i ? ', ' : ''}<code>${c.tag}</code>`)}
                </p>`
              : ''
          }
        </div>
      </fieldset>
      <fieldset>
        <legend>Approval before each send</legend>
        <div class="stack">
          <label
            >Approval mode (a template or play may override it)
            <select name="approvalMode">
              <option value="each_step" ${st.approvalMode === 'each_step' ? html`selected` : ''}>
                Approve each step: follow-ups come back to the owner's queue before they are due
              </option>
              <option value="sequence" ${st.approvalMode !== 'each_step' ? html`selected` : ''}>
                Approve the sequence once: approving the draft approves every step
              </option>
            </select></label
          >
          <label
            >Hours before a step is due that it comes back for approval
            <input
              name="stepApprovalLeadHours"
              type="number"
              min="0"
              max="336"
              value="${String(st.stepApprovalLeadHours ?? 24)}"
          /></label>
          <label
            >Sending windows a step may miss unapproved before it is skipped
            <input name="maxMissedWindows" type="number" min="1" max="20" value="${String(st.maxMissedWindows ?? 3)}"
          /></label>
          <label
            >Flag cited facts older than (days)
            <input name="staleFactDays" type="number" min="1" max="3650" value="${String(st.staleFactDays ?? 30)}"
          /></label>
        </div>
      </fieldset>
      <button type="submit">Save settings</button>
    </form>`;
}
