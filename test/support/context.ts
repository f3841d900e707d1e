// An AppContext for tests: a real database, real pg-boss, a silent logger, a fixed secret.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../config.js';
import { assembleContext, type RunningContext } from '../../context.js';
import { startBoss } from '../../agents/boss.js';
import { createLogger } from '../../log.js';
import { createSecretBox } from '../../secret-box.js';
import type { TestDb } from './db.js';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export function testConfig(t: Pick<TestDb, 'url'>, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'prospector-test-')),
    APP_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ALLOW_PRIVATE_FETCH: '1',
    PORT: '0',
    ...(t.url ? { DATABASE_URL: t.url } : {}),
    ...env,
  });
}

export async function createTestContext(
  t: TestDb,
  env: Record<string, string> = {},
  opts: { supervise?: boolean } = {},
): Promise<RunningContext> {
  const config = testConfig(t, env);
  const boss = await startBoss(t.db, { databaseUrl: t.url, supervise: opts.supervise ?? false, poolMax: 2 });
  const log = createLogger(config.logLevel);
  return assembleContext({ db: t.db, boss, config, log, secrets: createSecretBox(config.appSecret) }, async () => {
    await boss.stop({ graceful: false, wait: true, timeout: 5000, close: true });
  });
}
