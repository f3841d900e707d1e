// `prospector source test|add|list` and `prospector signals poll` as a person runs them: real
// processes on the embedded database, a feed on a loopback server.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/context.js';
import { seedPgliteDataDir } from '../support/pglite-image.js';
import { CHILD_NODE_ARGS } from '../support/process.js';
import { fixtureServer, send, type FixtureServer } from './http-fixture.js';

const execFileP = promisify(execFile);
const recent = new Date(Date.now() - 3600_000).toUTCString();
let srv: FixtureServer;
let dataDir: string;
const cli = (...args: string[]) =>
  execFileP(process.execPath, [...CHILD_NODE_ARGS, 'bin/prospector.js', ...args], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      APP_SECRET: TEST_SECRET,
      LOG_LEVEL: 'silent',
      ALLOW_PRIVATE_FETCH: '1',
      DATABASE_URL: '',
    },
    timeout: 120_000,
  });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'prospector-cli-signals-'));
  // The embedded database starts as a copy of the migrated image: no initdb, no migrations in the first command.
  await seedPgliteDataDir(dataDir);
  srv = await fixtureServer({
    '/feed.xml': send(
      'application/rss+xml',
      `<?xml version="1.0"?><rss version="2.0"><channel><title>wire</title><link>https://wire.example/</link>
      <item><title>Kestrel Robotics lands $42 million Series B led by Foundry Peak</title>` +
        `<link>https://wire.example/k</link><pubDate>${recent}</pubDate></item>
      <item><title>Zephyr Labs raises €5M seed</title><link>https://wire.example/z</link>` +
        `<pubDate>${recent}</pubDate></item></channel></rss>`,
    ),
  });
  writeFileSync(path.join(dataDir, 'accounts.csv'), 'name,domain\nKestrel Robotics,kestrel.example\n');
});
afterAll(async () => srv?.close());

describe('signal commands', () => {
  it('source test prints items with type, facts and the matched account, storing nothing', async () => {
    await cli('import', 'accounts', path.join(dataDir, 'accounts.csv'));
    const text = (await cli('source', 'test', `${srv.base}/feed.xml`, '--kind', 'feed')).stdout;
    expect(text).toContain('[funding/series_b] Kestrel Robotics lands $42 million Series B');
    expect(text).toContain('→ Kestrel Robotics (by name)');
    expect(text).toContain('amount=42000000; currency=USD');
    expect(text).toContain('→ unmatched (Zephyr Labs)');
    const json = JSON.parse((await cli('source', 'test', `${srv.base}/feed.xml`, '--json')).stdout) as {
      items: { type: string; facts: { currency: string }; match: { status: string } }[];
    };
    expect(json.items.map((i) => [i.type, i.facts.currency, i.match.status])).toEqual([
      ['funding', 'USD', 'matched'],
      ['funding', 'EUR', 'unmatched'],
    ]);
  }, 120_000);

  it('source add, signals poll and source list', async () => {
    expect(
      (
        await cli(
          'source',
          'add',
          '--kind',
          'feed',
          '--name',
          'Wire',
          '--url',
          `${srv.base}/feed.xml`,
          '--interval',
          '15',
        )
      ).stdout,
    ).toMatch(/^source 1 added: Wire/);
    const hook = (await cli('source', 'add', '--kind', 'webhook', '--name', 'Provider')).stdout;
    expect(hook).toMatch(/webhook secret \(shown once\): \S{30,}/);
    expect((await cli('signals', 'poll')).stdout).toContain(
      'source 1: 2 item(s), 2 new signal(s), 0 merged, 1 research job(s)',
    );
    expect((await cli('signals', 'poll', '--source', '1')).stdout).toContain(
      'source 1: 2 item(s), 0 new signal(s), 2 merged, 0 research job(s)',
    );
    const list = (await cli('source', 'list')).stdout;
    expect(list).toMatch(/1\s+feed\s+ok\s+Wire/);
    expect(list).not.toContain('secret');
  }, 180_000);
});
