import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from '../config.js';

const execFileP = promisify(execFile);
const tmp = () => mkdtempSync(path.join(tmpdir(), 'prospector-cfg-'));

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('defaults to the embedded database and generates APP_SECRET once, keeping it in the data dir', () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir });
    expect(a.embedded).toBe(true);
    expect(a.port).toBe(3000);
    expect(a.appSecretGenerated).toBe(true);
    expect(readFileSync(path.join(dir, 'app-secret'), 'utf8').trim()).toBe(a.appSecret);
    const b = loadConfig({ DATA_DIR: dir });
    expect(b.appSecret).toBe(a.appSecret);
    expect(b.appSecretGenerated).toBe(false);
  });

  it('requires APP_SECRET when DATABASE_URL is set', () => {
    const p = problems({ DATABASE_URL: 'postgres://x@localhost/db', DATA_DIR: tmp() });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^APP_SECRET: .*required when DATABASE_URL is set/);
  });

  it('names every bad key with what is expected, one line each', () => {
    const p = problems({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://nope',
      PUBLIC_URL: 'not a url',
      LOG_LEVEL: 'loud',
      APP_SECRET: 'short',
    });
    const keys = p.map((l) => l.split(':')[0]).sort();
    expect(keys).toEqual(['APP_SECRET', 'DATABASE_URL', 'LOG_LEVEL', 'PORT', 'PUBLIC_URL']);
    expect(p.find((l) => l.startsWith('APP_SECRET'))).toMatch(/at least 32 characters/);
    expect(p.find((l) => l.startsWith('DATABASE_URL'))).toMatch(/postgres:\/\//);
  });

  it('reads ALLOW_PRIVATE_FETCH as a flag or a list of origins, and names a bad entry', () => {
    const allow = (v: string) => loadConfig({ DATA_DIR: tmp(), ALLOW_PRIVATE_FETCH: v }).allowPrivateFetch;
    expect([allow('true'), allow('1'), allow('false'), allow('0')]).toEqual([true, true, false, false]);
    expect(allow('http://10.0.0.5:8080, SMTP://127.0.0.1:2525')).toEqual([
      'http://10.0.0.5:8080',
      'smtp://127.0.0.1:2525',
    ]);
    expect(problems({ DATA_DIR: tmp(), ALLOW_PRIVATE_FETCH: 'http://10.0.0.5/admin' })[0]).toMatch(
      /^ALLOW_PRIVATE_FETCH: .*"http:\/\/10.0.0.5\/admin" is not an origin/,
    );
  });

  it('redacts secrets when printed', () => {
    const c = loadConfig({
      DATA_DIR: tmp(),
      DATABASE_URL: 'postgres://u:hunter2@db/x',
      APP_SECRET: 'x'.repeat(40),
      ANTHROPIC_API_KEY: 'sk-ant-secret',
    });
    const shown = JSON.stringify(redactedConfig(c));
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('sk-ant-secret');
    expect(shown).not.toContain('x'.repeat(40));
  });

  it('makes the CLI exit with code 2 and one line per bad key', async () => {
    const env = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      PORT: '99999',
      DATABASE_URL: 'postgres://x@127.0.0.1:1/db',
      DATA_DIR: tmp(),
    };
    const err = await execFileP(process.execPath, ['bin/prospector.js', 'migrate'], {
      env,
      cwd: path.resolve(__dirname, '..'),
    }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    const lines = err!.stderr
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['APP_SECRET', 'PORT']);
    expect(existsSync(path.join(env.DATA_DIR, 'pgdata'))).toBe(false);
  });
});
