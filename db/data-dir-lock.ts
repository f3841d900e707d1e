// The embedded database may be opened by one process only: two PGlite instances on one folder
// do not see each other's writes, and the second one's data is lost when the first one flushes.
// The lock is a Unix socket in DATA_DIR that the owner listens on: a live owner answers a
// connection (and can run admin requests for CLI commands through it), a crashed owner leaves a
// socket nobody answers, which the next process removes and takes over. listen() on an existing
// path fails, so two processes never both hold it.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  constructor(readonly dataDir: string) {
    super(`the embedded database in ${dataDir} is in use by a running Prospector`);
    this.name = 'DataDirLockedError';
  }
}

/** An admin request from a CLI command, answered by the process that holds the lock. */
export interface AdminRequest {
  command: string;
  args: unknown;
}
export interface AdminReply {
  stdout: string;
  stderr: string;
  exitCode: number;
}
export type AdminHandler = (req: AdminRequest) => Promise<AdminReply>;

export interface DataDirLock {
  socketPath: string;
  /** Starts answering admin requests (before this, a request is told the app is still starting). */
  serve(handler: AdminHandler): void;
  release(): Promise<void>;
}

// Unix socket paths are limited to about 104 bytes; a long DATA_DIR gets a hashed name in tmp.
function lockSocketPath(dataDir: string): string {
  const inDir = path.join(dataDir, 'prospector.sock');
  if (Buffer.byteLength(inDir) < 100) return inDir;
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  return path.join(tmpdir(), `prospector-${hash}.sock`);
}

function connect(socketPath: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => resolve(s));
    s.once('error', () => resolve(undefined));
  });
}

/** True when a live process holds the lock on `dataDir`. */
async function dataDirInUse(dataDir: string): Promise<boolean> {
  const s = await connect(lockSocketPath(dataDir));
  s?.destroy();
  return !!s;
}

function listen(server: net.Server, socketPath: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException) => resolve(err);
    server.once('error', onError);
    server.listen(socketPath, () => {
      server.off('error', onError);
      resolve(undefined);
    });
  });
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const socketPath = lockSocketPath(dataDir);
  let handler: AdminHandler | undefined;
  const server = net.createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => {});
    sock.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      void (async () => {
        let reply: AdminReply;
        try {
          const req = JSON.parse(line) as AdminRequest;
          reply = handler
            ? await handler(req)
            : { stdout: '', stderr: 'the running app is still starting; try again in a moment\n', exitCode: 4 };
        } catch (err) {
          reply = { stdout: '', stderr: `${(err as Error).message}\n`, exitCode: 1 };
        }
        sock.end(JSON.stringify(reply) + '\n');
      })();
    });
  });
  server.unref();
  let err = await listen(server, socketPath);
  if (err?.code === 'EADDRINUSE') {
    if (await dataDirInUse(dataDir)) throw new DataDirLockedError(dataDir);
    // Left by a process that died: nobody answers on it.
    try {
      unlinkSync(socketPath);
    } catch {
      /* removed meanwhile by another process taking over */
    }
    err = await listen(server, socketPath);
    if (err?.code === 'EADDRINUSE') throw new DataDirLockedError(dataDir);
  }
  if (err) throw err;
  // Only the owner of the data folder may send admin requests (adding a user is one).
  chmodSync(socketPath, 0o600);
  return {
    socketPath,
    serve(h) {
      handler = h;
    },
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends one admin request to the process holding the lock; undefined when none answers. */
export async function sendAdminRequest(dataDir: string, req: AdminRequest): Promise<AdminReply | undefined> {
  const s = await connect(lockSocketPath(dataDir));
  if (!s) return undefined;
  return new Promise((resolve, reject) => {
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (buf += d));
    s.on('error', reject);
    s.on('end', () => {
      try {
        resolve(JSON.parse(buf) as AdminReply);
      } catch {
        reject(new Error('the running app closed the admin connection without an answer'));
      }
    });
    s.write(JSON.stringify(req) + '\n');
  });
}
