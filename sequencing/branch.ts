// Branch conditions on steps, evaluated when the step is claimed. A step with
// `{ when: 'clicked', tag: 'pricing' }` goes out only if the prospect (not a link scanner)
// clicked a link whose URL contains "pricing"; `not_clicked` is its alternative. Two steps with
// opposite conditions at the same position-range give "clicked → K, else → alternative".
import { z } from 'zod';

export const BranchCondition = z.object({
  when: z.enum(['clicked', 'not_clicked']),
  /** Matches a clicked URL containing this text; any link when absent. */
  tag: z.string().min(1).optional(),
});
export type BranchCondition = z.infer<typeof BranchCondition>;

/** True when the step has no (valid) condition or its condition holds for these human clicks. */
export function branchHolds(branch: unknown, humanClickUrls: string[]): boolean {
  if (branch === null || branch === undefined) return true;
  const parsed = BranchCondition.safeParse(branch);
  if (!parsed.success) return true;
  const { when, tag } = parsed.data;
  const clicked = humanClickUrls.some((u) => !tag || u.toLowerCase().includes(tag.toLowerCase()));
  return when === 'clicked' ? clicked : !clicked;
}
