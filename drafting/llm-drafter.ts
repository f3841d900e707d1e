// Claude drafts the whole sequence in one structured answer; the gates check it; one automatic
// retry feeds the failures back. What still fails goes to review with its failures attached.
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { AppError } from '../errors.js';
import { callModel, type Llm } from '../llm/client.js';
import type { LlmUsage } from '../llm/pricing.js';
import { gateFailures, runGates, type GateFailure, type GateResult } from './gates.js';
import { buildDraftPrompt, feedbackTurns, PROMPT_VERSION, type PromptOptions } from './prompt.js';
import { DraftedSequence, type DraftInput } from './schema.js';

// Room for adaptive thinking on current models as well as the five steps.
const DRAFT_MAX_TOKENS = 8192;
const format = zodOutputFormat(DraftedSequence);

export interface DraftOutcome {
  source: 'llm' | 'offline';
  promptVersion: string;
  draft: DraftedSequence;
  gateResults: GateResult[];
  failures: GateFailure[];
  /** Model calls made (1 or 2 for the LLM path, 0 offline). */
  attempts: number;
  usage: LlmUsage[];
}

interface LlmDraftOptions extends PromptOptions {
  signal?: AbortSignal;
  /** Called after every model call, so cost is recorded even when a later step fails. */
  onUsage?: (usage: LlmUsage, purpose: 'draft' | 'draft.retry') => Promise<void> | void;
}

/** Parses an answer against the schema; a failure becomes a `schema` gate failure. */
function parseDraft(text: string): { draft?: DraftedSequence; failure?: GateFailure } {
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/```$/, '');
  try {
    return { draft: format.parse(unfenced) };
  } catch (err) {
    return { failure: { gate: 'schema', step: null, message: (err as Error).message.slice(0, 800) } };
  }
}

export async function draftWithLlm(llm: Llm, input: DraftInput, opts: LlmDraftOptions = {}): Promise<DraftOutcome> {
  const prompt = buildDraftPrompt(input, opts);
  const usage: LlmUsage[] = [];
  let messages = prompt.messages;
  let last: { draft?: DraftedSequence; failures: GateFailure[]; results: GateResult[] } | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const answer = await callModel(
      llm,
      { model: llm.model, system: prompt.system, messages, maxTokens: DRAFT_MAX_TOKENS, format },
      { signal: opts.signal },
    );
    usage.push(answer.usage);
    await opts.onUsage?.(answer.usage, attempt === 1 ? 'draft' : 'draft.retry');
    const parsed =
      answer.stopReason === 'max_tokens'
        ? {
            failure: {
              gate: 'schema' as const,
              step: null,
              message: `the answer was cut off at ${DRAFT_MAX_TOKENS} tokens; write shorter emails`,
            },
          }
        : parseDraft(answer.text);
    if (parsed.draft) {
      const results = runGates(parsed.draft, input);
      last = { draft: parsed.draft, results, failures: gateFailures(results) };
    } else {
      // Keep the earlier parsed draft (and its failures) to show the rep, noting the bad answer.
      last = {
        draft: last?.draft,
        results: last?.results ?? [],
        failures: [...(last?.failures ?? []).filter((f) => f.gate !== 'schema'), parsed.failure!],
      };
    }
    if (last.draft && last.failures.length === 0) break;
    messages = [...prompt.messages, ...feedbackTurns(answer.text, last.failures)];
    if (attempt === 2) break;
  }
  if (!last?.draft) {
    // The calls were made and paid for: their usage goes with the error, so callers count it.
    throw new AppError('LLM_SCHEMA', 'the model answered twice without a sequence that fits the schema', {
      details: { failures: last?.failures, usage },
    });
  }
  return {
    source: 'llm',
    promptVersion: PROMPT_VERSION,
    draft: last.draft,
    gateResults: last.results,
    failures: last.failures,
    attempts: usage.length,
    usage,
  };
}
