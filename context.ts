// The application context: what a process opened (database, pg-boss, config, logger, secrets)
// and the resources it owns for its life, built once here and disposed by `stop()`. Nothing
// builds its own client, pool, browser or cache per job or request: it takes the context's.
import type PgBoss from 'pg-boss';
import type { Config } from './config.js';
import type { Database } from './db/index.js';
import { createLlm, type Llm } from './llm/client.js';
import type { Logger } from './log.js';
import type { OidcCache } from './mailboxes/oauth/providers.js';
import { chromiumRenderer, type Renderer } from './net/browser.js';
import type { SecretBox } from './secret-box.js';
import { TransportPool, transportDeps } from './sequencing/transport.js';
import type { SignalCaches } from './signals/ingest.js';

/**
 * What the process remembers between jobs and requests, emptied by `stop()`. (Holiday calendars
 * are not here: sequencing/holidays.ts memoises constant data per country, nothing to dispose.)
 */
export interface AppCaches extends SignalCaches {
  /** OIDC discovery (the issuer's metadata and our client) per issuer and client id. */
  oidc: OidcCache;
}

export function createCaches(): AppCaches {
  return { accountIndex: new Map(), rematchSeen: new Map(), oidc: new Map() };
}

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
  /** The process's one Chromium for script-rendered pages (launched at the first render), or null without Chromium. */
  renderer: Renderer | null;
  caches: AppCaches;
}

/** A context and the one way to end it. */
export interface RunningContext extends AppContext {
  /** Stops what the context owns (send pools, the browser, caches), then what it was opened on (`closeOpened`). */
  stop(): Promise<void>;
}

/**
 * Builds the context's own resources on what a process opened. `closeOpened` ends the opener's
 * part (pg-boss, the database) after the resources are closed.
 */
export function assembleContext(
  opened: Omit<AppContext, 'llm' | 'transports' | 'renderer' | 'caches'> & { llm?: Llm; renderer?: Renderer | null },
  closeOpened: () => Promise<void>,
): RunningContext {
  const base = {
    ...opened,
    llm: 'llm' in opened ? opened.llm : createLlm(opened.config),
    renderer: opened.renderer !== undefined ? opened.renderer : chromiumRenderer(),
    caches: createCaches(),
  };
  const transports = new TransportPool(transportDeps(base));
  let stopping: Promise<void> | undefined;
  return {
    ...base,
    transports,
    stop() {
      stopping ??= (async () => {
        await transports.close();
        await base.renderer?.close();
        base.caches.accountIndex.clear();
        base.caches.rematchSeen.clear();
        base.caches.oidc.clear();
        await closeOpened();
      })();
      return stopping;
    },
  };
}
