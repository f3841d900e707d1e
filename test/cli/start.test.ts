import { mkdtempSync, existsSync } from 'node:fs';
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

describe('prospector start on the embedded default', { timeout: 300_000 }, () => {
  it('with --demo and no PostgreSQL reachable: answers /healthz, prints demo logins that work, stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'prospector-start-'));
    // PG* variables point at a closed port: nothing may try PostgreSQL.
    const p = startProcess(
      ['start', '--demo'],
      cleanEnv({ DATA_DIR: dataDir, PORT: '0', PGHOST: '127.0.0.1', PGPORT: '1', LOG_LEVEL: 'info' }),
    );
    running.push(p);
    const [, base] = await p.waitFor(/running at (http:\/\/127\.0\.0\.1:\d+)/, 180_000);
    const [, email, password] = await p.waitFor(/rep\s+(\S+@\S+)\s+(\S+)/);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, backend: 'pglite' });
    expect(existsSync(path.join(dataDir, 'pgdata'))).toBe(true);

    const b = new Browserish(base!);
    expect((await b.login(email!, password!)).status).toBe(303);
    const accounts = await b.page('/accounts');
    expect(accounts.res.status).toBe(200);
    expect(accounts.html).toContain('Northwind Analytics');
    expect(accounts.html).toContain('20 in all');

    expect(await p.stop('SIGTERM')).toBe(0);
    // `start` logs short lines for a person, not JSON.
    expect(p.stderr()).toMatch(/^\d\d:\d\d:\d\d INFO {2}process\.stopped/m);
    expect(p.stderr()).toMatch(/^\d\d:\d\d:\d\d INFO {2}GET \/accounts 200 \d+ms/m);
    expect(p.stderr()).not.toMatch(/^\{/m);

    // A second start on the same data dir keeps the data and shows the same logins again.
    const again = startProcess(['start', '--demo'], cleanEnv({ DATA_DIR: dataDir, PORT: '0' }));
    running.push(again);
    const [, base2] = await again.waitFor(/running at (http:\/\/127\.0\.0\.1:\d+)/, 180_000);
    const [, email2, password2] = await again.waitFor(/rep\s+(\S+@\S+)\s+(\S+)/);
    expect([email2, password2]).toEqual([email, password]);
    const b2 = new Browserish(base2!);
    expect((await b2.login(email!, password!)).status).toBe(303);
    expect(await again.stop('SIGTERM')).toBe(0);
  });

  it('without --demo on an empty database: creates an admin once and prints its login once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'prospector-start-'));
    // Migrated but empty (the test above starts from nothing, initdb and all).
    await seedPgliteDataDir(dataDir);
    const p = startProcess(['start'], cleanEnv({ DATA_DIR: dataDir, PORT: '0' }));
    running.push(p);
    const [, base] = await p.waitFor(/running at (http:\/\/127\.0\.0\.1:\d+)/, 180_000);
    const [, email, password] = await p.waitFor(/\n\s+(admin@localhost)\s+(\S+)/);
    const b = new Browserish(base!);
    expect((await b.login(email!, password!)).status).toBe(303);
    expect((await b.page('/users')).res.status).toBe(200);
    expect(await p.stop()).toBe(0);
    const again = startProcess(
      ['start'],
      cleanEnv({ DATA_DIR: dataDir, PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info' }),
    );
    running.push(again);
    await again.waitFor(/running at/, 180_000);
    // Everything it ever printed is known once it has exited: only then can "no logins" be asserted.
    await again.stop();
    expect(again.stdout()).not.toContain('admin@localhost');
    // LOG_FORMAT=json keeps machine-readable lines (the default of `web` and `worker`).
    const lines = again.stderr().trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(JSON.parse(l)).toHaveProperty('level');
  });
});
