// A logger that keeps every line it writes (level trace), for asserting what logs say and never say.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export function captureLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = pino(
    { level: 'trace' },
    new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  );
  return { log, lines };
}
