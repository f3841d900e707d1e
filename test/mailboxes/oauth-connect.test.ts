// The connect flow end to end against fake Google and Microsoft sign-in servers: the real
// openid-client, the real app on loopback, real Chromium for the click-through. Covers a tampered
// state, a replayed callback and code, a code paired with another flow's PKCE verifier, reconnect
// (same account updates its mailbox), disconnect (revoked at Google; Microsoft has no revocation)
// and that no secret reaches the log.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { listOAuthMailboxes } from '../../db/queries/mailbox-oauth.js';
import { launchBrowser, login, screenshot } from '../support/browser.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { captureLog } from '../support/log-capture.js';
import { startFakeOAuth, type FakeOAuth } from '../support/fake-oauth.js';
import { Browserish, listen } from '../support/web.js';

describeEachBackend('oauth connect flow', (get, backend) => {
  let google: FakeOAuth, microsoft: FakeOAuth;
  let ctx: AppContext & { stop(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  let browser: Browser | undefined;
  const capture = captureLog();
  const logged = capture.lines;
  const mailboxes = (userId: number | null = null) => run(ctx.db, listOAuthMailboxes(ws.id, userId));

  beforeAll(async () => {
    google = await startFakeOAuth({ provider: 'google' });
    microsoft = await startFakeOAuth({ provider: 'microsoft', rotateRefreshTokens: true });
    ctx = await createTestContext(get(), { ...google.env, ...microsoft.env });
    ctx.log = capture.log;
    web = await listen(ctx);
    // The redirect URI is PUBLIC_URL + the callback path: the app's loopback address.
    ctx.config.publicUrl = web.base;
    ws = await buildWorkspace(ctx.db);
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await ctx?.stop();
    await google?.close();
    await microsoft?.close();
  });

  /** Logged in as `role`, clicks Connect; returns the provider's authorization URL. */
  async function start(c: Browserish, provider: 'google' | 'microsoft', transport = 'smtp'): Promise<URL> {
    const { csrf } = await c.page('/mailboxes');
    const res = await c.post(`/mailboxes/connect/${provider}`, { _csrf: csrf!, transport });
    expect(res.status).toBe(303);
    return new URL(res.headers.get('location')!);
  }
  /** Allows at the fake's consent page; returns the callback URL it sends the browser to. */
  async function consent(authorize: URL): Promise<URL> {
    const form = new URLSearchParams(authorize.searchParams);
    form.set('decision', 'allow');
    const res = await fetch(new URL('/authorize', authorize), { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }
  const callback = (c: Browserish, u: URL) => c.fetch(u.pathname + u.search);
  async function as(role: 'rep' | 'revops' | 'manager') {
    const c = new Browserish(web.base);
    await c.login(ws.users[role].email, ws.users[role].password);
    return c;
  }

  it('in Chromium: Connect Google → consent page → back with the mailbox listed under the provider address', async () => {
    browser = await launchBrowser();
    const page = await browser.newPage();
    google.signInAs({ sub: `g-rita-${backend}`, email: 'rita@acme.test', name: 'Rita Rep' });
    await login(page, web.base, ws.users.rep.email, ws.users.rep.password);
    await page.goto(`${web.base}/mailboxes`);
    await expect(page.getByRole('button', { name: 'Connect Microsoft' }).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Connect Google' }).click();
    await page.waitForURL((u) => u.origin === google.issuer);
    await expect(page.locator('#who').textContent()).resolves.toBe('rita@acme.test');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.pathname === '/mailboxes' && u.searchParams.has('connected'));
    const row = page.locator('tr[data-mailbox]');
    await expect(row.textContent()).resolves.toContain('Rita Rep <rita@acme.test>');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Connected rita@acme.test');
    await screenshot(page, `oauth-connect-google-${backend}`);
    const [m] = await mailboxes(ws.users.rep.id);
    expect(m).toMatchObject({ provider: 'google', from_email: 'rita@acme.test', connected: true, consent_error: null });
    // The PKCE verifier went to the token endpoint and matched (the fake checks S256).
    expect(google.counts.code).toBe(1);
    await page.close();
  });

  it('a tampered state is refused and nothing is connected; the untampered callback still works once', async () => {
    const c = await as('manager');
    google.signInAs({ sub: `g-manny-${backend}`, email: 'manny@acme.test', name: 'Manny' });
    const back = await consent(await start(c, 'google'));
    const tampered = new URL(back);
    tampered.searchParams.set('state', back.searchParams.get('state')!.slice(0, -2) + 'xx');
    const codes = google.counts.code;
    const bad = await callback(c, tampered);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('not valid any more');
    expect(google.counts.code).toBe(codes); // the code was never sent
    expect(await mailboxes(ws.users.manager.id)).toHaveLength(0);

    const ok = await callback(c, back);
    expect(ok.status).toBe(303);
    expect(await mailboxes(ws.users.manager.id)).toHaveLength(1);

    // Replaying the callback finds the flow used.
    const replay = await callback(c, back);
    expect(replay.status).toBe(400);
    expect(google.counts.code).toBe(codes + 1);
  });

  it("a used code under a new flow's state is refused by the token endpoint", async () => {
    const c = await as('manager');
    const used = await consent(await start(c, 'google'));
    expect((await callback(c, used)).status).toBe(303);
    const fresh = await consent(await start(c, 'google'));
    const spliced = new URL(fresh);
    spliced.searchParams.set('code', used.searchParams.get('code')!);
    const res = await callback(c, spliced);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('sign-in code was refused');
  });

  it("a code paired with another flow's PKCE verifier is refused (S256 mismatch at the token endpoint)", async () => {
    const c = await as('revops');
    google.signInAs({ sub: `g-rev-${backend}`, email: 'rev@acme.test', name: 'Rev' });
    const a = await consent(await start(c, 'google'));
    const b = await consent(await start(c, 'google'));
    const crossed = new URL(b);
    crossed.searchParams.set('code', a.searchParams.get('code')!);
    const before = google.tokenRequests.length;
    const res = await callback(c, crossed);
    expect(res.status).toBe(400);
    expect(google.tokenRequests.length).toBe(before + 1);
    expect(await mailboxes(ws.users.revops.id)).toHaveLength(0);
  });

  it("another session cannot finish someone's flow", async () => {
    const rep = await as('rep');
    const back = await consent(await start(rep, 'google'));
    const other = await as('manager');
    const res = await callback(other, back);
    expect(res.status).toBe(400);
  });

  it('Microsoft: connects with the Graph transport, reconnecting updates the same mailbox', async () => {
    const c = await as('rep');
    microsoft.signInAs({ sub: `ms-rita-${backend}`, email: 'rita@contoso.test', name: 'Rita Contoso' });
    const authorize = await start(c, 'microsoft', 'api');
    expect(authorize.searchParams.get('scope')).toBe('openid email profile offline_access Mail.Send Mail.Read');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect((await callback(c, await consent(authorize))).status).toBe(303);
    const first = (await mailboxes(ws.users.rep.id)).find((m) => m.provider === 'microsoft')!;
    expect(first).toMatchObject({ from_email: 'rita@contoso.test', oauth_transport: 'api' });

    const again = await start(c, 'microsoft', 'smtp');
    expect(again.searchParams.get('scope')).toContain('https://outlook.office.com/SMTP.Send');
    expect((await callback(c, await consent(again))).status).toBe(303);
    const ms = (await mailboxes(ws.users.rep.id)).filter((m) => m.provider === 'microsoft');
    expect(ms).toHaveLength(1);
    expect(ms[0]).toMatchObject({ id: first.id, oauth_transport: 'smtp' });
  });

  it('reps see their own mailboxes; RevOps see all', async () => {
    const rep = await as('rep');
    const mine = (await rep.page('/mailboxes')).html;
    expect(mine).toContain('rita@acme.test');
    expect(mine).not.toContain('manny@acme.test');
    const revops = await as('revops');
    const all = (await revops.page('/mailboxes')).html;
    expect(all).toContain('rita@acme.test');
    expect(all).toContain('manny@acme.test');
    // The RevOps settings page offers the same buttons.
    expect((await revops.page('/settings/mailboxes')).html).toContain('Connect Google');
  });

  it('disconnect revokes at Google and removes the tokens; a rep cannot disconnect another rep', async () => {
    const rep = await as('rep');
    const m = (await mailboxes(ws.users.rep.id)).find((x) => x.provider === 'google')!;
    const manager = await as('manager');
    const { csrf: mcsrf } = await manager.page('/mailboxes');
    expect((await manager.post(`/mailboxes/${m.id}/disconnect`, { _csrf: mcsrf! })).status).toBe(404);

    const revokes = google.counts.revoke;
    const live = [...google.tokens.values()].filter((t) => t.sub === `g-rita-${backend}` && !t.revoked);
    expect(live.length).toBeGreaterThan(0);
    const { csrf } = await rep.page('/mailboxes');
    expect((await rep.post(`/mailboxes/${m.id}/disconnect`, { _csrf: csrf! })).status).toBe(303);
    expect(google.counts.revoke).toBe(revokes + 1);
    expect(live.every((t) => t.revoked)).toBe(true);
    const after = (await mailboxes(ws.users.rep.id)).find((x) => x.id === m.id)!;
    expect(after.connected).toBe(false);
    expect(after.paused_at).not.toBeNull();
    expect(after.pause_reason).toMatch(/^Disconnected from Google/);

    // Microsoft names no revocation endpoint: the tokens go here, nothing is sent there.
    const ms = (await mailboxes(ws.users.rep.id)).find((x) => x.provider === 'microsoft')!;
    expect((await rep.post(`/mailboxes/${ms.id}/disconnect`, { _csrf: csrf! })).status).toBe(303);
    expect(microsoft.counts.revoke).toBe(0);
    expect((await mailboxes(ws.users.rep.id)).find((x) => x.id === ms.id)!.connected).toBe(false);
  });

  it('a provider without client id and secret shows no button and refuses to start', async () => {
    const saved = ctx.config.oauth.microsoft.clientId;
    ctx.config.oauth.microsoft.clientId = undefined;
    try {
      const c = await as('rep');
      const { html, csrf } = await c.page('/mailboxes');
      expect(html).toContain('Connect Google');
      expect(html).not.toContain('Connect Microsoft');
      expect((await c.post('/mailboxes/connect/microsoft', { _csrf: csrf! })).status).toBe(404);
    } finally {
      ctx.config.oauth.microsoft.clientId = saved;
    }
  });

  it('no token, code, verifier or client secret reaches the log', () => {
    const all = logged.join('');
    expect(all).toContain('mailbox.oauth.connected');
    const secrets = [
      google.clientSecret,
      microsoft.clientSecret,
      ...google.tokens.keys(),
      ...microsoft.tokens.keys(),
      ...google.tokenRequests.flatMap((r) => [r.code, r.code_verifier]),
      ...microsoft.tokenRequests.flatMap((r) => [r.code, r.code_verifier]),
    ].filter((s): s is string => Boolean(s));
    expect(secrets.length).toBeGreaterThan(10);
    for (const s of secrets) expect(all).not.toContain(s);
  });
});
