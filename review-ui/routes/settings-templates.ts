// RevOps: sequence templates — steps with delays and branch conditions, the sending days and
// hours in the recipient's time zone, a fallback window, the default template.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import {
  clearDefaultTemplate,
  findTemplate,
  insertTemplateRow,
  listAllTemplates,
  updateTemplateRow,
  type TemplateInput,
} from '../../db/queries/settings.js';
import { AppError } from '../../errors.js';
import { setTemplateApprovalMode } from '../../db/queries/step-approval.js';
import { BranchCondition } from '../../sequencing/branch.js';
import { checkStepVariants, parseVariantLines, Variant, variantLines } from '../../experiments/schema.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam, label } from '../format.js';
import { auditRequest } from '../audit.js';
import { html, safeUrl, type Html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { issues } from '../openapi.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const KINDS = ['opener', 'follow_up', 'breakup'] as const;
const MAX_STEPS = 8;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like 09:00');

export const Window = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).min(1, 'pick at least one sending day'),
    start: hhmm,
    end: hhmm,
  })
  .refine((w) => w.start < w.end, 'the window must end after it starts');
export const TemplateStepInput = z.object({
  kind: z.enum(KINDS),
  delayDays: z.number().int().min(0).max(60),
  newThread: z.boolean().default(false),
  branch: BranchCondition.nullable().default(null),
  /** A/B variants of the step (experiments/); absent = none. */
  variants: z.array(Variant).min(2).max(4).optional(),
});
export const TemplateBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  steps: z
    .array(TemplateStepInput)
    .min(1)
    .max(MAX_STEPS)
    .superRefine((steps, c) => {
      const problem = checkStepVariants(steps);
      if (problem) c.addIssue({ code: 'custom', message: problem });
    }),
  window: Window,
  fallback: Window.nullable().default(null),
  fallbackAfterDays: z.number().int().min(0).max(30).default(3),
  isDefault: z.boolean().default(false),
  /** Overrides the workspace's approval mode; null follows it. */
  approvalMode: z.enum(['sequence', 'each_step']).nullable().default(null),
});
export type TemplateBody = z.infer<typeof TemplateBody>;

const days = (v: unknown) =>
  ([] as unknown[])
    .concat(v ?? [])
    .map((d) => Number(d))
    .filter((d) => d >= 1 && d <= 7);

/** A step's variants from its textarea, one "label | instruction | angle" a line; none when empty. */
const variantsField = (v: unknown) => {
  const list = parseVariantLines(String(v ?? ''));
  return list.length ? { variants: list } : {};
};

/** The HTML form's flat fields → the template shape. Step rows with no kind are ignored. */
export function templateFromForm(b: Record<string, unknown>): TemplateBody {
  const steps = [];
  for (let i = 0; i < MAX_STEPS; i++) {
    const kind = b[`step_kind_${i}`];
    if (!kind) continue;
    const when = String(b[`step_branch_${i}`] ?? '');
    const tag = String(b[`step_tag_${i}`] ?? '').trim();
    steps.push({
      kind,
      delayDays: Number(b[`step_delay_${i}`] ?? 0),
      newThread: !!b[`step_new_thread_${i}`],
      branch: when ? { when, ...(tag ? { tag } : {}) } : null,
      ...variantsField(b[`step_variants_${i}`]),
    });
  }
  const r = TemplateBody.safeParse({
    name: b.name,
    description: b.description ?? '',
    steps,
    window: { days: days(b.window_days), start: b.window_start, end: b.window_end },
    fallback: b.fallback_on ? { days: days(b.fallback_days), start: b.fallback_start, end: b.fallback_end } : null,
    fallbackAfterDays: Number(b.fallback_after_days ?? 3),
    isDefault: !!b.is_default,
    approvalMode: b.approval_mode || null,
  });
  if (!r.success) throw new AppError('VALIDATION', issues(r.error));
  return r.data;
}

export async function saveTemplate(
  ctx: Pick<AppContext, 'db'>,
  workspaceId: number,
  userId: number,
  id: number | undefined,
  t: TemplateBody,
) {
  const input: TemplateInput = {
    name: t.name,
    description: t.description,
    steps: t.steps,
    window: t.window,
    fallback: t.fallback,
    fallbackAfterDays: t.fallbackAfterDays,
    isDefault: t.isDefault,
  };
  return ctx.db.transaction(async (tx) => {
    const row = await one<{ id: number }>(
      tx,
      id ? updateTemplateRow(workspaceId, id, input) : insertTemplateRow(workspaceId, input),
    );
    if (!row) throw new AppError('NOT_FOUND', 'No such template.');
    if (t.isDefault) await run(tx, clearDefaultTemplate(workspaceId, row.id));
    await run(tx, setTemplateApprovalMode(workspaceId, row.id, t.approvalMode));
    await auditRequest(tx, { workspaceId, id: userId }, id ? 'template.updated' : 'template.created', {
      type: 'template',
      id: row.id,
    });
    return row;
  });
}

interface Row {
  id: number;
  name: string;
  description: string;
  steps: TemplateBody['steps'];
  sending_window: z.infer<typeof Window>;
  fallback_window: z.infer<typeof Window> | null;
  fallback_after_days: number;
  is_default: boolean;
  version: number;
  archived_at: Date | null;
  approval_mode?: string | null;
}

function windowFields(prefix: string, w: { days: number[]; start: string; end: string } | null): Html {
  return html`<div class="grid2">
    <fieldset>
      <legend>Days</legend>
      ${DAYS.map((d, i) => html`<label class="check"><input type="checkbox" name="${prefix}_days" value="${i + 1}" ${w?.days.includes(i + 1) ? html`checked` : ''} /> ${d}</label>`)}
    </fieldset>
    <div>
      <label
        >From <input name="${prefix}_start" value="${w?.start ?? '09:00'}" pattern="\\d{2}:\\d{2}" size="5"
      /></label>
      <label>Until <input name="${prefix}_end" value="${w?.end ?? '11:00'}" pattern="\\d{2}:\\d{2}" size="5" /></label>
    </div>
  </div>`;
}

function form(req: Request, t: Row | undefined): Html {
  const steps = t?.steps ?? [{ kind: 'opener', delayDays: 0, newThread: false, branch: null }];
  return html`<form
    method="post"
    action="${safeUrl(t ? `/settings/templates/${t.id}` : '/settings/templates')}"
    class="wide"
  >
    ${csrfField(req)}
    <div class="stack">
      <label>Name <input name="name" required value="${t?.name ?? ''}" /></label>
      <label>Description <input name="description" value="${t?.description ?? ''}" /></label>
    </div>
    <fieldset>
      <legend>Steps (delays count from the previous step; leave a row's kind empty to drop it)</legend>
      <table>
        <thead>
          <tr>
            <th>#</th>
            <th>Kind</th>
            <th>Delay (days)</th>
            <th>New thread</th>
            <th>Send only if</th>
            <th>Link contains</th>
            <th>A/B variants: <code>label | instruction | angle</code>, one a line</th>
          </tr>
        </thead>
        <tbody>
          ${Array.from({ length: MAX_STEPS }, (_, i) => {
            const s = steps[i];
            return html`<tr>
              <td>${i + 1}</td>
              <td>
                <select name="step_kind_${i}" aria-label="Step ${i + 1} kind">
                  <option value="">—</option>
                  ${KINDS.map((k) => html`<option value="${k}" ${s?.kind === k ? html`selected` : ''}>${label(k)}</option>`)}
                </select>
              </td>
              <td>
                <input
                  name="step_delay_${i}"
                  type="number"
                  min="0"
                  max="60"
                  value="${s?.delayDays ?? (i ? 3 : 0)}"
                  aria-label="Step ${i + 1} delay in days"
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  name="step_new_thread_${i}"
                  value="1"
                  ${s?.newThread ? html`checked` : ''}
                  aria-label="Step ${i + 1} starts a new thread"
                />
              </td>
              <td>
                <select name="step_branch_${i}" aria-label="Step ${i + 1} condition">
                  <option value="">always</option>
                  <option value="clicked" ${s?.branch?.when === 'clicked' ? html`selected` : ''}>
                    they clicked a link
                  </option>
                  <option value="not_clicked" ${s?.branch?.when === 'not_clicked' ? html`selected` : ''}>
                    they did not click
                  </option>
                </select>
              </td>
              <td>
                <input
                  name="step_tag_${i}"
                  value="${s?.branch?.tag ?? ''}"
                  placeholder="e.g. pricing"
                  aria-label="Step ${i + 1} link contains"
                />
              </td>
              <td>
                <textarea name="step_variants_${i}" rows="2" cols="40" aria-label="Step ${i + 1} variants">
${variantLines(s?.variants ?? [])}</textarea>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </fieldset>
    <fieldset>
      <legend>Sending window (recipient's time)</legend>
      ${windowFields('window', t?.sending_window ?? { days: [2, 3, 4], start: '09:00', end: '11:00' })}
    </fieldset>
    <fieldset>
      <legend>
        <label class="check"
          ><input type="checkbox" name="fallback_on" value="1" ${!t || t.fallback_window ? html`checked` : ''} />
          Fallback window</label
        >
      </legend>
      ${windowFields('fallback', t?.fallback_window ?? { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' })}
      <label
        >Use it when the preferred window is more than
        <input name="fallback_after_days" type="number" min="0" max="30" value="${t?.fallback_after_days ?? 3}" /> days
        away</label
      >
    </fieldset>
    <label
      >Approval
      <select name="approval_mode">
        <option value="">the workspace's setting</option>
        <option value="sequence" ${t?.approval_mode === 'sequence' ? html`selected` : ''}>
          approve the sequence once
        </option>
        <option value="each_step" ${t?.approval_mode === 'each_step' ? html`selected` : ''}>
          approve each step before it is sent
        </option>
      </select></label
    >
    <label class="check"
      ><input type="checkbox" name="is_default" value="1" ${t?.is_default ? html`checked` : ''} /> Default template for
      new drafts</label
    >
    <p><button type="submit">${t ? 'Save template' : 'Create template'}</button></p>
  </form>`;
}

export function settingsTemplateRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.use('/settings/templates', requireRole('revops'));
  const load = async (req: AuthedRequest) => {
    const t = await one<Row>(ctx.db, findTemplate(req.user.workspaceId, intParam(req.params.id) ?? 0));
    if (!t) throw new AppError('NOT_FOUND', 'No such template.');
    return t;
  };

  r.get('/settings/templates', async (req, res, user) => {
    const rows = await run<Row>(ctx.db, listAllTemplates(user.workspaceId));
    res.type('html').send(
      page(
        req,
        'Sequence templates',
        html` <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Steps</th>
                <th>Window</th>
                <th>Approval</th>
                <th>Version</th>
              </tr>
            </thead>
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
          ${rows.length ? '' : html`<p class="empty">No templates yet. Add one so new drafts follow your steps, delays and sending windows.</p>`}
          <h2>New template</h2>
          ${form(req, undefined)}`,
      ),
    );
  });
  r.post('/settings/templates', async (req, res, user) => {
    const row = await saveTemplate(ctx, user.workspaceId, user.id, undefined, templateFromForm(req.body ?? {}));
    res.redirect(303, `/settings/templates/${row.id}?saved=1`);
  });
  r.get('/settings/templates/:id', async (req, res) => {
    const t = await load(req);
    // Saving redirects here with ?saved=1: the rep sees that it took, and which version is current.
    const saved = req.query.saved
      ? html`<p class="flash ok" role="status">Saved “${t.name}” (version ${t.version}).</p>`
      : '';
    res.type('html').send(page(req, `Template: ${t.name}`, html`${saved}${form(req, t)}`));
  });
  r.post('/settings/templates/:id', async (req, res, user) => {
    const t = await load(req);
    await saveTemplate(ctx, user.workspaceId, user.id, t.id, templateFromForm(req.body ?? {}));
    res.redirect(303, `/settings/templates/${t.id}?saved=1`);
  });
  return r.router;
}
