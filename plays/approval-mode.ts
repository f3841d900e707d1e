// Which approval mode a new sequence gets: approved as a whole, or each later step on its own
// (sequencing/step-approval.ts). Pure; drafting asks it when it creates the sequence.

type ApprovalMode = 'sequence' | 'each_step';

const isMode = (v: unknown): v is ApprovalMode => v === 'sequence' || v === 'each_step';

/**
 * A play's setting wins, then the template's, then the workspace's. A workspace that never chose
 * (created before the setting existed) keeps approving whole sequences.
 */
export function resolveApprovalMode(
  play: unknown,
  template: unknown,
  workspaceSettings: Record<string, unknown> | null | undefined,
): ApprovalMode {
  if (isMode(play)) return play;
  if (isMode(template)) return template;
  const w = workspaceSettings?.approvalMode;
  return isMode(w) ? w : 'sequence';
}
