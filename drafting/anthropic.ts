// The Anthropic Messages API client: one place that makes calls, maps SDK errors to stable codes
// and prices what each call used. Retries (429, 529, 5xx, timeouts; `retry-after` honoured) are
// the SDK's own, with the count and timeout from config; an AbortSignal stops a call and its retries.
import Anthropic from '@anthropic-ai/sdk';
import pLimit, { type LimitFunction } from 'p-limit';
import { ANTHROPIC_PRICES, type Config } from '../config.js';
import { AppError } from '../errors.js';

export interface Llm {
  client: Anthropic;
  model: string;
  classifyModel: string;
}

/** The configured client, or undefined when no API key is set (then the offline drafter runs). */
export function createLlm(config: Pick<Config, 'anthropic'>): Llm | undefined {
  const a = config.anthropic;
  if (!a.apiKey) return undefined;
  const client = new Anthropic({
    apiKey: a.apiKey,
    baseURL: a.baseURL,
    timeout: a.timeoutMs,
    maxRetries: a.maxRetries,
  });
  return { client, model: a.model, classifyModel: a.classifyModel };
}

export interface LlmUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

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

export interface CallParams {
  model: string;
  system: Anthropic.TextBlockParam[];
  messages: Anthropic.MessageParam[];
  maxTokens: number;
  /** A structured-output format from the SDK's zod helper (`zodOutputFormat`). */
  format?: Anthropic.JSONOutputFormat;
}

export interface CallResult {
  text: string;
  usage: LlmUsage;
  stopReason: string | null;
}

export type LlmFailureReason =
  'aborted' | 'timeout' | 'rate_limited' | 'overloaded' | 'server' | 'connection' | 'client';

/** One Messages API call (with the SDK's retries). Throws AppError LLM_FAILED with `details.reason`. */
export async function callModel(llm: Llm, p: CallParams, opts: { signal?: AbortSignal } = {}): Promise<CallResult> {
  try {
    const message = await llm.client.messages.create(
      {
        model: p.model,
        max_tokens: p.maxTokens,
        system: p.system,
        messages: p.messages,
        ...(p.format ? { output_config: { format: { type: 'json_schema', schema: p.format.schema } } } : {}),
      },
      { signal: opts.signal },
    );
    const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    return { text, usage: usageOf(p.model, message.usage), stopReason: message.stop_reason };
  } catch (err) {
    throw llmError(err);
  }
}

export function llmError(err: unknown): AppError {
  const reason: LlmFailureReason =
    err instanceof Anthropic.APIUserAbortError
      ? 'aborted'
      : err instanceof Anthropic.APIConnectionTimeoutError
        ? 'timeout'
        : err instanceof Anthropic.APIConnectionError
          ? 'connection'
          : err instanceof Anthropic.RateLimitError
            ? 'rate_limited'
            : err instanceof Anthropic.APIError && err.status === 529
              ? 'overloaded'
              : err instanceof Anthropic.APIError && (err.status ?? 0) >= 500
                ? 'server'
                : 'client';
  const status = err instanceof Anthropic.APIError ? err.status : undefined;
  return new AppError('LLM_FAILED', `Anthropic call failed (${reason}${status ? ` ${status}` : ''})`, {
    cause: err,
    details: { reason, status },
  });
}

const limits = new Map<number, LimitFunction>();

/** Runs `fn` with at most `concurrency` calls in flight for this workspace in this process. */
export function withWorkspaceLimit<T>(workspaceId: number, concurrency: number, fn: () => Promise<T>): Promise<T> {
  let limit = limits.get(workspaceId);
  if (!limit || limit.concurrency !== concurrency) {
    limit = pLimit(concurrency);
    limits.set(workspaceId, limit);
  }
  return limit(fn);
}
