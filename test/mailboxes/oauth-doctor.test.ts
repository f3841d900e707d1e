// `prospector doctor` on Google and Microsoft mailboxes logs in the way the sender and the inbox
// reader will, nothing sent: SMTP and IMAP with XOAUTH2 (an SMTP server that takes no token, as
// when a tenant has SMTP AUTH off, fails with what to do), and for the API transport a read of the
// mailbox plus the send permission among the granted scopes. Fake sign-in, SMTP, Dovecot (OAuth2
// passdb introspecting at the fake) and Gmail/Graph APIs, all on loopback.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkMailboxes } from '../../cli/doctor-checks.js';
import { checkOAuthMailboxes } from '../../cli/doctor-oauth.js';
import type { AppContext } from '../../context.js';
import { buildWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startDovecot, type TestDovecot } from '../support/dovecot.js';
import { startFakeMailApis, type FakeMailApis } from '../support/fake-mail-apis.js';
import { startFakeOAuth, type FakeOAuth } from '../support/fake-oauth.js';
import { connectFakeMailbox } from '../support/oauth-mailbox.js';
import { bothProvidersEnv } from '../support/oauth-sequence.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

let fake: FakeOAuth;
let smtpOAuth: TestSmtp;
let smtpPasswordOnly: TestSmtp;
let dovecot: TestDovecot;
let apis: FakeMailApis;
beforeAll(async () => {
  fake = await startFakeOAuth({ provider: 'google', accessTtlSeconds: 3600 });
  const introspectionUrl = `${fake.issuer}/introspect`;
  smtpOAuth = await startSmtp({ oauth: { introspectionUrl } });
  smtpPasswordOnly = await startSmtp({ auth: { user: 'someone', pass: 'secret' } });
  dovecot = await startDovecot({ oauth2: { introspectionUrl } });
  apis = await startFakeMailApis((t) => fake.validate(t));
});
afterAll(async () => {
  await apis?.close();
  await dovecot?.stop();
  await smtpOAuth?.close();
  await smtpPasswordOnly?.close();
  await fake?.close();
});

describeEachBackend('doctor: Google and Microsoft mailboxes send and read with their tokens', (get, backend) => {
  let ctx: AppContext & { stop(): Promise<void> };
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    ctx = await createTestContext(get(), {
      ...bothProvidersEnv(fake),
      GOOGLE_SMTP: `127.0.0.1:${smtpOAuth.port}`,
      GOOGLE_IMAP: `127.0.0.1:${dovecot.port}`,
      // A tenant with SMTP AUTH switched off: the server takes no token.
      MICROSOFT_SMTP: `127.0.0.1:${smtpPasswordOnly.port}`,
      MICROSOFT_IMAP: `127.0.0.1:${dovecot.port}`,
      GOOGLE_API_URL: apis.url,
      MICROSOFT_GRAPH_URL: apis.url,
    });
    const ws = await buildWorkspace(ctx.db);
    const connect = async (key: string, provider: 'google' | 'microsoft', transport: 'smtp' | 'api') => {
      const user = { sub: `${backend}-${key}`, email: `${key}-${backend}@${provider}.test`, name: key };
      ids[key] = (
        await connectFakeMailbox(ctx, fake, { workspaceId: ws.id, userId: ws.users.rep.id, user, provider, transport })
      ).mailboxId;
    };
    await connect('gsmtp', 'google', 'smtp');
    await connect('msmtp', 'microsoft', 'smtp');
    await connect('mapi', 'microsoft', 'api');
  });
  afterAll(async () => ctx?.stop());

  const named = (checks: { name: string }[], key: string, what: string) =>
    checks.find((c) => c.name.startsWith(`mailbox ${ids[key]} ${what}`));

  it('logs in over SMTP and IMAP with XOAUTH2, and says what to do when SMTP takes no token', async () => {
    const loginsBefore = smtpOAuth.logins.length;
    const checks = await checkOAuthMailboxes(ctx);
    expect(named(checks, 'gsmtp', 'SMTP XOAUTH2')).toMatchObject({ status: 'ok' });
    expect(named(checks, 'gsmtp', 'IMAP XOAUTH2')).toMatchObject({ status: 'ok' });
    expect(smtpOAuth.logins.slice(loginsBefore)).toContainEqual({ user: `gsmtp-${backend}@google.test`, ok: true });
    expect(named(checks, 'msmtp', 'SMTP XOAUTH2')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('SMTP AUTH may be off'),
    });
    expect(named(checks, 'msmtp', 'IMAP XOAUTH2')).toMatchObject({ status: 'ok' });
    // Nothing was sent by the check.
    expect(smtpOAuth.received.filter((r) => r.envelope.from.includes(backend))).toEqual([]);
  });

  it('reads an API mailbox through Graph and wants the send permission among the granted scopes', async () => {
    const before = await checkOAuthMailboxes(ctx);
    expect(named(before, 'mapi', 'Microsoft Graph')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('send permission is not among those granted'),
    });
    await ctx.db.query(`UPDATE mailbox_oauth SET scope = $2 WHERE mailbox_id = $1`, [
      ids.mapi,
      'openid email offline_access https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/Mail.Read',
    ]);
    const after = await checkOAuthMailboxes(ctx);
    expect(named(after, 'mapi', 'Microsoft Graph')).toMatchObject({ status: 'ok' });
  });

  it('the password-mailbox checks leave token mailboxes to these (no "no SMTP host" failure for them)', async () => {
    // The sending domains are still checked (SPF, DMARC): answered here with no records.
    const deps = { resolveTxt: async () => [], chromiumPath: '/usr/bin/chromium', timeoutMs: 5000 };
    const checks = await checkMailboxes(ctx.db, ctx.secrets, deps, { allowPrivate: true });
    for (const id of Object.values(ids)) expect(checks.filter((c) => c.name.startsWith(`mailbox ${id} `))).toEqual([]);
  });
});
