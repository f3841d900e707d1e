// A real SMTP server (smtp-server) on a loopback port that keeps every message it accepts,
// parsed back with mailparser. Recipients can be made to fail with a chosen reply, and the
// faults of a real deployment can be switched on: a refusing greeting, a 4xx to MAIL FROM, the
// connection dropped right after the final dot (the message kept: delivered, the 250 lost), the
// final dot answered only after a delay (longer than the client's socket timeout). With `oauth`,
// it speaks like Gmail / Office 365: AUTH XOAUTH2 only, the bearer token checked at the fake
// authorization server's RFC 7662 introspection endpoint, a refused token answered with the 334
// JSON error challenge and then 535.
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { eventually } from './eventually.js';

export interface Received {
  raw: string;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
}

/** What the server does with a message to one recipient (lowercase address). */
export type SmtpFault =
  | { kind: 'drop-after-dot'; times?: number } // keep the message, drop the connection instead of the 250
  | { kind: 'slow-dot'; ms: number; times?: number }; // keep the message, answer the 250 after `ms`

export interface Refusal {
  reply: [number, string];
  times: number;
}

export interface TestSmtp {
  port: number;
  received: Received[];
  /** recipient address (lowercase) → [code, text] answered to RCPT TO. */
  rejectRcpt: Map<string, [number, string]>;
  /** recipient address (lowercase) → a fault for its messages (`times`: for that many messages, then gone). */
  faults: Map<string, SmtpFault>;
  /** When set, the next `times` MAIL FROM commands get this reply. */
  mailFrom: Refusal | null;
  /** When set, the next `times` connections are refused at the greeting with this reply. */
  greeting: Refusal | null;
  /** Transactions that reached MAIL FROM, per recipient (lowercase): what "handed to the server" means. */
  envelopes: Map<string, number>;
  /** Called with every message kept (a provider copying it to the Sent folder). */
  onAccepted?: (r: Received) => Promise<void>;
  /** When set, AUTH must use this user/password. */
  auth?: { user: string; pass: string };
  /** XOAUTH2 logins tried: the user and whether the token was taken (never the token). */
  logins: { user: string; ok: boolean }[];
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  /** Connections open now. */
  connections(): number;
  /** Resolves once no connection is open and no message is being taken in: nothing more can arrive unasked. */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** RFC 7662: POST token=… to the introspection endpoint; the user the token is for when it is active. */
async function introspect(url: string, token: string): Promise<string | null> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ token }).toString(),
  });
  if (!res.ok) return null;
  const j = (await res.json()) as { active?: boolean; username?: string; email?: string; sub?: string };
  return j.active ? (j.username ?? j.email ?? j.sub ?? null) : null;
}

export async function startSmtp(
  opts: {
    auth?: { user: string; pass: string };
    /** Wait this long before answering DATA. */ delayMs?: number;
    /** Accept only AUTH XOAUTH2 with a token this introspection endpoint calls active for the user. */
    oauth?: { introspectionUrl: string };
  } = {},
): Promise<TestSmtp> {
  const logins: { user: string; ok: boolean }[] = [];
  const received: Received[] = [];
  let open = 0; // connections
  let taking = 0; // messages between DATA and the answer to the final dot
  const rejectRcpt = new Map<string, [number, string]>();
  const faults = new Map<string, SmtpFault>();
  const envelopes = new Map<string, number>();
  const waiters: (() => void)[] = [];
  const refuse = (r: [number, string]) => Object.assign(new Error(r[1]), { responseCode: r[0] });
  const use = (key: 'greeting' | 'mailFrom') => {
    const r = t[key];
    if (!r) return null;
    if (--r.times <= 0) t[key] = null;
    return refuse(r.reply);
  };
  // A fault with `times` wears off after that many messages.
  const takeFault = (rcpt: string): SmtpFault | undefined => {
    const f = faults.get(rcpt);
    if (f && 'times' in f && f.times !== undefined) {
      if (f.times <= 1) faults.delete(rcpt);
      else f.times--;
    }
    return f;
  };
  const server: SMTPServer = new SMTPServer({
    authOptional: !opts.auth && !opts.oauth,
    ...(opts.oauth ? { authMethods: ['XOAUTH2'] } : {}),
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    allowInsecureAuth: true,
    onConnect(_session, cb) {
      open++;
      cb(use('greeting'));
    },
    onClose() {
      open--;
    },
    onMailFrom(_address, _session, cb) {
      cb(use('mailFrom'));
    },
    onAuth(auth, _session, cb) {
      if (opts.oauth) {
        if (auth.method !== 'XOAUTH2' || !auth.accessToken)
          return cb(Object.assign(new Error('5.7.8 Username and Password not accepted'), { responseCode: 535 }));
        const user = auth.username ?? '';
        introspect(opts.oauth.introspectionUrl, auth.accessToken).then(
          (owner) => {
            const ok = !!owner && owner.toLowerCase() === user.toLowerCase();
            logins.push({ user, ok });
            // Gmail's answer to a bad token: a 334 with a JSON error, then 535 to the client's empty line.
            if (ok) cb(null, { user });
            else cb(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' } });
          },
          (err: Error) => cb(Object.assign(err, { responseCode: 454 })),
        );
        return;
      }
      if (opts.auth && (auth.username !== opts.auth.user || auth.password !== opts.auth.pass)) {
        return cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      }
      cb(null, { user: auth.username });
    },
    onRcptTo(address, _session, cb) {
      const rcpt = address.address.toLowerCase();
      envelopes.set(rcpt, (envelopes.get(rcpt) ?? 0) + 1);
      const r = rejectRcpt.get(rcpt);
      if (r) return cb(refuse(r));
      cb();
    },
    onData(stream, session, cb) {
      taking++;
      const done = () => taking--;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const fault = takeFault(to[0]?.toLowerCase() ?? '');
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        const raw = Buffer.concat(chunks).toString('utf8');
        const r: Received = {
          raw,
          parsed: await simpleParser(raw),
          envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to },
        };
        // The server has the message from here: it is delivered whatever happens to the answer.
        received.push(r);
        await t.onAccepted?.(r).catch(() => {});
        waiters.splice(0).forEach((w) => w());
        if (fault?.kind === 'drop-after-dot') {
          for (const c of (server as unknown as { connections: Set<{ id: string; _socket: Socket }> }).connections)
            if (c.id === session.id) c._socket.destroy();
          return done();
        }
        if (fault?.kind === 'slow-dot') await new Promise((res) => setTimeout(res, fault.ms));
        done();
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const t: TestSmtp = {
    port,
    received,
    rejectRcpt,
    faults,
    mailFrom: null,
    greeting: null,
    envelopes,
    auth: opts.auth,
    logins,
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
    connections: () => open,
    idle: (timeoutMs = 30_000) =>
      eventually('the SMTP server to be idle', () => open <= 0 && taking === 0, { timeout: timeoutMs, every: 20 }).then(
        () => undefined,
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return t;
}
