// The embedded database has one writer: CLI commands next to a running `prospector start` go
// through it or stop with a clear message, and a lock left by a killed app is taken over.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedPgliteDataDir } from '../support/pglite-image.js';
import { Browserish } from '../support/web.js';
import { cleanEnv, startProcess, type Proc } from '../support/process.js';

const running: Proc[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
});

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const p = startProcess(args, env);
  running.push(p);
  const code = await p.exit();
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

describe('DATA_DIR lock with real processes', { timeout: 400_000 }, () => {
  it(`user add, import and inbound-secret go through the running app; other commands stop with exit 4; a killed \
app’s lock is taken over`, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'prospector-lock-'));
    // A migrated, empty embedded database from the image (test/cli/start.test.ts starts one from nothing).
    await seedPgliteDataDir(dataDir);
    const env = cleanEnv({ DATA_DIR: dataDir, PORT: '0' });
    const app = startProcess(['start'], env);
    running.push(app);
    const [, base] = await app.waitFor(/running at (http:\/\/127\.0\.0\.1:\d+)/, 180_000);

    const added = await cli(['user', 'add', '--email', 'rep2@lock.example', '--role', 'rep'], env);
    expect(added.code).toBe(0);
    expect(added.stderr).toContain('run by the Prospector already running');
    const password = /one-time password: (\S+)/.exec(added.stdout)![1]!;
    // The user exists for the app itself: it can log in without a restart.
    expect((await new Browserish(base!).login('rep2@lock.example', password)).status).toBe(303);

    const csv = path.join(dataDir, 'accounts.csv');
    writeFileSync(csv, 'Name,Domain\nLockstep Labs,lockstep.example\n');
    const imported = await cli(['import', 'accounts', csv], env);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('1 created');

    // The webhook secret is read (and rotated) by the app too; this workspace has no mailbox yet.
    const secret = await cli(['inbound-secret'], env);
    expect(secret).toMatchObject({ code: 1, stderr: expect.stringContaining('run by the Prospector already running') });
    expect(secret.stderr).toContain('prospector: no mailboxes yet');

    const migrate = await cli(['migrate'], env);
    expect(migrate.code).toBe(4);
    expect(migrate.stderr).toContain(`the embedded database in ${dataDir} is in use by a running Prospector`);
    expect(migrate.stderr).toContain('Stop the running app first');

    // A killed app leaves its socket behind; nobody answers it, so the next command takes over.
    await app.stop('SIGKILL');
    const again = await cli(['user', 'add', '--email', 'rep2@lock.example', '--role', 'rep'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).not.toContain('already running');
    expect(again.stderr).toMatch(/already/i);
    const reimport = await cli(['import', 'accounts', csv, '--json'], env);
    expect(JSON.parse(reimport.stdout)).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
  });
});
