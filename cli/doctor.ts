import { createSecretBox } from '../secret-box.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { openDatabase } from '../db/index.js';
import { createCaches } from '../context.js';
import { createLogger } from '../log.js';
import { configOrExit } from './context.js';
import {
  checkChromium,
  checkDatabase,
  checkLlm,
  checkMailboxes,
  defaultDeps,
  type Check,
  type DoctorDeps,
} from './doctor-checks.js';
import { checkOAuthMailboxes, checkOAuthProviders } from './doctor-oauth.js';

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

async function runDoctor(deps: DoctorDeps = defaultDeps()): Promise<Check[]> {
  const config = configOrExit();
  const checks: Check[] = [
    {
      name: 'config',
      status: 'ok',
      detail: `${config.embedded ? 'embedded database' : 'PostgreSQL'}; public URL ${config.publicUrl}`,
    },
  ];
  if (config.publicUrl.startsWith('http://') && !/\/\/(localhost|127\.)/.test(config.publicUrl)) {
    checks.push({
      name: 'public URL',
      status: 'warn',
      detail: 'PUBLIC_URL is not https: session cookies are not marked Secure',
      fix: 'Serve Prospector over https and set PUBLIC_URL to the https address.',
    });
  }
  checks.push(...(await checkOAuthProviders(config)));
  let db;
  try {
    db = await openDatabase(config);
  } catch (e) {
    if (e instanceof DataDirLockedError)
      checks.push({
        name: 'database',
        status: 'warn',
        detail: `${e.message}; only one process may open it, so its checks were skipped`,
        fix: 'Stop the running app and run doctor again to check the database and mailboxes.',
      });
    else
      checks.push({
        name: 'database',
        status: 'fail',
        detail: (e as Error).message,
        fix: 'Check DATABASE_URL (or DATA_DIR for the embedded database).',
      });
  }
  if (db) {
    try {
      checks.push(...(await checkDatabase(db)));
      if (checks.every((c) => c.name !== 'database' || c.status === 'ok'))
        checks.push(
          ...(await checkMailboxes(db, createSecretBox(config.appSecret), deps, {
            allowPrivate: config.allowPrivateFetch,
          })),
          ...(await checkOAuthMailboxes({
            db,
            config,
            secrets: createSecretBox(config.appSecret),
            log: createLogger('silent'),
            caches: createCaches(),
          })),
        );
    } finally {
      await db.close();
    }
  }
  checks.push(await checkChromium(deps.chromiumPath), await checkLlm(config, deps.timeoutMs));
  return checks;
}

export async function doctorCommand(o: { json?: boolean }): Promise<void> {
  const checks = await runDoctor();
  if (o.json) process.stdout.write(JSON.stringify(checks, null, 2) + '\n');
  else {
    for (const c of checks) {
      process.stdout.write(`${MARK[c.status]}  ${c.name}: ${c.detail}\n`);
      if (c.fix && c.status !== 'ok') process.stdout.write(`        fix: ${c.fix}\n`);
    }
    const bad = checks.filter((c) => c.status === 'fail').length;
    process.stdout.write(bad ? `\n${bad} problem(s) to fix.\n` : '\nNo problems found.\n');
  }
  if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
}
