// The long-running processes' safety net. A promise nobody awaited that rejects (a queue
// library finishing a job while PostgreSQL restarts) must not end a worker or the web app: it
// is logged, counted (`prospector_unhandled_rejections_total` in /metrics) and the process goes
// on; pools reconnect by themselves. An uncaught exception is survived only when it is the
// database or the network going away; anything else leaves the process in an unknown state, so
// it exits with one clear line and the supervisor (compose `restart: unless-stopped`, systemd)
// starts it again.
import type { Logger } from './log.js';
import { isTransientDbError } from './db/transient.js';

export const processFaults = { unhandledRejections: 0, survivedExceptions: 0 };

let installed = false;

export function installProcessGuard(log: Logger, exit: (code: number) => void = (c) => process.exit(c)): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    processFaults.unhandledRejections++;
    log.error({ err: reason, count: processFaults.unhandledRejections }, 'process.unhandled_rejection');
  });
  process.on('uncaughtException', (err) => {
    if (isTransientDbError(err)) {
      processFaults.survivedExceptions++;
      log.error({ err }, 'process.uncaught_exception_survived');
      return;
    }
    log.fatal({ err }, 'process.fatal');
    process.stderr.write(`prospector: stopping after an unexpected error: ${err?.stack ?? String(err)}\n`);
    exit(1);
  });
}
