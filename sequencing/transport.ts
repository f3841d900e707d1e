// One transport per mailbox: pooled SMTP through nodemailer (with optional DKIM), or the local
// outbox that keeps each message as an .eml under DATA_DIR/outbox. The message is compiled to
// raw MIME once, so what is stored is byte for byte what is sent.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { MailboxRow } from '../db/queries/sending.js';
import type { SecretBox } from '../secret-box.js';
import type { BuiltMessage } from './message.js';

export interface SendOutcome {
  response: string;
  outboxPath: string | null;
}

export interface MailTransport {
  send(raw: string, envelope: { from: string; to: string }): Promise<SendOutcome>;
  close(): void;
}

export interface TransportDeps {
  secrets: Pick<SecretBox, 'open'>;
  dataDir: string;
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
    async send(raw) {
      mkdirSync(dir, { recursive: true });
      const id = /^Message-ID:\s*<([^>]+)>/im.exec(raw)?.[1] ?? `${Date.now()}`;
      const file = path.join(dir, `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`);
      writeFileSync(`${file}.tmp`, raw);
      renameSync(`${file}.tmp`, file);
      return { response: '250 stored in the local outbox', outboxPath: file };
    },
    close() {},
  };
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
  const t = nodemailer.createTransport({
    pool: true,
    maxConnections: 2,
    host: mailbox.smtp_host ?? 'localhost',
    port: mailbox.smtp_port ?? 587,
    secure: mailbox.smtp_secure,
    auth: mailbox.smtp_user
      ? { user: mailbox.smtp_user, pass: mailbox.smtp_pass_enc ? deps.secrets.open(mailbox.smtp_pass_enc) : '' }
      : undefined,
    connectionTimeout: 20_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    ...(dkim ? { dkim } : {}),
  });
  return {
    async send(raw, envelope) {
      const info = await t.sendMail({ envelope, raw });
      return { response: String(info.response ?? '250'), outboxPath: null };
    },
    close: () => t.close(),
  };
}

/** Pooled transports, one per mailbox configuration, kept for the life of the process. */
export class TransportPool {
  private readonly open = new Map<string, MailTransport>();
  constructor(private readonly deps: TransportDeps) {}

  for(mailbox: MailboxRow): MailTransport {
    const key = [
      mailbox.id,
      mailbox.kind,
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
          old.close();
          this.open.delete(k);
        }
      t = mailbox.kind === 'outbox' ? outboxTransport(mailbox, this.deps.dataDir) : smtpTransport(mailbox, this.deps);
      this.open.set(key, t);
    }
    return t;
  }

  close(): void {
    for (const t of this.open.values()) t.close();
    this.open.clear();
  }
}
