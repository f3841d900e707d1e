// Experiments with the database: assigning a new sequence (before it is drafted) and telling
// the drafter what the stored assignment means. The decisions themselves are pure (assign.ts,
// stats.ts, report.ts).
import { one, run, type Queryable } from '../db/index.js';
import { experimentContext, playExperiment, variantOutcomes } from '../db/queries/experiments.js';
import { assign, directionsFor, secureRandom, type Assignment, type Directions, type Rng } from './assign.js';
import { experimentReports } from './report.js';
import { readExperiment, type PlayExperiment } from './schema.js';
import type { DraftInput } from '../drafting/schema.js';

interface Assigner {
  experiment: PlayExperiment | null;
  next(): Assignment;
}

/**
 * Prepares the assignments for one signal's new sequences. The hold-out applies only to contacts
 * a detected signal selected through a play with a signal trigger: a rep's own enrolment or an
 * inbound event (someone asking to hear from us) is never held out.
 */
export async function assignerFor(
  db: Queryable,
  signal: { workspace_id: number; play_id?: number | null; type: string },
  templateSteps: { variants?: unknown }[],
  rng: Rng = secureRandom,
): Promise<Assigner> {
  const o = {
    workspaceId: signal.workspace_id,
    playId: signal.play_id ?? null,
    signalType: signal.type,
    templateSteps,
  };
  const play = o.playId ? await one(db, playExperiment(o.playId)) : undefined;
  const experiment = readExperiment(play?.experiment);
  const holdoutEligible =
    play?.trigger?.kind === 'signal' && !['manual', 'inbound'].includes(o.signalType) && !!experiment;
  let promoted: number | null = null;
  if (experiment?.autoPromote && experiment.variants.length && o.playId) {
    const rows = await run(
      db,
      variantOutcomes(o.workspaceId, new Date(0), new Date(Date.now() + 86_400_000), o.playId),
    );
    promoted = experimentReports(rows).find((r) => r.kind === 'play')?.comparison.winner ?? null;
  }
  return {
    experiment,
    next: () => assign({ experiment, templateSteps: o.templateSteps, holdoutEligible, promoted }, rng),
  };
}

interface SequenceDirections extends Directions {
  /** Held out with the evergreen sequence: drafted without the signal or its research. */
  evergreen: boolean;
}

async function directionsForSequence(db: Queryable, sequenceId: number): Promise<SequenceDirections> {
  const row = await one(db, experimentContext(sequenceId));
  if (!row) return { steps: [], evergreen: false };
  if (row.arm === 'holdout') return { steps: [], evergreen: true };
  return {
    ...directionsFor(
      { variant: row.variant, variantOf: row.variant_of },
      readExperiment(row.experiment),
      row.template_steps ?? [],
    ),
    evergreen: false,
  };
}

/** Puts a sequence's experiment into what its drafter is given (drafting/load.ts `loadDraftInput`). */
export async function applyExperiment(db: Queryable, sequenceId: number, input: DraftInput): Promise<void> {
  const d = await directionsForSequence(db, sequenceId);
  if (d.evergreen) {
    // A held-out contact gets the evergreen sequence: nothing of the signal or its research.
    input.signal = {
      id: input.signal.id,
      type: 'evergreen',
      subtype: null,
      title: '',
      summary: '',
      url: null,
      facts: {},
    };
    input.facts = [];
    input.organization = {};
    input.experiment = { evergreen: true };
  } else if (d.instruction || d.angle || d.steps.some(Boolean)) {
    input.experiment = { instruction: d.instruction, stepInstructions: d.steps, angle: d.angle };
  }
}
