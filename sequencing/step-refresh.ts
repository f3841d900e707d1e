// "Refresh this step" for per-step approval: the step is redrafted by drafting's writer with what
// changed since the sequence was approved, and replaces the step's text only if nobody changed it.
import { one, run } from '../db/index.js';
import { insertAudit } from '../db/queries/audit.js';
import { insertRefreshVersion, saveRefreshedStep, stepStatus, workspaceSettings } from '../db/queries/step-approval.js';
import { loadDraftInput } from '../drafting/load.js';
import { draftByModel, type DraftDeps } from '../drafting/service.js';
import type { GateFailure } from '../drafting/gates.js';
import type { DraftedSequence, DraftInput } from '../drafting/schema.js';
import { AppError } from '../errors.js';
import { loadChanges, textDigest } from './step-approval.js';
import { stepApprovalSettings } from './step-approval-rules.js';

interface StepRefresh {
  stepId: number;
  version: number;
  subject: string;
  body: string;
  failures: GateFailure[];
  digest: string;
}

/**
 * "Refresh this step": redrafts one step of an each_step sequence that came back for approval,
 * with what changed since the sequence was approved (new signals, replies, title changes…) given
 * to the model as research data, through the same gates. The other steps are kept as they are;
 * the new text replaces the step's only if nobody changed it meanwhile, with its audit record
 * (`step.refreshed`, the page's and the API's alike). Needs an LLM.
 */
export async function refreshStep(
  deps: DraftDeps,
  stepId: number,
  opts: { userId?: number; ip?: string; now?: Date } = {},
): Promise<StepRefresh> {
  const { db, log } = deps;
  if (!deps.llm) throw new AppError('STATE', 'Refreshing a step needs an LLM (set ANTHROPIC_API_KEY).');
  const now = opts.now ?? new Date();
  const at = await one(db, stepStatus(stepId));
  if (!at) throw new AppError('NOT_FOUND', 'No such step.');
  if (at.status !== 'awaiting_approval')
    throw new AppError(
      'STATE',
      `This step is ${at.status.replace('_', ' ')}; only a step waiting for approval is refreshed.`,
    );
  const { input, sequence, steps } = await loadDraftInput(db, at.sequence_id);
  const idx = steps.findIndex((s) => s.id === stepId);
  const step = steps[idx]!;
  const settings = stepApprovalSettings((await one(db, workspaceSettings(sequence.workspace_id)))?.settings);
  const changes = await loadChanges(db, stepId, settings.staleFactDays, now);
  // Untrusted like the rest of the research: fenced as data in the prompt, and what the grounding gate accepts.
  const refreshed: DraftInput = {
    ...input,
    organization: {
      ...input.organization,
      changesSinceApproval: changes.map((c) => ({
        kind: c.kind,
        what: c.text,
        detail: c.detail,
        at: c.at.toISOString(),
      })),
    },
  };
  const kinds = [...new Set(changes.map((c) => c.label.toLowerCase()))];
  const instruction =
    `Rewrite only step ${idx + 1} (${step.kind.replace('_', ' ')}); it goes out soon. ` +
    (kinds.length
      ? `Since the sequence was approved: ${kinds.join(', ')} (see changesSinceApproval in the research data). Use what is relevant. `
      : 'Nothing new was found; make it current and specific. ') +
    'Keep every other step exactly as it is.';
  const previous: DraftedSequence = {
    steps: steps.map((s) => ({ subject: s.subject, body: s.body, citedFactIds: (s.cited_fact_ids ?? []).map(Number) })),
  };
  const outcome = await draftByModel({ ...deps, llm: deps.llm }, refreshed, sequence, {
    previous,
    instruction,
    purpose: (p) => p.replace('draft', 'refresh'),
  });
  const fresh = outcome.draft.steps[idx];
  if (!fresh) throw new AppError('LLM_SCHEMA', `the model's answer has no step ${idx + 1}`);
  const failures = outcome.failures.filter((f) => f.step === idx + 1 || f.step === null);
  const saved = await db.transaction(async (tx) => {
    const row = await one(
      tx,
      saveRefreshedStep(stepId, textDigest(step.subject, step.body), { ...fresh, failures }, now),
    );
    if (!row)
      throw new AppError(
        'CONFLICT',
        'This step changed while it was being refreshed; nothing was replaced. Reload and try again.',
      );
    const all = previous.steps.map((s, i) => (i === idx ? fresh : s));
    const v = (await one(
      tx,
      insertRefreshVersion(sequence.id, instruction, all, outcome.gateResults, opts.userId ?? null),
    ))!;
    await run(
      tx,
      insertAudit({
        workspaceId: sequence.workspace_id,
        userId: opts.userId ?? null,
        action: 'step.refreshed',
        entityType: 'sequence_step',
        entityId: stepId,
        data: { sequenceId: sequence.id, version: v.version },
        ip: opts.ip,
      }),
    );
    return { version: v.version, digest: row.digest };
  });
  log.info(
    { sequenceId: sequence.id, stepId, version: saved.version, failures: failures.length, changes: changes.length },
    'draft.step_refreshed',
  );
  return { stepId, version: saved.version, subject: fresh.subject, body: fresh.body, failures, digest: saved.digest };
}
