import { run } from '../db/index.js';
import { setSignalError } from '../db/queries/drafting.js';
import { draftSequence, draftSignal } from '../drafting/service.js';
import { isAppError } from '../errors.js';
import { defineAgent } from './runtime.js';

/**
 * `draft {signalId}`: one sequence per dossier contact, drafted and left in review (or the
 * signal marked `needs_contact`). `draft {sequenceId, instruction}`: a rep's rewrite, kept as a
 * new version. Without an API key the offline drafter writes the drafts. A job that cannot
 * apply (no template, sequence no longer in review) is recorded and dropped, not retried.
 */
export const draftAgent = defineAgent({
  queue: 'draft',
  concurrency: 2,
  async handler(payload, { db, config, log, signal, llm }) {
    const deps = { db, config, log, signal, llm };
    try {
      if (payload.signalId) {
        const result = await draftSignal(deps, payload.signalId);
        log.info(
          { signalId: payload.signalId, status: result.status, sequences: result.drafts.map((d) => d.sequenceId) },
          'draft.done',
        );
        return;
      }
      const d = await draftSequence(deps, payload.sequenceId!, { instruction: payload.instruction, rewrite: true });
      log.info({ sequenceId: d.sequenceId, version: d.version, applied: d.applied }, 'draft.rewritten');
    } catch (err) {
      if (!isAppError(err, 'STATE') && !isAppError(err, 'NOT_FOUND')) throw err;
      log.warn({ err, signalId: payload.signalId, sequenceId: payload.sequenceId }, 'draft.dropped');
      if (payload.signalId) await run(db, setSignalError(payload.signalId, err.message));
    }
  },
});
