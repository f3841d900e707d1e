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
      // The feed server's origin only: any other private address is refused, as in production.
      ALLOW_PRIVATE_FETCH: srv.base,
      DATABASE_URL: '',
    },
    timeout: 120_000,
  });

/** A command that must fail: its exit code and what it wrote. */
const refusedCli = async (...args: string[]) => {
  const err = (await cli(...args).then(
    () => expect.fail(`${args.join(' ')} succeeded`),
    (e: unknown) => e,
  )) as { code: number; stdout: string; stderr: string };
  return { code: err.code, stdout: err.stdout, stderr: err.stderr };
};

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

  it('source add checks as the page and the API do: refused in their words with exit 2, storing nothing', async () => {
    const add = (kind: string, name: string, url: string) => [
      'source',
      'add',
      '--kind',
      kind,
      '--name',
      name,
      '--url',
      url,
    ];
    const count = async () => (JSON.parse((await cli('source', 'list', '--json')).stdout) as unknown[]).length;
    // Normalized and checked before it is stored: the dot segment goes, the allowed origin passes.
    const id = (await count()) + 1;
    expect((await cli(...add('feed', 'Other', `${srv.base}/./other.xml`))).stdout).toBe(
      `source ${id} added: Other (RSS / Atom feed) ${srv.base}/other.xml\n`,
    );
    const before = await count();
    // The words test/review-ui/sources-address.test.ts and bad-input-sources.test.ts expect from the API.
    const refusals: [string[], string][] = [
      [add('feed', 'Again', `${srv.base}/other.xml`), 'A feed with this address already exists: Other'],
      [
        add('feed', 'Local', 'http://localhost:8080/feed.xml'),
        'URL cannot be polled: localhost is a private or reserved address; set ALLOW_PRIVATE_FETCH to allow it (true, or a list of origins)',
      ],
      [
        add('lever', 'Spaced', 'https://exa mple.com/jobs'),
        'URL is not a web address; an http(s) address like https://example.com/feed.xml',
      ],
      [
        [...add('feed', 'Quick', `${srv.base}/quick.xml`), '--interval', '2'],
        'Poll every (minutes) must be at least 5',
      ],
    ];
    for (const [args, words] of refusals) {
      const r = await refusedCli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`prospector: ${words}\n`);
      expect(r.stdout).toBe('');
    }
    expect(await count()).toBe(before);
  }, 180_000);

  it('source test refuses a malformed or private address in the words source add uses, with exit 2', async () => {
    const malformed = await refusedCli('source', 'test', 'https://exa mple.com/jobs', '--kind', 'lever');
    expect([malformed.code, malformed.stderr]).toEqual([
      2,
      'prospector: URL is not a web address; an http(s) address like https://example.com/feed.xml\n',
    ]);
    const local = await refusedCli('source', 'test', 'http://localhost:8080/feed.xml');
    expect([local.code, local.stderr]).toEqual([
      2,
      'prospector: URL cannot be polled: localhost is a private or reserved address; set ALLOW_PRIVATE_FETCH to allow it (true, or a list of origins)\n',
    ]);
  }, 120_000);
});
