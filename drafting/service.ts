// The writer: a researched signal gets one sequence per dossier contact (prepared by load.ts),
// each drafted (by Claude, or offline without an API key), gated, versioned and left in
// `pending_review`. A rewrite with a rep's instruction adds a version; none is ever lost.
import type { Config } from '../config.js';
import { one, run, type Database, type Queryable } from '../db/index.js';
import * as q from '../db/queries/drafting.js';
import type { SequenceRow, StepRow } from '../db/queries/sequencing.js';
import { AppError, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Llm } from '../llm/client.js';
import type { LlmUsage } from '../llm/pricing.js';
import { recordUsage } from '../llm/usage.js';
import { withWorkspaceLimit } from './workspace-limit.js';
import { gateFailures, runGates, type GateFailure } from './gates.js';
import { loadDraftInput, prepareSequences, type PrepareStatus } from './load.js';
import { draftWithLlm, type DraftOutcome } from './llm-drafter.js';
import { draftOffline } from './offline.js';
import type { DraftInput, DraftedSequence } from './schema.js';

export interface DraftDeps {
  db: Database;
  config: Pick<Config, 'draftConcurrency'>;
  log: Logger;
  /** Absent: the offline drafter writes every draft. */
  llm?: Llm;
  signal?: AbortSignal;
}

export interface SequenceDraft {
  sequenceId: number;
  version: number;
  outcome: DraftOutcome;
  /** False when a rep changed the sequence while it was being rewritten: the version is kept, not applied. */
  applied: boolean;
}

export interface SignalDraftResult {
  signalId: number;
  status: PrepareStatus;
  drafts: SequenceDraft[];
}

/** Drafts one prepared sequence, or rewrites one in review when `instruction`/`rewrite` is given. */
export async function draftSequence(
  deps: DraftDeps,
  sequenceId: number,
  opts: { instruction?: string; rewrite?: boolean; userId?: number } = {},
): Promise<SequenceDraft> {
  const { db, log } = deps;
  const { input, sequence, steps } = await loadDraftInput(db, sequenceId);
  const rewrite = !!opts.rewrite || opts.instruction !== undefined;
  const from = rewrite ? ['pending_review'] : ['drafting'];
  if (!from.includes(sequence.status))
    throw new AppError('STATE', `sequence ${sequenceId} is ${sequence.status}, not ${from.join(' or ')}`);
  const previous: DraftedSequence | undefined = rewrite ? textOf(steps) : undefined;

  const outcome = await produceDraft(deps, input, sequence, { instruction: opts.instruction, previous });
  const saved = await db.transaction(async (tx) => {
    const v = (await one(
      tx,
      q.insertDraftVersion({
        sequenceId,
        source: outcome.source,
        instruction: opts.instruction ?? null,
        steps: outcome.draft.steps,
        gateResults: outcome.gateResults,
        createdBy: opts.userId ?? null,
      }),
    ))!;
    const moved = await one(
      tx,
      q.finishDraft(sequenceId, {
        from,
        drafter: outcome.source,
        promptVersion: outcome.promptVersion,
        gateFailures: outcome.failures,
        expectVersion: rewrite ? sequence.version : null,
      }),
    );
    if (moved) {
      for (const [i, step] of outcome.draft.steps.slice(0, steps.length).entries())
        await run(tx, q.saveDraftedStep(sequenceId, i + 1, step));
    }
    if (moved && sequence.signal_id) {
      const pending = (await run(tx, q.sequencesForSignal(sequence.signal_id))).some((s) => s.status === 'drafting');
      if (!pending) await run(tx, q.setSignalStatus(sequence.signal_id, ['researched', 'drafting'], 'drafted'));
    }
    return { version: v.version, applied: !!moved };
  });
  log.info(
    {
      sequenceId,
      signalId: sequence.signal_id,
      source: outcome.source,
      version: saved.version,
      failures: outcome.failures.length,
      applied: saved.applied,
    },
    'draft.saved',
  );
  return { sequenceId, version: saved.version, outcome, applied: saved.applied };
}

/**
 * The model's draft of one sequence, under the workspace's drafting limit, with every call's
 * usage recorded against the sequence (`purpose` renames it, e.g. for a one-step refresh).
 */
export async function draftByModel(
  deps: DraftDeps & { llm: Llm },
  input: DraftInput,
  sequence: SequenceRow,
  opts: { instruction?: string; previous?: DraftedSequence; purpose?: (purpose: string) => string },
): Promise<DraftOutcome> {
  const target = {
    db: deps.db,
    workspaceId: sequence.workspace_id,
    sequenceId: sequence.id,
    signalId: sequence.signal_id,
  };
  const record = (usage: LlmUsage, purpose: string) =>
    recordUsage(target, opts.purpose ? opts.purpose(purpose) : purpose, usage);
  const { instruction, previous } = opts;
  return withWorkspaceLimit(
    deps.db,
    sequence.workspace_id,
    deps.config.draftConcurrency,
    () => draftWithLlm(deps.llm, input, { instruction, previous, signal: deps.signal, onUsage: record }),
    { signal: deps.signal },
  );
}

async function produceDraft(
  deps: DraftDeps,
  input: DraftInput,
  sequence: SequenceRow,
  opts: { instruction?: string; previous?: DraftedSequence },
): Promise<DraftOutcome> {
  if (!deps.llm) return draftOffline(input);
  try {
    return completeSteps(await draftByModel({ ...deps, llm: deps.llm }, input, sequence, opts), input);
  } catch (err) {
    if (!isAppError(err, 'LLM_SCHEMA')) throw err;
    // Two answers that did not fit the schema: the rep still gets a draft, marked as such, and the
    // calls that failed still count (they were recorded with their cost as they were made).
    deps.log.warn({ sequenceId: sequence.id, err }, 'draft.schema_failed');
    const offline = draftOffline(input);
    const usage = ((err.details as { usage?: LlmUsage[] } | undefined)?.usage ?? []).slice();
    const note: GateFailure = {
      gate: 'schema',
      step: null,
      message: `the model answer failed twice; this is an offline draft`,
    };
    return { ...offline, failures: [note, ...offline.failures], usage, attempts: usage.length };
  }
}

/**
 * A model answer with fewer steps than the template: the missing steps get the offline
 * drafter's text, never what an older version left in them, and `step_count` says which.
 */
function completeSteps(outcome: DraftOutcome, input: DraftInput): DraftOutcome {
  const have = outcome.draft.steps.length;
  const want = input.steps.length;
  if (have >= want) return outcome;
  const filler = draftOffline(input).draft.steps.slice(have, want);
  const note = {
    step: null,
    message:
      `the model wrote ${have} of ${want} steps; ` +
      `step${want - have === 1 ? '' : 's'} ${have + 1}${want - have === 1 ? '' : `–${want}`} hold offline text`,
  };
  return {
    ...outcome,
    draft: { steps: [...outcome.draft.steps, ...filler] },
    gateResults: outcome.gateResults.map((r) =>
      r.gate === 'step_count' ? { ...r, ok: false, problems: [...r.problems, note] } : r,
    ),
    failures: [...outcome.failures, { gate: 'step_count', ...note }],
  };
}

/** Handles a `draft {signalId}` job: prepare, then draft every sequence still in `drafting`. */
export async function draftSignal(
  deps: DraftDeps,
  signalId: number,
  opts: { redraft?: boolean } = {},
): Promise<SignalDraftResult> {
  const prepared = await prepareSequences(deps.db, signalId);
  if (prepared.status !== 'drafted') {
    deps.log.info(
      { signalId, status: prepared.status },
      prepared.status === 'needs_contact' ? 'draft.needs_contact' : 'draft.skipped',
    );
    return { signalId, status: prepared.status, drafts: [] };
  }
  const drafts: SequenceDraft[] = [];
  for (const seq of prepared.sequences) {
    if (seq.status === 'drafting' || (opts.redraft && seq.status === 'pending_review')) {
      try {
        drafts.push(await draftSequence(deps, seq.id, { rewrite: seq.status === 'pending_review' }));
      } catch (err) {
        // Stored where a person sees it; the job's retry picks the sequence up again.
        if (isAppError(err, 'LLM_FAILED')) await run(deps.db, q.setSignalError(signalId, err.message));
        throw err;
      }
    }
  }
  return { signalId, status: 'drafted', drafts };
}

/** Puts an earlier version's text back on a sequence in review (as a new version). */
export async function restoreDraftVersion(
  db: Database,
  sequenceId: number,
  version: number,
  userId: number | null,
): Promise<number> {
  return db.transaction(async (tx) => {
    const v = await one(tx, q.findDraftVersion(sequenceId, version));
    if (!v) throw new AppError('NOT_FOUND', `sequence ${sequenceId} has no version ${version}`);
    const seq = await one(tx, q.lockReviewSequence(sequenceId));
    if (!seq) throw new AppError('STATE', `sequence ${sequenceId} is not in review`);
    for (const [i, s] of v.steps.entries()) await run(tx, q.setStepText(sequenceId, i + 1, s));
    await run(tx, q.bumpSequenceVersion(sequenceId));
    await regateSequence(tx, sequenceId);
    const added = (await one(
      tx,
      q.insertDraftVersion({
        sequenceId,
        source: 'edit',
        instruction: `restore version ${version}`,
        steps: v.steps,
        gateResults: v.gate_results,
        createdBy: userId,
      }),
    ))!;
    return added.version;
  });
}

const textOf = (steps: StepRow[]): DraftedSequence => ({
  steps: steps.map((s) => ({ subject: s.subject, body: s.body, citedFactIds: (s.cited_fact_ids ?? []).map(Number) })),
});

/**
 * The gates again over a sequence's current text, after an edit or a restore, so its flags say
 * what the text is now: a draft the rep fixed is no longer flagged, a restored flagged one is.
 * Run it in the transaction that changed the text.
 */
export async function regateSequence(db: Queryable, sequenceId: number): Promise<GateFailure[]> {
  const { input, steps } = await loadDraftInput(db, sequenceId);
  const failures = gateFailures(runGates(textOf(steps), input));
  await run(db, q.setGateFailures(sequenceId, failures));
  return failures;
}
