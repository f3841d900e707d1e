// What a model call cost, at list price, from the usage the API reports.
import type Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_PRICES } from '../config.js';
import type { ModelUsage } from '../db/queries/llm.js';

/** One call's usage, as llm_usage stores it. */
export type LlmUsage = ModelUsage;

/** List-price cost of one call. `inputTokens` excludes cached tokens, as the API reports it. */
export function costUsd(model: string, u: Omit<LlmUsage, 'model' | 'costUsd'>): number {
  const price = priceOf(model);
  const usd =
    (u.inputTokens * price.input +
      u.cacheWriteTokens * price.cacheWrite +
      u.cacheReadTokens * price.cacheRead +
      u.outputTokens * price.output) /
    1e6;
  return Math.round(usd * 1e6) / 1e6;
}

/** Exact id first, then the longest table key the id starts with ("claude-haiku-4-5-20251001"). */
export function priceOf(model: string): (typeof ANTHROPIC_PRICES)[string] {
  if (ANTHROPIC_PRICES[model]) return ANTHROPIC_PRICES[model]!;
  const key = Object.keys(ANTHROPIC_PRICES)
    .filter((k) => model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return ANTHROPIC_PRICES[key ?? 'default']!;
}

export function usageOf(model: string, usage: Anthropic.Usage | undefined): LlmUsage {
  const u = {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    cacheReadTokens: usage?.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage?.cache_creation_input_tokens ?? 0,
  };
  return { model, ...u, costUsd: costUsd(model, u) };
}
