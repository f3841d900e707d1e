import type PgBoss from 'pg-boss';
import type { Config } from './config.js';
import type { Database } from './db/index.js';
import type { Llm } from './llm/client.js';
import type { Logger } from './log.js';
import type { SecretBox } from './secret-box.js';

/** What every process (web, worker, CLI command) has open once it has started. */
export interface AppContext {
  db: Database;
  boss: PgBoss;
  config: Config;
  log: Logger;
  secrets: SecretBox;
  /** The one Anthropic client, built at start; undefined without an API key (the offline drafter runs). */
  llm: Llm | undefined;
}
