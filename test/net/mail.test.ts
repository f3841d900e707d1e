// The send transport and the inbox reader open their connections through the address guard:
// a loopback mail server is refused unless ALLOW_PRIVATE_FETCH allows it (true, or its
// `smtp://` / `imap://` origin), and nothing reaches the server when refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxRow } from '../../db/queries/sending.js';
import type { AddressPolicy } from '../../net/address.js';
import { createSecretBox } from '../../secret-box.js';
import { imapConnect } from '../../sequencing/inbox/imap.js';
import { TransportPool } from '../../sequencing/transport.js';
import { deadPort } from '../research/fixture-sites.js';
import { TEST_SECRET } from '../support/context.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => smtp.close());

const secrets = createSecretBox(TEST_SECRET);
let nextId = 1;
const mailbox = (over: Partial<MailboxRow>): MailboxRow =>
  ({
    id: nextId++,
    kind: 'smtp',
    from_email: 'rep@example.com',
    smtp_host: '127.0.0.1',
    smtp_port: smtp.port,
    smtp_secure: false,
    smtp_user: null,
    smtp_pass_enc: null,
    imap_host: '127.0.0.1',
    imap_port: 1,
    imap_secure: false,
    imap_user: 'rep',
    imap_pass_enc: null,
    dkim_key_enc: null,
    ...over,
  }) as MailboxRow;

const raw =
  'From: rep@example.com\r\nTo: pat@example.com\r\nSubject: hi\r\nMessage-ID: <g1@example.com>\r\n\r\nhello\r\n';
const envelope = { from: 'rep@example.com', to: 'pat@example.com' };

async function send(policy: AddressPolicy) {
  const pool = new TransportPool({ secrets, dataDir: '/nonexistent', policy });
  try {
    return await pool.for(mailbox({})).send(raw, envelope, { stage: () => undefined });
  } finally {
    await pool.close();
  }
}

describe('mailbox connections through the guard', () => {
  it('the SMTP transport refuses a loopback server unless allowed, and sends once it is', async () => {
    await expect(send({})).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    await expect(send({ allowPrivate: [`smtp://127.0.0.1:${smtp.port + 1}`] })).rejects.toMatchObject({
      code: 'FETCH_BLOCKED',
    });
    expect(smtp.received).toHaveLength(0);
    await send({ allowPrivate: [`smtp://127.0.0.1:${smtp.port}`] });
    expect(smtp.received).toHaveLength(1);
  });

  it('the IMAP reader refuses a loopback server unless allowed, and says only "no server answered" after', async () => {
    const port = await deadPort();
    const m = mailbox({ imap_port: port });
    await expect(imapConnect(m, secrets, {})).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    await expect(imapConnect(m, secrets, { allowPrivate: [`imap://127.0.0.1:${port}`] })).rejects.toMatchObject({
      code: 'MAIL_UNREACHABLE',
      message: `no IMAP server answered at 127.0.0.1:${port} (check the host, the port and the TLS setting)`,
    });
  });
});
