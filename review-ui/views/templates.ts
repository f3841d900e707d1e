// The sequence-template pages: the list, and the form (steps with delays, branches and variants, the sending
// window and its fallback, approval). Pure: template rows in.
import type { Request } from 'express';
import { variantLines } from '../../experiments/schema.js';
import { label } from '../format.js';
import { html, safeUrl, type Html, thead } from '../html.js';
import { csrfField } from '../layout.js';
import { formValues, type FormValues, type Refused, type SentForm } from './refused.js';
import type { SequenceTemplateRow } from '../../db/queries/templates.js';

export const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const KINDS = ['opener', 'follow_up', 'breakup'] as const;
/** A step's kind as the form's select shows it ("follow up"), and a refusal names it. */
export const kindLabel = (k: (typeof KINDS)[number]): string => label(k);
/** A step's condition as the form's select shows it: "they clicked a link". */
export const CONDITION_LABELS = { clicked: 'they clicked a link', not_clicked: 'they did not click' } as const;
export const MAX_STEPS = 8;

/** What the template pages show of a sequence_templates row. */
export type TemplateRow = Pick<
  SequenceTemplateRow,
  | 'id'
  | 'name'
  | 'description'
  | 'steps'
  | 'sending_window'
  | 'fallback_window'
  | 'fallback_after_days'
  | 'approval_mode'
  | 'is_default'
  | 'version'
>;

function windowFields(f: FormValues, prefix: string, w: { days: number[]; start: string; end: string } | null): Html {
  return html`<div class="grid2">
    <fieldset>
      <legend>Days</legend>
      ${DAYS.map(
        (d, i) =>
          html`<label class="check"
            ><input
              type="checkbox"
              name="${prefix}_days"
              value="${i + 1}"
              ${f.chosen(`${prefix}_days`, String(i + 1), !!w?.days.includes(i + 1)) ? html`checked` : ''}
            />
            ${d}</label
          >`,
      )}
    </fieldset>
    <div>
      <label
        >From
        <input
          name="${prefix}_start"
          value="${f.text(`${prefix}_start`, w?.start ?? '09:00')}"
          pattern="\\d{2}:\\d{2}"
          size="5"
      /></label>
      <label
        >Until
        <input
          name="${prefix}_end"
          value="${f.text(`${prefix}_end`, w?.end ?? '11:00')}"
          pattern="\\d{2}:\\d{2}"
          size="5"
      /></label>
    </div>
  </div>`;
}

/** The template form: the template as saved (none: a new one's defaults), or as `sent` when it was refused. */
export function templateForm(req: Request, t: TemplateRow | undefined, sent?: SentForm): Html {
  const steps = t?.steps ?? [{ kind: 'opener', delayDays: 0, newThread: false, branch: null }];
  const f = formValues(sent);
  return html`<form
    method="post"
    action="${safeUrl(t ? `/settings/templates/${t.id}` : '/settings/templates')}"
    class="wide"
    id="template-form"
  >
    ${csrfField(req)}
    <div class="stack">
      <label>Name <input name="name" required value="${f.text('name', t?.name)}" /></label>
      <label>Description <input name="description" value="${f.text('description', t?.description)}" /></label>
    </div>
    <fieldset>
      <legend>Steps (delays count from the previous step; leave a row's kind empty to drop it)</legend>
      <table>
        ${thead(
          '#',
          'Kind',
          'Delay (days)',
          'New thread',
          'Send only if',
          'Link contains',
          html`A/B variants: <code>label | instruction | angle</code>, one a line`,
        )}
        <tbody>
          ${Array.from({ length: MAX_STEPS }, (_, i) => {
            const s = steps[i];
            return html`<tr>
              <td>${i + 1}</td>
              <td>
                <select name="step_kind_${i}" aria-label="Step ${i + 1} kind">
                  <option value="">—</option>
                  ${KINDS.map((k) => html`<option value="${k}" ${f.chosen(`step_kind_${i}`, k, s?.kind === k) ? html`selected` : ''}>${kindLabel(k)}</option>`)}
                </select>
              </td>
              <td>
                <input
                  name="step_delay_${i}"
                  type="number"
                  min="0"
                  max="60"
                  value="${f.text(`step_delay_${i}`, s?.delayDays ?? (i ? 3 : 0))}"
                  aria-label="Step ${i + 1} delay in days"
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  name="step_new_thread_${i}"
                  value="1"
                  ${f.ticked(`step_new_thread_${i}`, !!s?.newThread) ? html`checked` : ''}
                  aria-label="Step ${i + 1} starts a new thread"
                />
              </td>
              <td>
                <select name="step_branch_${i}" aria-label="Step ${i + 1} condition">
                  <option value="">always</option>
                  ${f.option(`step_branch_${i}`, 'clicked', s?.branch?.when === 'clicked', CONDITION_LABELS.clicked)}
                  ${f.option(
                    `step_branch_${i}`,
                    'not_clicked',
                    s?.branch?.when === 'not_clicked',
                    CONDITION_LABELS.not_clicked,
                  )}
                </select>
              </td>
              <td>
                <input
                  name="step_tag_${i}"
                  value="${f.text(`step_tag_${i}`, s?.branch?.tag)}"
                  placeholder="e.g. pricing"
                  aria-label="Step ${i + 1} link contains"
                />
              </td>
              <td>
                <textarea name="step_variants_${i}" rows="2" cols="40" aria-label="Step ${i + 1} variants">
${f.text(`step_variants_${i}`, variantLines(s?.variants ?? []))}</textarea>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </fieldset>
    <fieldset>
      <legend>Sending window (recipient's time)</legend>
      ${windowFields(f, 'window', t?.sending_window ?? { days: [2, 3, 4], start: '09:00', end: '11:00' })}
    </fieldset>
    <fieldset>
      <legend>${f.checkbox('fallback_on', !t || !!t.fallback_window, 'Fallback window')}</legend>
      ${windowFields(f, 'fallback', t?.fallback_window ?? { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' })}
      <label
        >Use it when the preferred window is more than
        <input
          name="fallback_after_days"
          type="number"
          min="0"
          max="30"
          value="${f.text('fallback_after_days', t?.fallback_after_days ?? 3)}"
        />
        days away</label
      >
    </fieldset>
    <label
      >Approval
      <select name="approval_mode">
        <option value="">the workspace's setting</option>
        ${f.option('approval_mode', 'sequence', t?.approval_mode === 'sequence', 'approve the sequence once')}
        ${f.option(
          'approval_mode',
          'each_step',
          t?.approval_mode === 'each_step',
          'approve each step before it is sent',
        )}
      </select></label
    >
    ${f.checkbox('is_default', !!t?.is_default, 'Default template for new drafts')}
    <p><button type="submit">${t ? 'Save template' : 'Create template'}</button></p>
  </form>`;
}

const NO_TEMPLATES = 'No templates yet. Add one so new drafts follow your steps, delays and sending windows.';

export function templatesTable(rows: TemplateRow[]): Html {
  return html`<table>
      ${thead('Name', 'Steps', 'Window', 'Approval', 'Version')}
      <tbody>
        ${rows.map(
          (t) =>
            html`<tr>
              <td>
                <a href="/settings/templates/${t.id}">${t.name}</a
                >${t.is_default ? html` <span class="badge">default</span>` : ''}
              </td>
              <td>
                ${t.steps.map((s) => `${label(s.kind)} +${s.delayDays}d${s.branch ? ` (if ${label(s.branch.when)}${s.branch.tag ? ` “${s.branch.tag}”` : ''})` : ''}`).join(' → ')}
              </td>
              <td>
                ${t.sending_window.days.map((d) => DAYS[d - 1]).join(' ')}
                ${t.sending_window.start}–${t.sending_window.end}
              </td>
              <td>${t.approval_mode ? label(t.approval_mode) : 'workspace'}</td>
              <td>${t.version}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length ? '' : html`<p class="empty">${NO_TEMPLATES}</p>`}`;
}

/** The list and the new-template form; after a refusal, the reason above and the form as it was sent. */
export function templatesPage(req: Request, rows: TemplateRow[], refused?: Refused): Html {
  return html`${refused?.why ?? ''} ${templatesTable(rows)}
    <h2>New template</h2>
    ${templateForm(req, undefined, refused?.sent)}`;
}

/** One template's form; after a save, says that it took and which version is current. */
export function templatePage(req: Request, t: TemplateRow, saved: boolean, refused?: Refused): Html {
  return html`${saved ? html`<p class="flash ok" role="status">Saved “${t.name}” (version ${t.version}).</p>` : ''}${refused?.why ?? ''}${templateForm(req, t, refused?.sent)}`;
}
