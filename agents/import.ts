import { processImport } from '../accounts/import.js';
import { defineAgent } from './runtime.js';

/** Runs CSV imports uploaded through the web, so a large file does not tie up a web process. */
export const importAgent = defineAgent({
  queue: 'importRun',
  async handler({ importId }, { db, log }) {
    const report = await processImport(db, importId);
    if (report)
      log.info(
        { importId, created: report.created, updated: report.updated, errors: report.errors.length },
        'import.done',
      );
  },
});
