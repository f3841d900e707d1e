// The application context: what a process opened (database, pg-boss, config, logger, secrets)
// and the resources it owns for its life, built once here and disposed by `close()`. Nothing
// builds its own client, pool or cache per job or request: it takes the context's.
import type PgBoss from 'pg-boss';
import type { Config } from './config.js';
import type { Database } from './db/index.js';
import { createLlm, type Llm } from './llm/client.js';
import type { Logger } from './log.js';
import type { SecretBox } from './secret-box.js';
import { TransportPool, transportDeps } from './sequencing/transport.js';

/** What every process (web, worker, CLI command) has open once it has started. */
export interface AppContext {
  db: Database;
  boss: PgBoss;
  config: Config;
  log: Logger;
  secrets: SecretBox;
  /** The one Anthropic client, built at start; undefined without an API key (the offline drafter runs). */
  llm: Llm | undefined;
  /**
   * The process's send transports and send slots (pooled SMTP connections per mailbox, provider
   * APIs, the outbox), shared by the send agent, the in-app answer and the demo's "send now".
   */
  transports: TransportPool;
}

/** A context and the one way to end it. */
export interface RunningContext extends AppContext {
  /** Closes what the context owns (the send pools' connections), then what it was opened on (`closeOpened`). */
  close(): Promise<void>;
}

/**
 * Builds the context's own resources on what a process opened. `closeOpened` ends the opener's
 * part (pg-boss, the database) after the resources are closed.
 */
export function assembleContext(
  opened: Omit<AppContext, 'llm' | 'transports'> & { llm?: Llm },
  closeOpened: () => Promise<void>,
): RunningContext {
  const base = { ...opened, llm: 'llm' in opened ? opened.llm : createLlm(opened.config) };
  const transports = new TransportPool(transportDeps(base));
  let closing: Promise<void> | undefined;
  return {
    ...base,
    transports,
    close() {
      closing ??= (async () => {
        await transports.close();
        await closeOpened();
      })();
      return closing;
    },
  };
}
