// A real SMTP server (smtp-server) on a loopback port that keeps every message it accepts,
// parsed back with mailparser. Recipients can be made to fail with a chosen reply.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  raw: string;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
}

export interface TestSmtp {
  port: number;
  received: Received[];
  /** recipient address (lowercase) → [code, text] answered to RCPT TO. */
  rejectRcpt: Map<string, [number, string]>;
  /** When set, AUTH must use this user/password. */
  auth?: { user: string; pass: string };
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startSmtp(
  opts: { auth?: { user: string; pass: string }; /** Wait this long before answering DATA. */ delayMs?: number } = {},
): Promise<TestSmtp> {
  const received: Received[] = [];
  const rejectRcpt = new Map<string, [number, string]>();
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: !opts.auth,
    disabledCommands: ['STARTTLS'],
    logger: false,
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (opts.auth && (auth.username !== opts.auth.user || auth.password !== opts.auth.pass)) {
        return cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      }
      cb(null, { user: auth.username });
    },
    onRcptTo(address, _session, cb) {
      const r = rejectRcpt.get(address.address.toLowerCase());
      if (r) return cb(Object.assign(new Error(r[1]), { responseCode: r[0] }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          raw,
          parsed: await simpleParser(raw),
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          },
        });
        waiters.splice(0).forEach((w) => w());
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    rejectRcpt,
    auth: opts.auth,
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`SMTP server got ${received.length} of ${n} messages`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
