import { pino, type Logger } from 'pino';

// Paths redacted wherever they appear in a log object.
const redact = [
  'password',
  '*.password',
  'appSecret',
  '*.appSecret',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.smtp_pass_enc',
  '*.imap_pass_enc',
  '*.secret',
  'databaseUrl',
  '*.databaseUrl',
];

/** `json` for machines (web, worker); `pretty` is one short line per event for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'req', 'res', 'responseTime', 'component']);

/** One JSON log line as `12:01:02 INFO  queue.job.done jobId=7`, or `GET /queue 200 12ms` for a request. */
function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = new Date(Number(o.time)).toTimeString().slice(0, 8);
  const level = (LEVELS[Number(o.level)] ?? String(o.level)).padEnd(5);
  const req = o.req as { method?: string; url?: string } | undefined;
  const res = o.res as { statusCode?: number } | undefined;
  const ms = typeof o.responseTime === 'number' ? o.responseTime : '';
  const head = req ? `${req.method} ${req.url} ${res?.statusCode ?? ''} ${ms}ms` : String(o.msg ?? '');
  const extra = Object.entries(o)
    .filter(([k, v]) => !SKIP.has(k) && v !== undefined)
    .map(([k, v]) => {
      if (k === 'err' && v && typeof v === 'object') return `err="${(v as { message?: string }).message ?? ''}"`;
      const s = typeof v === 'string' ? v : JSON.stringify(v);
      return `${k}=${/\s/.test(s) ? JSON.stringify(s) : s}`;
    });
  return `${time} ${level} ${[head, ...extra].join(' ')}\n`;
}

export function createLogger(level = 'info', name = 'prospector', format: LogFormat = 'json'): Logger {
  const options = { name, level, redact: { paths: redact, censor: '***' } };
  if (format === 'json') return pino(options, pino.destination(2));
  return pino(options, { write: (line: string) => void process.stderr.write(prettyLine(line)) });
}

export type { Logger };
