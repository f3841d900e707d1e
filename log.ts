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

export function createLogger(level = 'info', name = 'prospector'): Logger {
  return pino({ name, level, redact: { paths: redact, censor: '***' } }, pino.destination(2));
}

export type { Logger };
