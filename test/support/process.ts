// Running `prospector` as a real child process and reading what it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  exit(): Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The environment minus anything that would point the child at our test PostgreSQL by accident. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k]) env[k] = process.env[k];
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

/**
 * Node's arguments for a `prospector` child: the embedded PGlite's WASM without V8's optimising
 * recompile (TurboFan), which a short-lived child pays for in CPU and never earns back (see vitest.config.ts).
 */
export const CHILD_NODE_ARGS = ['--liftoff-only'];

export function startProcess(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [...CHILD_NODE_ARGS, path.join(ROOT, 'bin/prospector.js'), ...args], {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '',
    err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitFor(re, ms = 60_000) {
      return eventually(`${re} in its output`, () => re.exec(out), {
        timeout: ms,
        abortIf: () => (child.exitCode !== null ? `process exited (${child.exitCode})` : undefined),
      }).catch((e: Error) => {
        throw new Error(`${e.message}\nstdout: ${out}\nstderr: ${err}`);
      });
    },
    exit: () => exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
