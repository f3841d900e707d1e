import { createLlm } from '../drafting/anthropic.js';
import { draftSequence, draftSignal } from '../drafting/service.js';
import { defineAgent } from './runtime.js';

/**
 * `draft {signalId}`: one sequence per dossier contact, drafted and left in review (or the
 * signal marked `needs_contact`). `draft {sequenceId, instruction}`: a rep's rewrite, kept as a
 * new version. Without an API key the offline drafter writes the drafts.
 */
export const draftAgent = defineAgent({
  queue: 'draft',
  concurrency: 2,
  async handler(payload, { db, config, log, signal }) {
    const deps = { db, config, log, signal, llm: createLlm(config) };
    if (payload.signalId) {
      const result = await draftSignal(deps, payload.signalId);
      log.info({ signalId: payload.signalId, status: result.status, sequences: result.drafts.map((d) => d.sequenceId) }, 'draft.done');
      return;
    }
    const d = await draftSequence(deps, payload.sequenceId!, { instruction: payload.instruction, rewrite: true });
    log.info({ sequenceId: d.sequenceId, version: d.version, applied: d.applied }, 'draft.rewritten');
  },
});
