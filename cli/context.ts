// Opening and closing what a process needs: config, logger, database (migrated), pg-boss.
import { createSecretBox } from '../secret-box.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { assembleContext, type RunningContext } from '../context.js';
import { DataDirLockedError, type DataDirLock } from '../db/data-dir-lock.js';
import { openDatabase, type OpenedDatabase } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { startBoss } from '../agents/boss.js';
import { createLogger, type LogFormat } from '../log.js';
import { useDnsServers } from '../net/guard.js';

/** Exit code of a command refused for what it was given (a bad configuration, a refused argument). */
export const EXIT_BAD_INPUT = 2;

/** Loads config or exits with EXIT_BAD_INPUT and one line per bad key. */
export function configOrExit(): Config {
  try {
    const config = loadConfig();
    // The address guard resolves with the configured servers from the first connection on.
    useDnsServers(config.dnsServers);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`prospector: configuration is not valid\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exit(EXIT_BAD_INPUT);
    }
    throw err;
  }
}

/** Exit code of a command refused because a running embedded app holds DATA_DIR. */
const EXIT_DATA_DIR_LOCKED = 4;

/**
 * Opens the database, or exits with EXIT_DATA_DIR_LOCKED and says what to do when a running
 * embedded app holds it: a second writer would write where the app never looks.
 */
export async function openDatabaseOrExit(config: Config): Promise<OpenedDatabase> {
  try {
    return await openDatabase(config);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    process.stderr.write(
      `prospector: ${err.message} (\`prospector start\`), and only one process may open it.\n` +
        `  Stop the running app first, or do this in the web app at ${config.publicUrl}.\n` +
        `  (\`prospector user add\`, \`prospector import\` and \`prospector inbound-secret\` go through the running app by themselves.)\n`,
    );
    process.exit(EXIT_DATA_DIR_LOCKED);
  }
}

interface OpenOptions {
  /** Run pg-boss maintenance and cron schedules in this process (workers do; a CLI one-shot does not). */
  supervise?: boolean;
  boss?: boolean;
  /** The log format when LOG_FORMAT is not set (`start` is read by a person; `web`/`worker` by machines). */
  logFormat?: LogFormat;
}

export async function openContext(opts: OpenOptions = {}): Promise<RunningContext & { dataDirLock?: DataDirLock }> {
  const config = configOrExit();
  const log = createLogger(config.logLevel, 'prospector', config.logFormat ?? opts.logFormat ?? 'json');
  const db = await openDatabaseOrExit(config);
  const applied = await migrate(db);
  if (applied.length) log.info({ applied }, 'db.migrated');
  const boss =
    opts.boss === false
      ? (undefined as never)
      : await startBoss(db, { databaseUrl: config.databaseUrl, supervise: opts.supervise ?? false });
  boss?.on('error', (err: Error) => log.warn({ err }, 'queue.error'));
  const ctx = assembleContext({ config, log, db, boss, secrets: createSecretBox(config.appSecret) }, async () => {
    if (boss) await boss.stop({ graceful: true, wait: true, timeout: 20_000, close: true });
    await db.close();
  });
  return Object.assign(ctx, { dataDirLock: db.dataDirLock });
}
