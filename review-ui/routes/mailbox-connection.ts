// "Test connection" for a mailbox: SMTP login via nodemailer's verify, IMAP login via imapflow,
// both through the address guard. A mailbox no test has passed for yet stays paused (UNTESTED).
import type { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { MailboxRow } from '../../db/queries/sending.js';
import type { AddressPolicy } from '../../net/address.js';
import { mailConnectError, pinMailHost, smtpGetSocket } from '../../net/mail.js';
import type { SecretBox } from '../../secret-box.js';

export interface ConnectionCheck {
  smtp: string;
  imap: string;
}

/** The pause reason of a mailbox no connection test has passed for yet. */
export const UNTESTED = 'new: sends once a connection test passes';

/**
 * Logs in to SMTP and IMAP with the stored settings, through the address guard; each side says
 * "ok" or what failed, in words that do not tell an open port from a closed one (net/mail.ts).
 */
export async function testConnection(
  m: MailboxRow,
  secrets: Pick<SecretBox, 'open'>,
  policy: AddressPolicy,
): Promise<ConnectionCheck> {
  const out: ConnectionCheck = { smtp: 'not configured', imap: 'not configured' };
  if (m.kind === 'outbox') out.smtp = 'local outbox: nothing to connect to';
  else if (m.smtp_host && m.smtp_port) {
    const t = nodemailer.createTransport({
      host: m.smtp_host,
      port: m.smtp_port,
      secure: m.smtp_secure,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      auth: m.smtp_user ? { user: m.smtp_user, pass: m.smtp_pass_enc ? secrets.open(m.smtp_pass_enc) : '' } : undefined,
      tls: { rejectUnauthorized: !['127.0.0.1', 'localhost'].includes(m.smtp_host) },
      getSocket: smtpGetSocket(policy, 10_000),
    });
    try {
      await t.verify();
      out.smtp = 'ok';
    } catch (err) {
      out.smtp = `failed: ${mailConnectError('smtp', m.smtp_host, m.smtp_port, err).message}`;
    } finally {
      t.close();
    }
  }
  if (m.imap_host && m.imap_port) {
    let c: ImapFlow | undefined;
    try {
      const { ImapFlow } = await import('imapflow');
      c = new ImapFlow({
        ...(await pinMailHost('imap', m.imap_host, m.imap_port, policy)),
        port: m.imap_port,
        secure: m.imap_secure,
        logger: false,
        connectionTimeout: 10_000,
        auth: { user: m.imap_user ?? '', pass: m.imap_pass_enc ? secrets.open(m.imap_pass_enc) : '' },
        tls: { rejectUnauthorized: !['127.0.0.1', 'localhost'].includes(m.imap_host) },
      });
      c.on('error', () => {});
      await c.connect();
      out.imap = 'ok';
      await c.logout();
    } catch (err) {
      out.imap = `failed: ${mailConnectError('imap', m.imap_host, m.imap_port, err).message}`;
      c?.close();
    }
  }
  return out;
}
