import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { LOGIN_LIMITS } from '../../review-ui/auth/login-throttle.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';

describeEachBackend('web auth', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    web = await listen(ctx);
    ws = await buildWorkspace(ctx.db);
  });
  afterAll(async () => {
    await web?.close();
    await ctx?.stop();
  });

  it('redirects an anonymous browser to the login page and serves it', async () => {
    const b = new Browserish(web.base);
    const res = await b.fetch('/accounts');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Faccounts');
    const login = await b.page('/login');
    expect(login.res.status).toBe(200);
    expect(login.html).toContain('name="password"');
  });

  it('logs in with the right password, sets a hardened cookie, and logs out', async () => {
    const b = new Browserish(web.base);
    const { csrf } = await b.page('/login');
    const res = await b.fetch('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        email: ws.users.rep.email,
        password: ws.users.rep.password,
        _csrf: csrf!,
        next: '/contacts',
      }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/contacts');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('prospector_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const home = await b.page('/');
    expect(home.res.status).toBe(200);
    expect(home.html).toContain(ws.users.rep.email);
    const out = await b.post('/logout', { _csrf: home.csrf! });
    expect(out.status).toBe(303);
    expect((await b.fetch('/')).status).toBe(303);
  });

  it('refuses a wrong password with 401 and does not open a session', async () => {
    const b = new Browserish(web.base);
    const res = await b.login(ws.users.manager.email, 'wrong-password');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Wrong email or password');
    expect(b.cookies.has('prospector_session')).toBe(false);
  });

  it('slows an email down after repeated failures, even with the right password, for a short backoff only', async () => {
    const b = new Browserish(web.base);
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++)
      expect((await b.login(ws.users.revops.email, `nope-${i}`)).status).toBe(401);
    const res = await b.login(ws.users.revops.email, ws.users.revops.password);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(LOGIN_LIMITS.maxDelaySeconds);
  });

  it('does not follow an off-site next= after login', async () => {
    const b = new Browserish(web.base);
    const { csrf } = await b.page('/login');
    const res = await b.post('/login', {
      email: ws.users.admin.email,
      password: ws.users.admin.password,
      _csrf: csrf!,
      next: '//evil.example/x',
    });
    expect(res.headers.get('location')).toBe('/');
  });

  it('denies a rep the admin-only users page with 403', async () => {
    const b = new Browserish(web.base);
    await b.login(ws.users.rep.email, ws.users.rep.password);
    const res = await b.fetch('/users');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('needs the');
  });

  it('marks a session seen at most once a minute, in the statement that reads it; an expired one is refused', async () => {
    const b = new Browserish(web.base);
    await b.login(ws.users.manager.email, ws.users.manager.password);
    const seen = async () =>
      (
        await run<{ last_seen_at: Date }>(ctx.db, {
          text: `SELECT last_seen_at FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1`,
          values: [ws.users.manager.id],
        })
      )[0]!.last_seen_at.getTime();
    const setSeen = (sql: string) =>
      run(ctx.db, { text: `UPDATE sessions SET ${sql} WHERE user_id = $1`, values: [ws.users.manager.id] });
    await setSeen(`last_seen_at = now() - interval '30 seconds'`);
    const recent = await seen();
    expect((await b.fetch('/queue')).status).toBe(200);
    expect(await seen()).toBe(recent);
    await setSeen(`last_seen_at = now() - interval '2 minutes'`);
    const old = await seen();
    expect((await b.fetch('/queue')).status).toBe(200);
    expect(await seen()).toBeGreaterThan(old + 60_000);
    await setSeen(`expires_at = now() - interval '1 second', last_seen_at = now() - interval '2 minutes'`);
    const expired = await seen();
    expect((await b.fetch('/queue')).status).toBe(303);
    expect(await seen()).toBe(expired);
  });

  it('refuses a form post without the CSRF token, and accepts it with the token', async () => {
    const b = new Browserish(web.base);
    await b.login(ws.users.admin.email, ws.users.admin.password);
    const bad = await b.post('/users', { email: 'new-user@test.example', role: 'rep' });
    expect(bad.status).toBe(403);
    expect(await bad.text()).toMatch(/did not come from Prospector/);
    const { csrf } = await b.page('/users');
    const good = await b.post('/users', { email: 'new-user@test.example', role: 'rep', _csrf: csrf! });
    expect(good.status).toBe(200);
    expect(await good.text()).toMatch(/One-time password: <code>[a-z0-9-]{19}<\/code>/);
  });

  it('refuses a login form post whose token does not match its cookie', async () => {
    const b = new Browserish(web.base);
    await b.page('/login');
    const res = await b.post('/login', {
      email: ws.users.admin.email,
      password: ws.users.admin.password,
      _csrf: 'forged',
    });
    expect(res.status).toBe(403);
  });

  it('authenticates the API with a Bearer token and rejects unknown ones', async () => {
    const token = await createApiToken(ctx.db, ws.users.revops.id, 'test');
    const me = await fetch(`${web.base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ auth: 'token', user: { email: ws.users.revops.email, role: 'revops' } });
    const created = await fetch(`${web.base}/api/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Token Co', domain: 'https://www.token-co.example/' }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'Token Co', domain: 'token-co.example' });
    const bad = await fetch(`${web.base}/api/me`, { headers: { authorization: 'Bearer psk_nope' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'API token is unknown, expired or revoked' },
    });
    expect((await fetch(`${web.base}/api/me`)).status).toBe(401);
  });

  it('enforces roles on the API: a rep cannot create accounts', async () => {
    const token = await createApiToken(ctx.db, ws.users.rep.id, 'rep');
    const res = await fetch(`${web.base}/api/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'X' }),
    });
    expect(res.status).toBe(403);
  });

  it('answers /healthz without login and /metrics only to a manager', async () => {
    const h = await fetch(`${web.base}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ ok: true, database: 'ok', queue: 'ok', backend: get().backend });
    expect((await fetch(`${web.base}/metrics`)).status).toBe(401);
    const token = await createApiToken(ctx.db, ws.users.manager.id, 'prom');
    const m = await fetch(`${web.base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(m.status).toBe(200);
    const text = await m.text();
    expect(text).toContain('prospector_http_requests_total');
    expect(text).toMatch(/prospector_queue_jobs\{queue="research"\} \d+/);
  });

  it('shows a 404 page that says what went wrong and no stack trace', async () => {
    const b = new Browserish(web.base);
    await b.login(ws.users.admin.email, ws.users.admin.password);
    const res = await b.fetch('/no/such/page');
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).toContain('There is no page here.');
    expect(body).not.toMatch(/at .*\.ts:\d+/);
  });
});
