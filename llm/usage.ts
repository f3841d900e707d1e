// Every model call's usage and cost, recorded against what it was for (one llm_usage row per call).
import { run, type Queryable } from '../db/index.js';
import { insertLlmUsage } from '../db/queries/llm.js';
import type { LlmUsage } from './pricing.js';

export interface UsageTarget {
  db: Queryable;
  workspaceId: number;
  sequenceId?: number | null;
  signalId?: number | null;
}

/** Stores one call's usage; `purpose` says what the call was for (`draft`, `research`, `classify_reply`…). */
export async function recordUsage(t: UsageTarget, purpose: string, usage: LlmUsage): Promise<void> {
  await run(
    t.db,
    insertLlmUsage({
      workspaceId: t.workspaceId,
      sequenceId: t.sequenceId ?? null,
      signalId: t.signalId ?? null,
      purpose,
      ...usage,
    }),
  );
}
