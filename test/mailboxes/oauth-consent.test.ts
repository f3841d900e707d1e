// When consent breaks it shows: on the Mailboxes page, on the owner's home (and RevOps'), and in
// `prospector doctor`; reconnecting through the connect flow lifts the pause. Doctor also checks
// the redirect URI against PUBLIC_URL.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkOAuthMailboxes, checkOAuthProviders } from '../../cli/doctor-oauth.js';
import { loadConfig } from '../../config.js';
import type { AppContext } from '../../context.js';
import { oauthTokens } from '../../mailboxes/oauth/tokens.js';
import { ConsentError } from '../../mailboxes/oauth-types.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext, TEST_SECRET } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startFakeOAuth, type FakeOAuth } from '../support/fake-oauth.js';
import { connectFakeMailbox } from '../support/oauth-mailbox.js';
import { Browserish, listen } from '../support/web.js';

const REFUSED = 'Google refused the saved sign-in: reconnect this mailbox';

describeEachBackend('oauth consent errors', (get, backend) => {
  let fake: FakeOAuth;
  let ctx: AppContext & { stop(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  const rita = { sub: `rita-${backend}`, email: 'rita@acme.test', name: 'Rita' };
  const otto = { sub: `otto-${backend}`, email: 'otto@acme.test', name: 'Otto' };
  let ritaBox: number;

  beforeAll(async () => {
    fake = await startFakeOAuth({ provider: 'google' });
    ctx = await createTestContext(get(), fake.env);
    web = await listen(ctx);
    ctx.config.publicUrl = web.base;
    ws = await buildWorkspace(ctx.db);
    const o = { workspaceId: ws.id, userId: ws.users.rep.id };
    ritaBox = (await connectFakeMailbox(ctx, fake, { ...o, user: rita, expiresInSeconds: 5 })).mailboxId;
    await connectFakeMailbox(ctx, fake, { ...o, userId: ws.users.manager.id, user: otto });
    fake.revokeUser(rita.sub);
    await expect(oauthTokens(ctx, ritaBox).get()).rejects.toBeInstanceOf(ConsentError);
  });
  afterAll(async () => {
    await web?.close();
    await ctx?.stop();
    await fake?.close();
  });

  const as = async (role: 'rep' | 'manager' | 'revops') => {
    const c = new Browserish(web.base);
    await c.login(ws.users[role].email, ws.users[role].password);
    return c;
  };

  it("shows on the owner's home, on RevOps' home, not on another rep's", async () => {
    expect((await (await as('rep')).page('/')).html).toContain(`rita@acme.test is paused: ${REFUSED}`);
    expect((await (await as('revops')).page('/')).html).toContain(`rita@acme.test is paused: ${REFUSED}`);
    expect((await (await as('manager')).page('/')).html).not.toContain('is paused');
  });

  it('shows on the Mailboxes page and the RevOps mailbox list', async () => {
    const rep = await (await as('rep')).page('/mailboxes');
    expect(rep.html).toContain(REFUSED);
    const settings = await (await as('revops')).page('/settings/mailboxes');
    expect(settings.html).toContain(REFUSED);
  });

  it('doctor: the refused mailbox fails with the reason, the healthy one is ok', async () => {
    const checks = await checkOAuthMailboxes(ctx);
    expect(checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'mailbox rita@acme.test', status: 'fail', detail: REFUSED }),
        expect.objectContaining({ name: 'mailbox otto@acme.test', status: 'ok' }),
      ]),
    );
  });

  it('doctor: the redirect URI against PUBLIC_URL, and a half-configured provider', async () => {
    const ok = await checkOAuthProviders(ctx.config);
    expect(ok).toEqual([
      expect.objectContaining({
        status: 'ok',
        detail: expect.stringContaining(`${web.base}/mailboxes/oauth/callback`),
      }),
    ]);
    const base = { APP_SECRET: TEST_SECRET, DATA_DIR: ctx.config.dataDir, ...fake.env };
    const lan = await checkOAuthProviders(loadConfig({ ...base, PUBLIC_URL: 'http://prospector.lan:3000' }));
    expect(lan[0]).toMatchObject({ status: 'fail', detail: expect.stringContaining('plain http') });
    const half = await checkOAuthProviders(
      loadConfig({ APP_SECRET: TEST_SECRET, DATA_DIR: ctx.config.dataDir, MICROSOFT_CLIENT_ID: 'x' }),
    );
    expect(half).toEqual([expect.objectContaining({ name: 'Microsoft sign-in', status: 'fail' })]);
  });

  it('reconnecting through the connect flow lifts the pause and the alerts', async () => {
    const rep = await as('rep');
    fake.signInAs(rita);
    const { csrf } = await rep.page('/mailboxes');
    const start = await rep.post('/mailboxes/connect/google', { _csrf: csrf!, transport: 'smtp' });
    const authorize = new URL(start.headers.get('location')!);
    const form = new URLSearchParams(authorize.searchParams);
    form.set('decision', 'allow');
    const back = await fetch(new URL('/authorize', authorize), { method: 'POST', body: form, redirect: 'manual' });
    const cb = new URL(back.headers.get('location')!);
    expect((await rep.fetch(cb.pathname + cb.search)).status).toBe(303);

    expect((await rep.page('/')).html).not.toContain('is paused');
    expect(fake.validate(await oauthTokens(ctx, ritaBox).get())).toBeDefined();
    // The token checks (this context has no mail servers; oauth-doctor.test.ts logs in to them).
    const tokenChecks = (await checkOAuthMailboxes(ctx)).filter((c) => !/ (SMTP|IMAP) XOAUTH2 /.test(c.name));
    expect(tokenChecks.length).toBeGreaterThan(0);
    expect(tokenChecks.every((c) => c.status === 'ok')).toBe(true);
  });
});
