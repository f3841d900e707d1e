// One transport per mailbox: pooled SMTP (smtp-pool.ts, with optional DKIM), or the local
// outbox that keeps each message as an .eml under DATA_DIR/outbox. The message is compiled to
// raw MIME once, so what is stored is byte for byte what is sent.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import type { MailboxRow } from '../db/queries/sending.js';
import { AppError } from '../errors.js';
import type { AccessTokenSource } from '../mailboxes/oauth-types.js';
import type { AddressPolicy } from '../net/address.js';
import { smtpSocket } from '../net/mail.js';
import type { SecretBox } from '../secret-box.js';
import type { BuiltMessage } from './message.js';
import { oauthTokens } from '../mailboxes/oauth/tokens.js';
import { ApiMailbox } from './oauth-api.js';
import { endpointsFor, isOAuthMailbox, type OAuthMailbox, type OAuthMailEndpoints } from './oauth-endpoints.js';
import type { DeliveryStage } from './smtp-errors.js';
import { SmtpMailbox } from './smtp-pool.js';

export interface SendOutcome {
  response: string;
  outboxPath: string | null;
}

/**
 * What a transport tells the sender while it sends one message. Any transport (SMTP, the outbox,
 * a provider's HTTP API) reports each stage it enters (see `DeliveryStage`): an API transport
 * reports `connect` while it gets a token, `envelope` as it opens the request, `data` while the
 * body is written and `committed` once the whole body is out, so a timeout after that is `unknown`.
 */
export interface SendProgress {
  stage(s: DeliveryStage): void;
  /**
   * Awaited once the transport is ready (connected, logged in) and before any of the message goes
   * out (MAIL FROM, the API request). It throwing cancels the send with nothing handed over.
   */
  beforeHandOver?(): Promise<void>;
}

export interface MailTransport {
  send(raw: string, envelope: { from: string; to: string }, progress: SendProgress): Promise<SendOutcome>;
  /** Ends its connections; resolves once they are closed. */
  close(): void | Promise<void>;
}

/** SMTP connections per mailbox and process. */
export const SMTP_CONNECTIONS = 2;

/**
 * Send slots beyond SMTP_CONNECTIONS, held only while the server answers quickly: the steps they
 * claim are compiled while the connections are busy and wait for one in the transport's pool.
 */
export const CLAIM_AHEAD = SMTP_CONNECTIONS;

/**
 * A server that answered the last message within this (from the hand-over to its answer) is
 * quick: a step claimed ahead then waits about that long for a connection. Past it, the claim's
 * own few milliseconds are a small share of a send and claiming ahead would gain little.
 */
export const QUICK_ANSWER_MS = 100;

export interface TransportDeps {
  secrets: Pick<SecretBox, 'open'>;
  dataDir: string;
  /** Socket inactivity limit (a server slower than this after the final dot makes the send `unknown`). */
  smtpSocketTimeoutMs?: number;
  /** The address guard every SMTP connection is opened through (net/mail.ts). */
  policy: AddressPolicy;
  /** Access tokens of a Google / Microsoft mailbox (the token store, mailboxes/oauth/). */
  tokens?: (mailbox: MailboxRow) => AccessTokenSource;
  /** Provider endpoints (configuration: GOOGLE_SMTP, MICROSOFT_GRAPH_URL, …). */
  oauth?: Config['oauth'];
}

export function transportDeps(ctx: Pick<AppContext, 'db' | 'log' | 'secrets' | 'config' | 'caches'>): TransportDeps {
  return {
    tokens: (m) => oauthTokens(ctx, m.id),
    oauth: ctx.config.oauth,
    secrets: ctx.secrets,
    dataDir: ctx.config.dataDir,
    policy: { allowPrivate: ctx.config.allowPrivateFetch },
    smtpSocketTimeoutMs: ctx.config.smtpSocketTimeoutMs,
  };
}

export async function compileMessage(m: BuiltMessage): Promise<string> {
  const composer = new MailComposer({
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    inReplyTo: m.inReplyTo,
    references: m.references,
    headers: m.headers,
  });
  const buf = await composer.compile().build();
  return buf.toString('utf8');
}

function outboxTransport(mailbox: MailboxRow, dataDir: string): MailTransport {
  const dir = path.join(dataDir, 'outbox', String(mailbox.id));
  return {
    async send(raw, _envelope, progress) {
      progress.stage('connect');
      mkdirSync(dir, { recursive: true });
      const id = /^Message-ID:\s*<([^>]+)>/im.exec(raw)?.[1] ?? `${Date.now()}`;
      const file = path.join(dir, `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`);
      await progress.beforeHandOver?.();
      progress.stage('data');
      writeFileSync(`${file}.tmp`, raw);
      // The rename is the delivery: from here the file may be there.
      progress.stage('committed');
      renameSync(`${file}.tmp`, file);
      return { response: '250 stored in the local outbox', outboxPath: file };
    },
    close() {},
  };
}

/** An OAuth mailbox's token source and endpoints; a process without them cannot send from it (the mailbox is paused). */
export function oauthOf(
  mailbox: OAuthMailbox,
  deps: Pick<TransportDeps, 'tokens' | 'oauth'>,
): { tokens: AccessTokenSource; endpoints: OAuthMailEndpoints } {
  if (!deps.tokens || !deps.oauth)
    throw new AppError('CONFIG_INVALID', `mailbox ${mailbox.id} signs in with ${mailbox.kind}: no token store here`);
  return { tokens: deps.tokens(mailbox), endpoints: endpointsFor(mailbox, deps.oauth) };
}

/** Google / Microsoft over SMTP with XOAUTH2 on the configured host; no DKIM of ours (the provider signs). */
function oauthSmtpTransport(mailbox: OAuthMailbox, deps: TransportDeps): MailTransport {
  const {
    tokens,
    endpoints: { smtp },
  } = oauthOf(mailbox, deps);
  return new SmtpMailbox({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: { user: mailbox.smtp_user ?? mailbox.from_email, provider: mailbox.kind, tokens },
    maxConnections: SMTP_CONNECTIONS,
    connectionTimeoutMs: 20_000,
    greetingTimeoutMs: 15_000,
    socketTimeoutMs: deps.smtpSocketTimeoutMs ?? 60_000,
    openSocket: () => smtpSocket(smtp.host, smtp.port, deps.policy, 20_000),
  });
}

function smtpTransport(mailbox: MailboxRow, deps: TransportDeps): MailTransport {
  const dkim =
    mailbox.dkim_domain && mailbox.dkim_selector && mailbox.dkim_key_enc
      ? {
          domainName: mailbox.dkim_domain,
          keySelector: mailbox.dkim_selector,
          privateKey: deps.secrets.open(mailbox.dkim_key_enc),
        }
      : undefined;
  const host = mailbox.smtp_host ?? 'localhost';
  const port = mailbox.smtp_port ?? 587;
  return new SmtpMailbox({
    host,
    port,
    secure: mailbox.smtp_secure,
    auth: mailbox.smtp_user
      ? { user: mailbox.smtp_user, pass: mailbox.smtp_pass_enc ? deps.secrets.open(mailbox.smtp_pass_enc) : '' }
      : undefined,
    dkim,
    maxConnections: SMTP_CONNECTIONS,
    connectionTimeoutMs: 20_000,
    greetingTimeoutMs: 15_000,
    socketTimeoutMs: deps.smtpSocketTimeoutMs ?? 60_000,
    openSocket: () => smtpSocket(host, port, deps.policy, 20_000),
  });
}

/**
 * Pooled transports, one per mailbox configuration, kept for the life of the process (the
 * application context owns the process's one pool and closes it at stop); and the process's send
 * slots: a step is claimed only once a slot is free. There are SMTP_CONNECTIONS slots, so the
 * steps in `sending` can all be handed to a server now; while the server answers quickly
 * (QUICK_ANSWER_MS) there are CLAIM_AHEAD more, so the next steps are claimed and compiled while
 * the connections are busy instead of leaving them idle through each claim. A step claimed ahead
 * waits for a connection with no `handed_at`: if the process dies meanwhile, it never reached
 * the server and the reconciler schedules it again. A server that stalls or fails gets no
 * claims ahead until it answers quickly again, so at most CLAIM_AHEAD steps wait on it.
 */
export class TransportPool {
  private readonly open = new Map<string, MailTransport>();
  private held = 0;
  private quick = false;
  private readonly queued: (() => void)[] = [];
  constructor(private readonly deps: TransportDeps) {}

  /** Waits for a send slot; call the returned function once the server has answered (or the step is settled). */
  async slot(): Promise<() => void> {
    if (!this.queued.length && this.held < this.slots()) this.held++;
    else await new Promise<void>((r) => this.queued.push(r));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      this.wake();
    };
  }

  /** How long the server took to answer a message handed to it, ms; Infinity when the send failed. */
  answered(ms: number): void {
    this.quick = ms <= QUICK_ANSWER_MS;
    this.wake();
  }

  private slots(): number {
    return SMTP_CONNECTIONS + (this.quick ? CLAIM_AHEAD : 0);
  }

  private wake(): void {
    while (this.queued.length && this.held < this.slots()) {
      this.held++;
      this.queued.shift()!();
    }
  }

  for(mailbox: MailboxRow): MailTransport {
    const key = [
      mailbox.id,
      mailbox.kind,
      mailbox.oauth_transport,
      mailbox.smtp_host,
      mailbox.smtp_port,
      mailbox.smtp_user,
      mailbox.smtp_pass_enc,
      mailbox.dkim_key_enc,
    ].join('|');
    let t = this.open.get(key);
    if (!t) {
      for (const [k, old] of this.open)
        if (k.startsWith(`${mailbox.id}|`)) {
          void old.close();
          this.open.delete(k);
        }
      t = this.create(mailbox);
      this.open.set(key, t);
    }
    return t;
  }

  private create(mailbox: MailboxRow): MailTransport {
    if (mailbox.kind === 'outbox') return outboxTransport(mailbox, this.deps.dataDir);
    if (isOAuthMailbox(mailbox) && mailbox.oauth_transport === 'api') {
      const { tokens, endpoints } = oauthOf(mailbox, this.deps);
      return new ApiMailbox(mailbox.kind, tokens, endpoints, this.deps.policy);
    }
    if (isOAuthMailbox(mailbox)) return oauthSmtpTransport(mailbox, this.deps);
    return smtpTransport(mailbox, this.deps);
  }

  /** Closes every mailbox's connections (the application context does, at stop); resolves once they are closed. */
  async close(): Promise<void> {
    const closing = [...this.open.values()].map((t) => Promise.resolve(t.close()));
    this.open.clear();
    await Promise.all(closing);
  }
}
