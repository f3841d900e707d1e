// Login throttling (both backends): decided one request at a time per key, so 40 parallel wrong
// passwords reach the password check at most the limit's number of times; past the limit an
// email is slowed down (seconds), never locked for the window, and its owner's known browser is
// not held back by an outsider's failures; per-address limits only on addresses we can trust.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { LOGIN_LIMITS, loginVerdict, waitFor } from '../../review-ui/auth/login-throttle.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';
import { eventually } from '../support/eventually.js';

describe('login verdict (pure)', () => {
  it('lets the free failures through, then waits 5 s after the last failure, doubling up to a minute', () => {
    expect(waitFor({ failures: 4, secondsSinceLast: 0 }, 5)).toBe(0);
    expect(waitFor({ failures: 5, secondsSinceLast: 0.2 }, 5)).toBe(5);
    expect(waitFor({ failures: 5, secondsSinceLast: 5 }, 5)).toBe(0);
    expect(waitFor({ failures: 7, secondsSinceLast: 3 }, 5)).toBe(17);
    expect(waitFor({ failures: 40, secondsSinceLast: 0 }, 5)).toBe(LOGIN_LIMITS.maxDelaySeconds);
    expect(loginVerdict({ failures: 0, secondsSinceLast: null }, { failures: 30, secondsSinceLast: 0 })).toEqual({
      allow: false,
      retryAfterSeconds: 5,
    });
    expect(loginVerdict({ failures: 0, secondsSinceLast: null }, undefined)).toEqual({ allow: true });
  });
});

async function loginForm(b: Browserish, email: string, password: string, headers: Record<string, string> = {}) {
  const { csrf } = await b.page('/login');
  return b.fetch('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ email, password, _csrf: csrf! }).toString(),
  });
}

describeEachBackend('login throttling', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let proxied: AppContext & { stop(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  let behindProxy: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    web = await listen(ctx);
    proxied = await createTestContext(get(), { TRUST_PROXY: 'loopback' });
    behindProxy = await listen(proxied);
    ws = await buildWorkspace(ctx.db);
  });
  afterAll(async () => {
    await web?.close();
    await behindProxy?.close();
    await proxied?.stop();
    await ctx?.stop();
  });
  const evaluated = async (email: string) =>
    (await one<{ n: number }>(ctx.db, {
      text: 'SELECT count(*)::int AS n FROM login_attempts WHERE lower(email) = lower($1)',
      values: [email],
    }))!.n;

  it('evaluates at most the limit of 40 parallel wrong passwords for one email', async () => {
    const email = ws.users.manager.email;
    const clients = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const b = new Browserish(web.base);
        const { csrf } = await b.page('/login');
        return { b, csrf: csrf! };
      }),
    );
    const statuses = await Promise.all(
      clients.map(({ b, csrf }, i) =>
        b.post('/login', { email, password: `wrong-${i}`, _csrf: csrf }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_LIMITS.perAccount);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - LOGIN_LIMITS.perAccount);
    expect(await evaluated(email)).toBe(LOGIN_LIMITS.perAccount);
  });

  it("does not let an outsider's failures lock the owner's known browser out", async () => {
    const owner = new Browserish(web.base);
    expect((await owner.login(ws.users.admin.email, ws.users.admin.password)).status).toBe(303);
    expect(owner.cookies.has('prospector_device')).toBe(true);
    await owner.post('/logout', { _csrf: (await owner.page('/')).csrf! });
    const outsider = new Browserish(web.base);
    for (let i = 0; i < LOGIN_LIMITS.perAccount + 3; i++) await outsider.login(ws.users.admin.email, `guess-${i}`);
    expect((await outsider.login(ws.users.admin.email, ws.users.admin.password)).status).toBe(429);
    expect((await owner.login(ws.users.admin.email, ws.users.admin.password)).status).toBe(303);
  });

  it('slows an unknown browser down past the limit, then evaluates it again after Retry-After', async () => {
    const b = new Browserish(web.base);
    const email = ws.users.rep.email;
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) expect((await b.login(email, `no-${i}`)).status).toBe(401);
    const slowed = await b.login(email, ws.users.rep.password);
    expect(slowed.status).toBe(429);
    const wait = Number(slowed.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(LOGIN_LIMITS.baseDelaySeconds);
    expect(await slowed.text()).toMatch(/Wait (a second|\d+ seconds)/);
    // Refused attempts are not recorded, so asking again does not push the wait further out.
    const res = await eventually(
      'the wait to end',
      async () => {
        const r = await b.login(email, ws.users.rep.password);
        return r.status !== 429 && r;
      },
      { timeout: 3 * LOGIN_LIMITS.baseDelaySeconds * 1000, every: 250 },
    );
    expect(res.status).toBe(303);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY and never throttles a loopback proxy address alone', async () => {
    for (let i = 0; i < LOGIN_LIMITS.perIp + 2; i++) {
      const b = new Browserish(web.base);
      const res = await loginForm(b, `nobody-${i}@spray.example`, 'x', { 'x-forwarded-for': '203.0.113.9' });
      expect(res.status).toBe(401);
    }
  });

  it('throttles one client address behind a trusted proxy, and not its neighbour', async () => {
    for (let i = 0; i < LOGIN_LIMITS.perIp; i++) {
      const res = await loginForm(new Browserish(behindProxy.base), `spray-${i}@spray.example`, 'x', {
        'x-forwarded-for': '203.0.113.7',
      });
      expect(res.status).toBe(401);
    }
    const blocked = await loginForm(new Browserish(behindProxy.base), 'one-more@spray.example', 'x', {
      'x-forwarded-for': '203.0.113.7',
    });
    expect(blocked.status).toBe(429);
    const neighbour = await loginForm(
      new Browserish(behindProxy.base),
      ws.users.revops.email,
      ws.users.revops.password,
      {
        'x-forwarded-for': '203.0.113.8',
      },
    );
    expect(neighbour.status).toBe(303);
  });
});
