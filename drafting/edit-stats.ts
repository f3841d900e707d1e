// Learning from edits: how far reps move drafts before approving them, per prompt version and
// template. The manager dashboard calls `editStats`; `summarizeEdits` is the pure part.
import { distance } from 'fastest-levenshtein';
import { run, type Queryable } from '../db/index.js';
import type { CrmFilter } from '../db/queries/dashboard-crm.js';
import { approvedStepTexts, type ApprovedStepText } from '../db/queries/drafting.js';

export interface EditStats {
  promptVersion: string | null;
  drafter: string | null;
  templateId: number | null;
  templateName: string | null;
  sequences: number;
  steps: number;
  /** Mean characters changed per step (Levenshtein, subject and body). */
  meanEditDistance: number;
  /** Mean share of each step's drafted text that changed, 0..1. */
  meanEditRatio: number;
  /** Share of sequences approved with no step changed, 0..1. */
  approvedUnedited: number;
}

function stepEditDistance(r: Pick<ApprovedStepText, 'drafted_subject' | 'drafted_body' | 'subject' | 'body'>): {
  distance: number;
  ratio: number;
} {
  const drafted = `${r.drafted_subject ?? ''}\n${r.drafted_body ?? ''}`;
  const final = `${r.subject}\n${r.body}`;
  const d = distance(drafted, final);
  return { distance: d, ratio: d / Math.max(drafted.length, final.length, 1) };
}

export function summarizeEdits(rows: ApprovedStepText[]): EditStats[] {
  const groups = new Map<string, ApprovedStepText[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.prompt_version, r.drafter, r.template_id]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()]
    .map((g) => {
      const edits = g.map(stepEditDistance);
      const bySequence = new Map<number, boolean>();
      g.forEach((r, i) =>
        bySequence.set(r.sequence_id, (bySequence.get(r.sequence_id) ?? true) && edits[i]!.distance === 0),
      );
      const unedited = [...bySequence.values()].filter(Boolean).length;
      const first = g[0]!;
      return {
        promptVersion: first.prompt_version,
        drafter: first.drafter,
        templateId: first.template_id,
        templateName: first.template_name,
        sequences: bySequence.size,
        steps: g.length,
        meanEditDistance: round(edits.reduce((n, e) => n + e.distance, 0) / g.length),
        meanEditRatio: round(edits.reduce((n, e) => n + e.ratio, 0) / g.length),
        approvedUnedited: round(unedited / bySequence.size),
      };
    })
    .sort((a, b) => b.sequences - a.sequences);
}

/** Edit statistics for a workspace's approved sequences, optionally since a date and on accounts the CRM filter picks. */
export async function editStats(
  db: Queryable,
  workspaceId: number,
  opts: { since?: Date; crm?: CrmFilter } = {},
): Promise<EditStats[]> {
  return summarizeEdits(await run(db, approvedStepTexts(workspaceId, opts.since ?? null, opts.crm ?? null)));
}

const round = (n: number) => Math.round(n * 1000) / 1000;
