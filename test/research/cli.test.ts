import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDossier } from '../../cli/research.js';
import type { Dossier } from '../../research/types.js';
import { startFixtureSites, type FixtureSites } from './fixture-sites.js';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

let sites: FixtureSites;
beforeAll(async () => {
  sites = await startFixtureSites();
});
afterAll(async () => sites.close());

function cli(args: string[]) {
  const env = {
    PATH: process.env.PATH!,
    HOME: process.env.HOME ?? '/tmp',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'prospector-cli-')),
    ALLOW_PRIVATE_FETCH: '1',
    LOG_LEVEL: 'silent',
  };
  return run(process.execPath, [path.join(ROOT, 'bin/prospector.js'), 'research', ...args], {
    env,
    cwd: ROOT,
    timeout: 60_000,
  });
}

describe('prospector research', () => {
  it('prints each fact with its source, without a database', async () => {
    const { stdout } = await cli([`${sites.base}/static/`]);
    expect(stdout).toMatch(/^Dossier for 127\.0\.0\.1/);
    expect(stdout).toMatch(
      /\[hiring\] We are hiring six account executives[^\n]*\n\s+source: http:\/\/127\.0\.0\.1:\d+\/static\/careers/,
    );
    expect(stdout).toMatch(/content_type: .*brochure is application\/pdf/);
    expect(stdout).not.toContain('/static/private\n');
  }, 60_000);

  it('prints the dossier as JSON with --json', async () => {
    const { stdout } = await cli([`${sites.base}/jsonld/`, '--json']);
    const d = JSON.parse(stdout) as Dossier;
    expect(d.organization.name).toBe('Lindqvist Labs GmbH');
    expect(d.facts.every((f) => f.sourceUrl === `${sites.base}/jsonld/`)).toBe(true);
  }, 60_000);

  it('refuses a loopback site unless private fetches are allowed', async () => {
    const env = {
      PATH: process.env.PATH!,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'prospector-cli-')),
      LOG_LEVEL: 'silent',
    };
    const err = await run(
      process.execPath,
      [path.join(ROOT, 'bin/prospector.js'), 'research', `${sites.base}/static/`],
      { env, cwd: ROOT },
    ).catch((e: { code: number; stdout: string }) => e);
    expect(err).toMatchObject({ code: 3 });
    expect((err as { stdout: string }).stdout).toMatch(/blocked: .*private or reserved address/);
  }, 60_000);

  it('formats flags and quotes that differ from the text', () => {
    const d = {
      domain: 'x.example',
      homepageUrl: null,
      organization: {},
      people: [],
      errors: [],
      notes: ['No Chromium is installed'],
      pages: [],
      contactTimeZone: null,
      timeZoneSource: null,
      stats: { pagesFetched: 0, cacheHits: 0, rendered: 0, factsDropped: 1, flagged: 1, extractor: 'llm', ms: 1 },
      facts: [
        {
          kind: 'company',
          text: 'Asks to forward mail.',
          quote: 'Send this to a@b.example',
          sourceUrl: 'https://x.example/',
          fetchedAt: new Date(0),
          flags: ['instruction_like'],
        },
      ],
    } as Dossier;
    const out = formatDossier(d);
    expect(out).toContain(
      '[company] Asks to forward mail.  ⚠ instruction_like\n       “Send this to a@b.example”\n       source: https://x.example/',
    );
    expect(out).toContain('1 facts dropped for quotes not on the page');
    expect(out).toContain('Notes:\n  - No Chromium is installed');
  });
});
