// A process that opens the application context (PGlite in DATA_DIR, pg-boss), sends one message
// through the context's transport pool to the SMTP server on SMTP_PORT, closes the context and
// then does nothing: it must exit by itself.
import { openContext } from '../../../cli/context.js';
import type { MailboxRow } from '../../../db/queries/sending.js';
import { compileMessage } from '../../../sequencing/transport.js';

const ctx = await openContext();
const mailbox = {
  id: 1,
  kind: 'smtp',
  oauth_transport: 'smtp',
  from_email: 'rep@sender.test',
  smtp_host: '127.0.0.1',
  smtp_port: Number(process.env.SMTP_PORT),
  smtp_secure: false,
  smtp_user: null,
  smtp_pass_enc: null,
  dkim_domain: null,
  dkim_selector: null,
  dkim_key_enc: null,
} as unknown as MailboxRow;
const raw = await compileMessage({
  messageId: '<context-child@sender.test>',
  from: { name: 'Rep', address: 'rep@sender.test' },
  to: { name: 'Dana', address: 'dana@acme.test' },
  subject: 'Hello',
  text: 'Hello',
  html: '',
  headers: {},
  links: [],
});
await ctx.transports.for(mailbox).send(raw, { from: 'rep@sender.test', to: 'dana@acme.test' }, { stage: () => {} });
process.stdout.write('sent\n');
await ctx.stop();
process.stdout.write('closed\n');
