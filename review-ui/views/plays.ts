// The plays pages: the list, one play (its trigger, inbound-event help, enrollment, the edit form,
// its versions) and the edit form. Pure: rows and what the viewer may do in.
import type { Request } from 'express';
import type { PlayRow } from '../../db/queries/plays.js';
import { personaLines } from '../../plays/persona-lines.js';
import { FUNDING_ROUNDS, INBOUND_EVENTS, type PlayDefinition } from '../../plays/schema.js';
import { toDefinition } from '../../plays/service.js';
import { html, safeUrl, type Html, thead } from '../html.js';
import { csrfField } from '../layout.js';
import { formValues, type Refused, type SentForm } from './refused.js';
import { when } from './time.js';

interface PlayView {
  play: PlayRow;
  def: PlayDefinition;
  versions: { version: number; created_at: Date; created_by_email: string | null }[];
  canEdit: boolean;
  canEnroll: boolean;
  /** The edit form's template choices (empty when the viewer may not edit). */
  templates: { id: number; name: string }[];
  /** Inbound plays, for RevOps: the secret (undefined: none yet) and where events go. */
  showSecret: boolean;
  secret?: string;
  publicUrl: string;
  workspaceId: number;
  zone: string;
  now: Date;
  /** The edit form refused: the reason above the page, the form as it was sent. */
  refused?: Refused;
}

function describeTrigger(t: PlayDefinition['trigger']): string {
  if (t.kind === 'manual') return 'manual enrollment only';
  if (t.kind === 'inbound') return `inbound event: ${t.event}`;
  const extra = [
    t.subtypes.length ? `subtypes ${t.subtypes.join(', ')}` : '',
    t.minRound ? `${t.minRound} or later` : '',
    t.roleKeywords.length ? `roles with ${t.roleKeywords.join(', ')}` : '',
    t.champion === true ? 'champions only' : t.champion === false ? 'not champions' : '',
    t.acquisitionRoles.length ? `account as ${t.acquisitionRoles.join(' or ')}` : '',
  ].filter(Boolean);
  return `${t.signalType} signal${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

/** The play form: `d` as saved, or the fields as `sent` when the form was refused. */
export function playForm(
  req: Request,
  d: PlayDefinition,
  templates: { id: number; name: string }[],
  action: string,
  version?: number,
  sent?: SentForm,
) {
  const t = d.trigger;
  const f = formValues(sent);
  /** `selected` for the option `value` of the select `name`: as sent, else when the saved value is it. */
  const sel = (name: string, value: string, saved: unknown) =>
    f.chosen(name, value, saved === value) ? html`selected` : '';
  return html`<form method="post" action="${safeUrl(action)}" class="stack wide" id="play-form">
    ${csrfField(req)}
    ${version ? html`<input type="hidden" name="version" value="${f.text('version', version)}" />` : ''}
    <label>Name <input name="name" required value="${f.text('name', d.name)}" /></label>
    <label>Description <textarea name="description" rows="2">${f.text('description', d.description)}</textarea></label>
    <fieldset>
      <legend>Trigger</legend>
      <label
        >Kind
        <select name="triggerKind">
          ${['signal', 'manual', 'inbound'].map((k) => html`<option ${sel('triggerKind', k, t.kind)}>${k}</option>`)}
        </select></label
      >
      <label
        >Signal type
        <select name="signalType">
          ${['funding', 'job_change', 'news', 'hiring', 'acquisition', 'manual'].map(
            (k) => html`<option ${sel('signalType', k, t.kind === 'signal' ? t.signalType : '')}>${k}</option>`,
          )}
        </select></label
      >
      <label
        >Subtypes (comma-separated, empty = any)
        <input name="subtypes" value="${f.text('subtypes', t.kind === 'signal' ? t.subtypes.join(', ') : '')}"
      /></label>
      <label
        >Funding: earliest round
        <select name="minRound">
          <option value="">any</option>
          ${FUNDING_ROUNDS.map((r) => html`<option ${sel('minRound', r, t.kind === 'signal' ? t.minRound : '')}>${r}</option>`)}
        </select></label
      >
      <label
        >Hiring: role keywords
        <input
          name="roleKeywords"
          value="${f.text('roleKeywords', t.kind === 'signal' ? t.roleKeywords.join(', ') : '')}"
      /></label>
      <label
        >Job change: champions
        <select name="champion">
          <option value="">either</option>
          <option value="yes" ${sel('champion', 'yes', t.kind === 'signal' && t.champion === true && 'yes')}>
            only champions who moved
          </option>
          <option value="no" ${sel('champion', 'no', t.kind === 'signal' && t.champion === false && 'no')}>
            only people new to us
          </option>
        </select></label
      >
      <label
        >Acquisition: the account's side (acquirer, target; empty = any)
        <input
          name="acquisitionRoles"
          value="${f.text('acquisitionRoles', t.kind === 'signal' ? t.acquisitionRoles.join(', ') : '')}"
      /></label>
      <label
        >Inbound event
        <select name="event">
          ${INBOUND_EVENTS.map((e) => html`<option ${sel('event', e, t.kind === 'inbound' ? t.event : '')}>${e}</option>`)}
        </select></label
      >
    </fieldset>
    <label
      >Personas, best first, one per line
      <textarea
        name="personas"
        rows="4"
        placeholder="Sales leadership: sales, revenue; exclude: engineer; seniority: vp, head, director"
      >
${f.text('personas', personaLines(d.personas))}</textarea>
    </label>
    <p class="muted">
      Seniorities: c_level, vp, head, director, manager, individual. Empty: the most senior contacts. For a job change
      the person who moved is the contact.
    </p>
    <label
      >Sequence template
      <select name="templateId">
        <option value="">workspace default</option>
        ${templates.map((x) => html`<option value="${x.id}" ${sel('templateId', String(x.id), String(d.templateId))}>${x.name}</option>`)}
      </select></label
    >
    <label
      >Approval
      <select name="approvalMode">
        <option value="">template's setting</option>
        <option value="sequence" ${sel('approvalMode', 'sequence', d.approvalMode)}>approve the sequence once</option>
        <option value="each_step" ${sel('approvalMode', 'each_step', d.approvalMode)}>approve each step</option>
      </select></label
    >
    <label
      >Contacts per account per signal
      <input
        name="maxContacts"
        type="number"
        min="1"
        max="10"
        value="${f.text('maxContacts', d.limits.maxContactsPerAccount)}"
    /></label>
    <label
      >Skip people contacted in the last (days)
      <input
        name="cooldownDays"
        type="number"
        min="0"
        max="365"
        value="${f.text('cooldownDays', d.limits.contactCooldownDays)}"
    /></label>
    <label
      >Hours between first sends at one account
      <input name="staggerHours" type="number" min="0" value="${f.text('staggerHours', d.limits.staggerHours)}"
    /></label>
    <label
      ><span
        ><input type="checkbox" name="enabled" ${f.ticked('enabled', d.enabled) ? html`checked` : ''} /> Enabled</span
      ></label
    >
    <button type="submit">Save</button>
  </form>`;
}

export function playsList(plays: PlayRow[], canEdit: boolean): Html {
  return html` <p class="muted">
      A play decides which signal reaches whom, with which sequence. The first enabled play whose trigger fires takes
      the signal.
    </p>
    ${canEdit ? html`<p><a href="/plays/new">New play</a></p>` : ''}
    <table>
      ${thead('Play', 'Trigger', 'Personas', 'Version', 'Enabled')}
      <tbody>
        ${plays.map((p) => {
          const d = toDefinition(p);
          return html`<tr>
            <td><a href="/plays/${p.id}">${p.name}</a></td>
            <td>${describeTrigger(d.trigger)}</td>
            <td>${d.personas.map((x) => x.name).join(', ') || '—'}</td>
            <td>${p.version}</td>
            <td>${p.enabled ? 'yes' : 'no'}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}

export function playDetail(req: Request, v: PlayView): Html {
  const { play: p, def: d } = v;
  return html`${v.refused?.why ?? ''}
    <p>${d.description}</p>
    <p><b>Trigger:</b> ${describeTrigger(d.trigger)}</p>
    ${
      v.secret
        ? html`<details>
            <summary>How our product posts ${d.trigger.kind === 'inbound' ? d.trigger.event : ''} events</summary>
            <p>
              POST JSON to <code>${v.publicUrl}/api/events</code> with headers
              <code>X-Prospector-Workspace: ${v.workspaceId}</code> and
              <code>X-Prospector-Signature: sha256=HMAC_SHA256_HEX(body)</code>, signed with this workspace's secret:
              <code>${v.secret}</code>. Body:
              <code
                >{"id": "evt_1", "event": "trial_signup", "email": "…", "firstName": "…", "company": "…", "detail":
                "…"}</code
              >.
            </p>
          </details>`
        : v.showSecret
          ? html`<form method="post" action="/plays/${p.id}/inbound-secret">
              ${csrfField(req)}<span>This workspace has no inbound-event secret yet.</span>
              <button type="submit" class="secondary">Create the secret</button>
            </form>`
          : ''
    }
    ${
      v.canEnroll && p.enabled
        ? html`<h2>Enroll contacts</h2>
            <form method="post" action="/plays/${p.id}/enroll" class="stack">
              ${csrfField(req)}
              <label>Contact emails, one per line <textarea name="emails" rows="3" required></textarea></label>
              <label>Why now (shown to the drafter and the reviewer) <input name="note" /></label>
              <button type="submit">Enroll</button>
            </form>`
        : ''
    }
    ${
      v.canEdit
        ? html`<p><a href="/plays/${p.id}/experiment">Experiment: variants and hold-out</a></p>
            <h2>Edit (saves version ${p.version + 1})</h2>
            ${playForm(req, d, v.templates, `/plays/${p.id}`, p.version, v.refused?.sent)}`
        : ''
    }
    <h2>Versions</h2>
    <ul>
      ${v.versions.map((x) => html`<li>v${x.version} · ${when(x.created_at, v.zone, v.now)} · ${x.created_by_email ?? 'default'}</li>`)}
    </ul>`;
}

export function enrolled(playId: number, contacts: number, signalIds: number[]): Html {
  return html`<p class="flash ok" role="status">
      Enrolled ${contacts} contact(s): research has started (signal ${signalIds.join(', ')}); drafts will reach the
      review queue.
    </p>
    <p><a href="/plays/${playId}">Back to the play</a></p>`;
}
