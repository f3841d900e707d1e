// `prospector crm sync [--dry-run] [--full]` and `prospector crm status`, run as real child processes
// against the fake HubSpot, on PostgreSQL and on PGlite (the child opens the embedded database in its
// DATA_DIR, so the test closes its own handle first). A dry run says what would change and writes
// nothing on either side; a revoked token makes both commands exit 1 with the reason.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWithToken } from '../../crm/connection.js';
import { openPglite } from '../../db/pglite.js';
import { buildWorkspace } from '../support/builders.js';
import { createTestContext, TEST_SECRET } from '../support/context.js';
import { BACKENDS, createTestDb, type TestDb } from '../support/db.js';
import { seedPgliteDataDir } from '../support/pglite-image.js';
import { startFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.js';
import { cleanEnv, startProcess } from '../support/process.js';

const lines = (s: string) => s.replace(/[ \t]+/g, ' ');

for (const backend of BACKENDS) {
  describe(`prospector crm [${backend}]`, { timeout: 180_000 }, () => {
    let hs: FakeHubSpot;
    let t: TestDb;
    const env: Record<string, string> = {};

    beforeAll(async () => {
      hs = await startFakeHubSpot();
      const dataDir = mkdtempSync(path.join(tmpdir(), 'prospector-crm-cli-'));
      if (backend === 'postgres') t = await createTestDb('postgres', { label: 'crmcli' });
      else {
        // The child's data folder starts as a copy of the migrated image: no initdb, no migrations.
        await seedPgliteDataDir(dataDir);
        const db = await openPglite(path.join(dataDir, 'pgdata'));
        t = { backend, db, dispose: () => db.close() };
      }
      const ctx = await createTestContext(t, { HUBSPOT_API_URL: hs.url });
      const ws = await buildWorkspace(ctx.db);
      await connectWithToken(ctx, { workspaceId: ws.id, userId: null, kind: 'hubspot', token: hs.addPrivateToken() });
      await ctx.stop();
      if (backend === 'pglite') await t.dispose();
      const co = hs.create('companies', { name: 'Cli Co', domain: 'cli-co.test' });
      hs.create('companies', { name: 'Other Cli', domain: 'other-cli.test' });
      hs.create('contacts', { email: 'ann@cli-co.test', firstname: 'Ann', lastname: 'Cli' }, { companies: [co.id] });
      Object.assign(env, {
        ...(t.url ? { DATABASE_URL: t.url } : {}),
        DATA_DIR: dataDir,
        APP_SECRET: TEST_SECRET,
        HUBSPOT_API_URL: hs.url,
        ALLOW_PRIVATE_FETCH: '1',
        LOG_LEVEL: 'silent',
      });
    }, 120_000);
    afterAll(async () => {
      if (backend === 'postgres') await t?.dispose();
      await hs?.close();
    });

    const cli = async (...args: string[]) => {
      const p = startProcess(['crm', ...args], cleanEnv(env));
      const code = await p.exit();
      return { code, out: lines(p.stdout()), err: p.stderr() };
    };
    const writes = () => hs.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/search')).length;

    it('status before any run: connected, nothing queued', async () => {
      const r = await cli('status');
      expect(r.code).toBe(0);
      expect(r.out).toContain('HubSpot: connected');
      expect(r.out).toContain('failed records: 0; activity queue: empty');
    });

    it('sync --dry-run says what would change and writes nothing; the real sync then creates it', async () => {
      const before = writes();
      const dry = await cli('sync', '--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.out).toContain('Dry run (nothing written): done');
      expect(dry.out).toMatch(/companies: 2 read, 2 would be created, 0 would change/);
      expect(dry.out).toMatch(/contacts: 1 read, 1 would be created/);
      expect(writes()).toBe(before);
      // Nothing was written here either: the real run still finds everything new.
      const real = await cli('sync');
      expect(real.code).toBe(0);
      expect(real.out).toContain('Sync in: done');
      expect(real.out).toMatch(/companies: 2 read, 2 created, 0 updated/);
      expect(real.out).toMatch(/contacts: 1 read, 1 created/);
    });

    it('sync --full reads everything again and changes nothing; status shows the last run in', async () => {
      const full = await cli('sync', '--full');
      expect(full.code).toBe(0);
      expect(full.out).toMatch(/companies: 2 read, 0 created, 0 updated, 2 unchanged/);
      const status = await cli('status');
      expect(status.out).toMatch(/last run in : done at \S+, \d+ read, \d+ written, 0 failed/);
    });

    it('a revoked token: sync stops with the reason and both commands exit 1', async () => {
      hs.revokeAll();
      const r = await cli('sync');
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/Sync in: stopped — HubSpot refused our access/);
      const status = await cli('status');
      expect(status.code).toBe(1);
      expect(status.out).toMatch(/HubSpot: revoked — HubSpot refused our access .*reconnect on Settings → CRM/);
    });
  });
}
