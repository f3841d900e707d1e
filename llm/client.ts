// The Anthropic Messages API client, built once per process (the application context holds it):
// the one place that makes calls, maps SDK errors to stable codes and prices what each call used.
// Retries (429, 529, 5xx, timeouts; `retry-after` honoured) are the SDK's own, with the count and
// timeout from config; an AbortSignal or a deadline stops a call and its retries.
import { createRequire } from 'node:module';
import type Anthropic from '@anthropic-ai/sdk';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { usageOf, type LlmUsage } from './pricing.js';

// The SDK (~25 MB of modules) loads only in a process that has an API key; the client and the
// error classes below come from the same (CommonJS) build, so instanceof holds.
const require = createRequire(import.meta.url);
const sdk = () => require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk');

export interface Llm {
  client: Anthropic;
  model: string;
  classifyModel: string;
}

/** The configured client, or undefined when no API key is set (then the offline drafter runs). */
export function createLlm(config: Pick<Config, 'anthropic'>): Llm | undefined {
  const a = config.anthropic;
  if (!a.apiKey) return undefined;
  const { Anthropic } = sdk();
  const client = new Anthropic({
    apiKey: a.apiKey,
    baseURL: a.baseURL,
    timeout: a.timeoutMs,
    maxRetries: a.maxRetries,
  });
  return { client, model: a.model, classifyModel: a.classifyModel };
}

interface CallParams {
  model: string;
  system: string | Anthropic.TextBlockParam[];
  messages: Anthropic.MessageParam[];
  maxTokens: number;
  /** A structured-output format from the SDK's zod helper (`zodOutputFormat`). */
  format?: Anthropic.JSONOutputFormat;
}

interface CallResult {
  text: string;
  usage: LlmUsage;
  stopReason: string | null;
}

type LlmFailureReason = 'aborted' | 'timeout' | 'rate_limited' | 'overloaded' | 'server' | 'connection' | 'client';

interface CallOptions {
  signal?: AbortSignal;
  /** Milliseconds for the call and all its retries; past it the call fails with reason `timeout`. */
  deadlineMs?: number;
}

/** One Messages API call (with the SDK's retries). Throws AppError LLM_FAILED with `details.reason`. */
export async function callModel(llm: Llm, p: CallParams, opts: CallOptions = {}): Promise<CallResult> {
  const deadline = opts.deadlineMs ? AbortSignal.timeout(opts.deadlineMs) : undefined;
  const signal = deadline && opts.signal ? AbortSignal.any([opts.signal, deadline]) : (deadline ?? opts.signal);
  try {
    const message = await llm.client.messages.create(
      {
        model: p.model,
        max_tokens: p.maxTokens,
        system: p.system,
        messages: p.messages,
        ...(p.format ? { output_config: { format: { type: 'json_schema', schema: p.format.schema } } } : {}),
      },
      { signal },
    );
    const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    return { text, usage: usageOf(p.model, message.usage), stopReason: message.stop_reason };
  } catch (err) {
    throw llmError(err, !!deadline?.aborted && !opts.signal?.aborted);
  }
}

function llmError(err: unknown, pastDeadline = false): AppError {
  const { Anthropic: A } = sdk();
  const reason: LlmFailureReason = pastDeadline
    ? 'timeout'
    : err instanceof A.APIUserAbortError
      ? 'aborted'
      : err instanceof A.APIConnectionTimeoutError
        ? 'timeout'
        : err instanceof A.APIConnectionError
          ? 'connection'
          : err instanceof A.RateLimitError
            ? 'rate_limited'
            : err instanceof A.APIError && err.status === 529
              ? 'overloaded'
              : err instanceof A.APIError && (err.status ?? 0) >= 500
                ? 'server'
                : 'client';
  const status = err instanceof A.APIError ? err.status : undefined;
  return new AppError('LLM_FAILED', `Anthropic call failed (${reason}${status ? ` ${status}` : ''})`, {
    cause: err,
    details: { reason, status },
  });
}
