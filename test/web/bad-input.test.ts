// Bad input gets a 4xx and a message that says what to fix, never a 500 — on both backends:
// NUL bytes (PostgreSQL refuses them in text), dates far outside any sane range, a CSV that is
// not a CSV, an unresolvable host in "test source", control characters in names. Refused
// anonymous input is logged at warn without a stack; tokens and CSRF headers never reach a log.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';

describeEachBackend('bad input over HTTP', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  let token: string;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    ctx = await createTestContext(get());
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    ctx.log = pino({ level: 'info' }, sink);
    web = await listen(ctx);
    ws = await buildWorkspace(ctx.db);
    token = await createApiToken(ctx.db, ws.users.revops.id, 'bad-input');
  });
  afterAll(async () => {
    await web?.close();
    await ctx?.stop();
  });

  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(web.base + path, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  it('answers a NUL byte in the anonymous login form with 400, and logs it at warn without a stack', async () => {
    const b = new Browserish(web.base);
    const { csrf } = await b.page('/login');
    const res = await b.post('/login', { email: 'x\u0000@test.example', password: 'p', _csrf: csrf! });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('NUL character is not allowed');
    const logged = lines.find((l) => l.msg === 'http.rejected' && l.url === '/login')!;
    expect(logged).toMatchObject({ level: 40, anonymous: true, code: 'VALIDATION' });
    expect(JSON.stringify(logged)).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(lines.some((l) => (l.level as number) >= 50)).toBe(false);
  });

  it('answers NUL in API creates, searches and query strings with 400 JSON', async () => {
    const created = await api('/api/accounts', { method: 'POST', body: { name: 'Nul\u0000 Co' } });
    expect(created.status).toBe(400);
    expect((await created.json()).error).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('name'),
    });
    expect((await api('/api/accounts?q=a%00b')).status).toBe(400);
    expect((await api('/api/signals?status=%00')).status).toBe(400);
    const b = new Browserish(web.base);
    await b.login(ws.users.rep.email, ws.users.rep.password);
    expect((await b.fetch('/queue?q=%00')).status).toBe(400);
    expect((await b.fetch('/accounts?q=%00')).status).toBe(400);
    expect(lines.some((l) => (l.level as number) >= 50)).toBe(false);
  });

  it('refuses line breaks and bidi overrides in names, and any control character anywhere', async () => {
    for (const name of ['Evil\r\nBcc: x@y.example', 'Acme \u202Egnp.exe', 'Tab\u0007bell']) {
      const res = await api('/api/accounts', { method: 'POST', body: { name } });
      expect(res.status).toBe(400);
    }
    const multi = await api('/api/accounts', { method: 'POST', body: { name: 'Fine Co', tags: ['a'] } });
    expect(multi.status).toBe(201);
  });

  it('refuses a date far outside a sane range with 400, not a database error', async () => {
    for (const occurredAt of ['+275760-09-13T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T00:00:00Z']) {
      const res = await api('/api/signals', { method: 'POST', body: { title: 'Far away', occurredAt } });
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toMatch(/occurredAt/);
    }
  });

  it('refuses a CSV with an unclosed quote or NUL bytes with 400 and where to look', async () => {
    const b = new Browserish(web.base);
    await b.login(ws.users.revops.email, ws.users.revops.password);
    const { csrf } = await b.page('/imports');
    const upload = (content: string) => {
      const form = new FormData();
      form.set('_csrf', csrf!);
      form.set('kind', 'accounts');
      form.set('file', new Blob([content], { type: 'text/csv' }), 'a.csv');
      return b.fetch('/imports', { method: 'POST', body: form });
    };
    const unclosed = await upload('name,domain\n"Acme,acme.example\nBeta,beta.example\n');
    expect(unclosed.status).toBe(400);
    expect(await unclosed.text()).toMatch(/cannot be read near line/);
    const nul = await upload('name,domain\nAc\u0000me,acme.example\n');
    expect(nul.status).toBe(400);
    expect(await nul.text()).toMatch(/Line 2 holds a NUL byte/);
    const apiImport = await fetch(`${web.base}/api/imports/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: 'name\n"open',
    });
    expect(apiImport.status).toBe(400);
  });

  it('strips line breaks and bidi marks from names read from a CSV', async () => {
    const { parseCsv, validateRows, mapColumns } = await import('../../accounts/csv-rows.js');
    const parsed = parseCsv('name,domain\n"Two\nLines \u202Eevil",two.example\n');
    const [row] = validateRows('accounts', parsed, mapColumns('accounts', parsed.headers));
    expect(row).toMatchObject({ ok: true, value: { name: 'Two Lines evil' } });
  });

  it('answers "test source" on an unresolvable host with 4xx and the reason', async () => {
    const res = await api('/api/sources/test', {
      method: 'POST',
      body: { url: 'http://no-such-host.invalid/feed.xml', kind: 'feed' },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await res.json()).error.message).toMatch(/no-such-host\.invalid/);
  });

  it('keeps tracking tokens and CSRF headers out of the request log', async () => {
    const secret = 'tok-very-secret-123';
    await fetch(`${web.base}/u/${secret}`);
    await fetch(`${web.base}/t/c/${secret}`, { redirect: 'manual' });
    await fetch(`${web.base}/api/me`, { headers: { 'x-csrf-token': secret, authorization: `Bearer ${token}` } });
    const logged = JSON.stringify(lines.filter((l) => l.req));
    expect(logged).toContain('/u/***');
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain(token);
  });

  it('marks authenticated pages and API answers no-store', async () => {
    const b = new Browserish(web.base);
    await b.login(ws.users.rep.email, ws.users.rep.password);
    expect((await b.fetch('/queue')).headers.get('cache-control')).toBe('no-store');
    expect((await api('/api/me')).headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${web.base}/login`)).headers.get('cache-control')).toBe('no-store');
  });
});
