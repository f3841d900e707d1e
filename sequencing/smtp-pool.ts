// SMTP for one mailbox through nodemailer's SMTPConnection, not its pooled transport: sending
// the message as a stream we feed shows the transaction's stage (the body is read only after
// the server's 354; the final dot follows the end of our stream), which the pooled transport
// hides behind one `CONN` error. Connections are reused (at most `maxConnections` open) and
// closed after a short idle time.
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import DKIM from 'nodemailer/lib/dkim';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { ConsentError, type AccessTokenSource, type OAuthProvider } from '../mailboxes/oauth-types.js';
import type { DeliveryStage } from './smtp-errors.js';
import type { MailTransport, SendOutcome, SendProgress } from './transport.js';

interface SmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  /** A password, or (Google, Microsoft) XOAUTH2 with an access token got fresh for each new connection. */
  auth?: { user: string; pass: string } | OAuthLogin;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  maxConnections: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
  /** An idle connection is closed after this long (servers drop idle sessions anyway). */
  idleMs?: number;
  /** Messages per connection before it is replaced. */
  maxMessages?: number;
  /** Opens the TCP connection (net/'s address guard); SMTPConnection runs TLS/STARTTLS on it for `host`. */
  openSocket?: () => Promise<Socket>;
}

interface OAuthLogin {
  user: string;
  provider: OAuthProvider;
  tokens: AccessTokenSource;
}

/** The SASL XOAUTH2 initial response (Google's and Microsoft's format). */
function xoauth2(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`).toString('base64');
}

/** How long closing waits for a server to answer QUIT and close the socket. */
const CLOSE_WAIT_MS = 5_000;

const PROVIDER_NAME: Record<OAuthProvider, string> = { google: 'Google', microsoft: 'Microsoft' };

interface Conn {
  c: SMTPConnection;
  dead: boolean;
  /** Dropped from the pool (counted out of `open` once). */
  gone: boolean;
  sent: number;
  idle?: NodeJS.Timeout;
}

/** Waits for the first of: the callback's result, an 'error' or 'end' of the connection. */
function settle<T>(conn: Conn, start: (done: (err: Error | null, v?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let over = false;
    const finish = (err: Error | null, v?: T) => {
      if (over) return;
      over = true;
      conn.c.off('error', onError);
      conn.c.off('end', onEnd);
      if (err) reject(err);
      else resolve(v as T);
    };
    const onError = (err: Error) => finish(err);
    const onEnd = () => finish(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }));
    conn.c.once('error', onError);
    conn.c.once('end', onEnd);
    start(finish);
  });
}

export class SmtpMailbox implements MailTransport {
  private readonly idle: Conn[] = [];
  private open = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(private readonly o: SmtpOptions) {}

  async send(raw: string, envelope: { from: string; to: string }, progress: SendProgress): Promise<SendOutcome> {
    progress.stage('connect');
    const message = this.o.dkim ? await signed(raw, this.o.dkim) : Buffer.from(raw);
    let conn = await this.acquire();
    let handed = false;
    for (let attempt = 0; ; attempt++) {
      const reused = conn.sent > 0;
      let stage = 'connect' as DeliveryStage;
      if (!handed) {
        try {
          await progress.beforeHandOver?.();
        } catch (err) {
          this.release(conn, true);
          throw err;
        }
        handed = true;
      }
      try {
        const response = await this.transact(conn, message, envelope, (s) => {
          stage = s;
          progress.stage(s);
        });
        conn.sent++;
        this.release(conn, true);
        return { response, outboxPath: null };
      } catch (err) {
        this.release(conn, false);
        // A reused connection the server had already dropped fails before MAIL FROM is answered:
        // nothing went out, so try once more on a fresh one instead of waiting for a retry.
        const silent = typeof (err as { responseCode?: number }).responseCode !== 'number';
        if (reused && silent && stage === 'envelope' && attempt === 0) {
          conn = await this.acquire();
          continue;
        }
        throw err;
      }
    }
  }

  /** Ends the idle connections (QUIT) and resolves once their sockets are closed; one still sending ends after it. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((c) => this.drop(c)));
  }

  private transact(
    conn: Conn,
    message: Buffer,
    envelope: { from: string; to: string },
    stage: (s: DeliveryStage) => void,
  ): Promise<string> {
    stage('envelope');
    let fed = false;
    const body = new Readable({
      read() {
        if (fed) return;
        fed = true;
        stage('data');
        this.push(message);
        this.push(null);
      },
    });
    // Our stream has ended: SMTPConnection now writes the final dot.
    body.once('end', () => stage('committed'));
    return settle<string>(conn, (done) =>
      conn.c.send({ from: envelope.from, to: [envelope.to] }, body, (err, info) =>
        done(err ?? null, info ? String(info.response ?? '250') : undefined),
      ),
    );
  }

  private async acquire(): Promise<Conn> {
    for (;;) {
      if (this.closed) throw Object.assign(new Error('transport closed'), { code: 'ECONNECTION' });
      const c = this.idle.pop();
      if (c) {
        clearTimeout(c.idle);
        if (!c.dead) return c;
        void this.drop(c);
        continue;
      }
      if (this.open < this.o.maxConnections) {
        this.open++;
        try {
          return await this.connect();
        } catch (err) {
          this.open--;
          this.wake();
          throw err;
        }
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private async connect(): Promise<Conn> {
    const connection = await this.o.openSocket?.();
    const c = new SMTPConnection({
      connection,
      host: this.o.host,
      port: this.o.port,
      secure: this.o.secure,
      connectionTimeout: this.o.connectionTimeoutMs,
      greetingTimeout: this.o.greetingTimeoutMs,
      socketTimeout: this.o.socketTimeoutMs,
      logger: false,
    });
    const conn: Conn = { c, dead: false, gone: false, sent: 0 };
    // Errors reach the send in flight through settle(); this keeps an idle one from throwing.
    c.on('error', () => (conn.dead = true));
    c.on('end', () => (conn.dead = true));
    try {
      await settle<void>(conn, (done) => c.connect(() => done(null)));
      const auth = this.o.auth;
      if (auth && 'tokens' in auth) await this.tokenLogin(conn, auth);
      else if (auth) await settle<void>(conn, (done) => c.login(auth, (err) => done(err ?? null)));
    } catch (err) {
      conn.dead = true;
      conn.gone = true;
      c.close();
      throw err;
    }
    return conn;
  }

  /**
   * XOAUTH2 with a token got before anything of the message goes out. A refused token (the
   * server's 334 challenge, or a plain 535) is tried once more, refreshed; refused again, the
   * provider will not take the saved sign-in: a ConsentError (the mailbox is paused, the step waits).
   */
  private async tokenLogin(conn: Conn, auth: OAuthLogin): Promise<void> {
    let refreshed = false;
    let tokenError: Error | undefined;
    const fresh = async () => {
      refreshed = true;
      return auth.tokens.get({ forceRefresh: true });
    };
    const attempt = (token: string) =>
      settle<void>(conn, (done) =>
        conn.c.login(
          {
            user: auth.user,
            method: 'XOAUTH2',
            oauth2: {
              // nodemailer asks again (isRetry) after the server's 334 error challenge.
              getToken: (isRetry: boolean, cb: (err: Error | null, token?: string) => void) => {
                if (!isRetry || refreshed) return cb(null, token);
                fresh().then(
                  (t) => cb(null, t),
                  (err: Error) => cb((tokenError = err)),
                );
              },
              buildXOAuth2Token: (t: string) => xoauth2(auth.user, t),
            },
          } as unknown as SMTPConnection.AuthenticationType,
          (err) => done(err ?? null),
        ),
      );
    const refused = (err: unknown) => (err as { code?: string }).code === 'EAUTH';
    try {
      await attempt(await auth.tokens.get());
    } catch (err) {
      if (tokenError) throw tokenError;
      if (!refused(err) || refreshed) throw this.refusedLogin(auth, err as Error);
      await attempt(await fresh()).catch((again: Error) => {
        throw tokenError ?? this.refusedLogin(auth, again);
      });
    }
  }

  private refusedLogin(auth: OAuthLogin, err: Error): Error {
    if ((err as { code?: string }).code !== 'EAUTH') return err;
    const said = String((err as { response?: string }).response ?? (err as Error).message).slice(0, 200);
    return new ConsentError(
      auth.provider,
      `${PROVIDER_NAME[auth.provider]} refused the saved sign-in for SMTP (${said}): ` +
        'reconnect this mailbox, or ask an admin to allow SMTP AUTH for it',
    );
  }

  private release(conn: Conn, reusable: boolean): void {
    if (reusable && !conn.dead && !this.closed && conn.sent < (this.o.maxMessages ?? 100)) {
      conn.idle = setTimeout(() => {
        const i = this.idle.indexOf(conn);
        if (i >= 0) this.idle.splice(i, 1);
        void this.drop(conn);
      }, this.o.idleMs ?? 30_000);
      conn.idle.unref();
      this.idle.push(conn);
    } else {
      void this.drop(conn);
    }
    this.wake();
  }

  /** Resolves once the connection's socket is gone (at most CLOSE_WAIT_MS after the QUIT). */
  private drop(conn: Conn): Promise<void> {
    clearTimeout(conn.idle);
    if (conn.gone) return Promise.resolve();
    conn.gone = true;
    const ended = conn.c.destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, CLOSE_WAIT_MS);
          timer.unref();
          conn.c.once('end', () => {
            clearTimeout(timer);
            resolve();
          });
        });
    if (conn.dead) conn.c.close();
    else {
      conn.dead = true;
      conn.c.quit();
    }
    this.open--;
    this.wake();
    return ended;
  }

  private wake(): void {
    this.waiting.shift()?.();
  }
}

async function signed(raw: string, dkim: NonNullable<SmtpOptions['dkim']>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of new DKIM(dkim).sign(raw)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
