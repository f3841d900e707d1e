// llm_usage: one row per model call, written by llm/usage.ts only.
import type { Sql } from '../types.js';

/** What one model call used and cost (llm/pricing.ts computes it). */
export interface ModelUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export const insertLlmUsage = (
  u: ModelUsage & { workspaceId: number; sequenceId: number | null; signalId: number | null; purpose: string },
): Sql => ({
  text: `INSERT INTO llm_usage (workspace_id, sequence_id, signal_id, purpose, model, input_tokens, output_tokens,
                                cache_read_tokens, cache_write_tokens, cost_usd)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  values: [
    u.workspaceId,
    u.sequenceId,
    u.signalId,
    u.purpose,
    u.model,
    u.inputTokens,
    u.outputTokens,
    u.cacheReadTokens,
    u.cacheWriteTokens,
    u.costUsd,
  ],
});
