// RevOps: sequence templates — steps with delays and branch conditions, the sending days and
// hours in the recipient's time zone, a fallback window, the default template.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { clearDefaultTemplate, findTemplate, listAllTemplates } from '../../db/queries/settings.js';
import { insertTemplateRow, updateTemplateRow, type TemplateInput } from '../../db/queries/templates.js';
import { AppError } from '../../errors.js';
import { setTemplateApprovalMode } from '../../db/queries/step-approval.js';
import { BranchCondition } from '../../sequencing/branch.js';
import { checkStepVariants, parseVariantLines, Variant } from '../../experiments/schema.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { auditRequest } from '../audit.js';
import { page } from '../layout.js';
import { answerRefused } from '../error-handler.js';
import { refusedForm } from '../views/refused.js';
import { issueText } from '../../zod-message.js';
import { CONDITION_LABELS, KINDS, kindLabel, MAX_STEPS, templatePage, templatesPage } from '../views/templates.js';

// The window's own rules say what the field must be; zod-message puts the field's label before them.
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 09:00');
const NO_DAY = 'must include at least one day';
const BACKWARDS = 'must end after it starts';

const Window = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).min(1, NO_DAY),
    start: hhmm,
    end: hhmm,
  })
  .refine((w) => w.start < w.end, BACKWARDS);
// A step's kind and condition refused by the choices' names on the form ("follow up", "they clicked a link"),
// not their keys (follow_up, not_clicked).
const StepKind = z.enum(KINDS, { error: `must be one of ${KINDS.map(kindLabel).join(', ')}` });
const StepBranch = BranchCondition.extend({
  when: z.enum(BranchCondition.shape.when.options, {
    error: `must be “${CONDITION_LABELS.clicked}” or “${CONDITION_LABELS.not_clicked}”`,
  }),
});
const TemplateStepInput = z.object({
  kind: StepKind,
  delayDays: z.number().int().min(0).max(60),
  newThread: z.boolean().default(false),
  branch: StepBranch.nullable().default(null),
  /**
   * A/B variants of the step (experiments/); absent = none. The template's checkStepVariants is their
   * one check, worded by step and letter: a list that fails here is passed on as given rather than
   * refused twice. (toJSONSchema calls the catch with no context, looking for a fixed default: none.)
   */
  variants: z
    .array(Variant)
    .optional()
    .catch((c) => c?.input as Variant[] | undefined),
});
export const TemplateBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).default(''),
    steps: z.array(TemplateStepInput).min(1).max(MAX_STEPS),
    window: Window,
    fallback: Window.nullable().default(null),
    fallbackAfterDays: z.number().int().min(0).max(30).default(3),
    isDefault: z.boolean().default(false),
    /** Overrides the workspace's approval mode; null follows it. */
    approvalMode: z.enum(['sequence', 'each_step']).nullable().default(null),
  })
  .superRefine((t, c) => {
    // Each problem's path is its sentence's subject ("Step 2"), so issueText (zod-message.ts) says the
    // sentence as written: "Step 2 variant B label must not be empty", not "steps: …".
    for (const p of checkStepVariants(t.steps)) c.addIssue({ code: 'custom', path: [p.about], message: p.message });
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
  if (!r.success) throw new AppError('VALIDATION', templateIssues(r.error));
  return r.data;
}

/** The JSON API's template body, refused in the words the form's refusals use. */
export function templateFromJson(body: unknown): TemplateBody {
  const r = TemplateBody.safeParse(body);
  if (!r.success) throw new AppError('VALIDATION', templateIssues(r.error));
  return r.data;
}

/** The template page's names for its fields, as its labels and legends say them. */
const TEMPLATE_FIELDS: Record<string, string> = {
  name: 'Name',
  description: 'Description',
  steps: 'Steps',
  window: 'Sending window',
  fallback: 'Fallback window',
  fallbackAfterDays: 'Fallback after (days)',
  isDefault: 'Default template',
  approvalMode: 'Approval',
};
/** A step's fields as the step row's labels name them ("Step 2 delay in days"). */
const STEP_FIELDS: Record<string, string> = {
  kind: 'kind',
  delayDays: 'delay in days',
  newThread: 'starts a new thread',
  branch: 'condition',
  variants: 'variants',
};

/** A field named as the template page names it: "Sending window start", "Step 2 delay in days", "Step 2 link contains". */
function templateLabel(path: readonly PropertyKey[]): string | undefined {
  const [head, ...rest] = path;
  const at = (p: PropertyKey) => (typeof p === 'number' ? `item ${p + 1}` : String(p));
  if (head === 'steps' && typeof rest[0] === 'number') {
    const [n, field, sub] = rest as [number, string | undefined, PropertyKey | undefined];
    const words = field === 'branch' && sub === 'tag' ? 'link contains' : field && (STEP_FIELDS[field] ?? field);
    return words ? `Step ${n + 1} ${words}` : `Step ${n + 1}`;
  }
  if (typeof head !== 'string' || !Object.hasOwn(TEMPLATE_FIELDS, head)) return undefined;
  return [TEMPLATE_FIELDS[head], ...rest.map(at)].join(' ');
}

/**
 * A refused template in the page's words, from the form and the JSON API alike: "Sending window start must be
 * a time like 09:00", "Step 1 delay in days must be at most 60" — never a path ("window.start: …").
 */
export const templateIssues = (err: z.ZodError): string =>
  err.issues.map((i) => issueText(i, templateLabel(i.path))).join('; ');

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
    const row = await one(tx, id ? updateTemplateRow(workspaceId, id, input) : insertTemplateRow(workspaceId, input));
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

export function settingsTemplateRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.use('/settings/templates', requireRole('revops'));
  const load = async (req: AuthedRequest) => {
    const t = await one(ctx.db, findTemplate(req.user.workspaceId, intParam(req.params.id) ?? 0));
    if (!t) throw new AppError('NOT_FOUND', 'No such template.');
    return t;
  };

  /** The list; after a refused add, the reason and the form as it was sent (nothing saved). */
  const list = async (req: AuthedRequest, why?: string) => {
    const rows = await run(ctx.db, listAllTemplates(req.user.workspaceId));
    const r = why === undefined ? undefined : refusedForm(req, 'The template was not created', why, 'template-form');
    return page(req, 'Sequence templates', templatesPage(req, rows, r));
  };

  r.get('/settings/templates', async (req, res) => {
    res.type('html').send(await list(req));
  });
  r.post('/settings/templates', async (req, res, user) => {
    try {
      const row = await saveTemplate(ctx, user.workspaceId, user.id, undefined, templateFromForm(req.body ?? {}));
      res.redirect(303, `/settings/templates/${row.id}?saved=1`);
    } catch (err) {
      await answerRefused(ctx.log, req, res, err, (why) => list(req, why));
    }
  });
  r.get('/settings/templates/:id', async (req, res) => {
    const t = await load(req);
    // Saving redirects here with ?saved=1: the rep sees that it took, and which version is current.
    res.type('html').send(page(req, `Template: ${t.name}`, templatePage(req, t, !!req.query.saved)));
  });
  r.post('/settings/templates/:id', async (req, res, user) => {
    const t = await load(req);
    try {
      await saveTemplate(ctx, user.workspaceId, user.id, t.id, templateFromForm(req.body ?? {}));
      res.redirect(303, `/settings/templates/${t.id}?saved=1`);
    } catch (err) {
      await answerRefused(ctx.log, req, res, err, async (why) =>
        page(
          req,
          `Template: ${t.name}`,
          templatePage(req, t, false, refusedForm(req, 'The template was not saved', why, 'template-form')),
        ),
      );
    }
  });
  return r.router;
}
