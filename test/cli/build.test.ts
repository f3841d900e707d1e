// The compiled tree the CLI runs from (bin/build.js): built once per source state, rebuilt when a
// source changes, shared by processes that start together, and carrying the files the code reads
// from beside itself. Then the real CLI, run from it and through tsx, on the embedded database.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuild, sourceKey } from '../../bin/build.js';
import { CHILD_NODE_ARGS, cleanEnv, ROOT } from '../support/process.js';

function fixtureRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'prospector-build-'));
  const put = (f: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  };
  put('package.json', JSON.stringify({ type: 'module' }));
  put('tsconfig.json', JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext' } }));
  put('lib/greet.ts', `export const greet = (n: string): string => 'hello ' + n;\n`);
  put(
    'cli/index.ts',
    `import { readFileSync } from 'node:fs';\nimport { greet } from '../lib/greet.js';\n` +
      `type Shout = { loud: boolean };\nconst s: Shout = { loud: true };\n` +
      `console.log(greet('x'), s.loud, readFileSync(new URL('../db/m.sql', import.meta.url), 'utf8').trim());\n`,
  );
  put('db/m.sql', 'SELECT 1;\n');
  put('test/skip.ts', 'this is not TypeScript at all (((\n');
  return root;
}

const run = (file: string) => spawnSync(process.execPath, [file], { encoding: 'utf8' });

describe('bin/build.js', () => {
  it('compiles the sources once, copies what they read beside them, and leaves test/ out', async () => {
    const root = fixtureRoot();
    const dir = await ensureBuild(root);
    const out = run(path.join(dir, 'cli/index.js'));
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe('hello x true SELECT 1;');
    expect(existsSync(path.join(dir, 'test'))).toBe(false);
    // Nothing changed: the same tree, not rebuilt (its marker keeps its time).
    const marker = readFileSync(path.join(dir, '.complete'), 'utf8');
    expect(await ensureBuild(root)).toBe(dir);
    expect(readFileSync(path.join(dir, '.complete'), 'utf8')).toBe(marker);
  });

  it('builds a new tree when a source changes, and keeps the old one for processes still running it', async () => {
    const root = fixtureRoot();
    const first = await ensureBuild(root);
    const file = path.join(root, 'lib/greet.ts');
    writeFileSync(file, `export const greet = (n: string): string => 'hi ' + n;\n`);
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const second = await ensureBuild(root);
    expect(second).not.toBe(first);
    expect(run(path.join(second, 'cli/index.js')).stdout).toMatch(/^hi x/);
    expect(run(path.join(first, 'cli/index.js')).stdout).toMatch(/^hello x/);
  });

  it('lets several processes build at once: one tree, no temporary directories left', async () => {
    const root = fixtureRoot();
    const script =
      `import(${JSON.stringify(path.join(ROOT, 'bin/build.js'))}).then(async (m) => ` +
      `console.log(await m.ensureBuild(${JSON.stringify(root)})))`;
    const builder = () =>
      new Promise<string>((resolve, reject) => {
        const c = spawn(process.execPath, ['--input-type=module', '-e', script], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`builder exited ${code}`))));
      });
    const dirs = await Promise.all([builder(), builder(), builder(), ensureBuild(root), ensureBuild(root)]);
    expect(new Set(dirs).size).toBe(1);
    expect(readdirSync(path.join(root, '.build'))).toEqual([sourceKey(root).key]);
    expect(run(path.join(dirs[0]!, 'cli/index.js')).stdout).toMatch(/^hello x/);
  });
});

describe('the CLI from its compiled tree and through tsx', () => {
  for (const tsx of [false, true]) {
    it(`${tsx ? 'through tsx' : 'compiled'}: migrates an embedded database (migrations found beside the code)`, () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'prospector-build-cli-'));
      const r = spawnSync(process.execPath, [...CHILD_NODE_ARGS, path.join(ROOT, 'bin/prospector.js'), 'migrate'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
        env: cleanEnv({ DATA_DIR: dataDir, APP_SECRET: 'x'.repeat(40), ...(tsx ? { PROSPECTOR_TSX: '1' } : {}) }),
      });
      expect(r.stderr).not.toMatch(/could not build/);
      expect(r.status).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/applied: 0001_init\.sql/);
    }, 150_000);
  }
});
