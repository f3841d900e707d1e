// API tokens (both backends): named, read-only or full, optional expiry, listed with last use,
// revoked from the page and the API, stored hashed; created from a browser session only.
import { expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { sha256 } from '../../review-ui/auth/session.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';

describeEachBackend('API tokens', (get) => {
  const app = useWebApp(get);
  const bearer = (token: string, path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(app.base + path, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const session = async () => {
    const b = new Browserish(app.base);
    await b.login(app.ws.users.revops.email, app.ws.users.revops.password);
    const { csrf } = await b.page('/tokens');
    const create = async (body: Record<string, unknown>) => {
      const r = await b.fetch('/api/tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf! },
        body: JSON.stringify(body),
      });
      expect(r.status).toBe(201);
      return ((await r.json()) as { token: string }).token;
    };
    return { b, csrf: csrf!, create };
  };

  it('a read-only token reads and cannot change anything; a full one can', async () => {
    const { create } = await session();
    const read = await create({ name: 'dashboards', scope: 'read' });
    expect((await bearer(read, '/api/accounts')).status).toBe(200);
    const refused = await bearer(read, '/api/accounts', { method: 'POST', body: { name: 'Nope Co' } });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toMatch(/read-only/);
    const full = await create({ name: 'sync' });
    expect((await bearer(full, '/api/accounts', { method: 'POST', body: { name: 'Yes Co' } })).status).toBe(201);
    // Tokens cannot mint tokens, and only the hash is stored.
    expect((await bearer(full, '/api/tokens', { method: 'POST', body: { name: 'more' } })).status).toBe(403);
    const stored = await one<{ token_hash: string }>(app.ctx.db, {
      text: 'SELECT token_hash FROM api_tokens WHERE token_hash = $1',
      values: [sha256(full)],
    });
    expect(stored?.token_hash).toBe(sha256(full));
    expect(JSON.stringify(await one(app.ctx.db, { text: 'SELECT * FROM api_tokens', values: [] }))).not.toContain(full);
  });

  it('a token past its expiry authenticates nothing', async () => {
    const { create } = await session();
    const t = await create({ name: 'short-lived', expiresInDays: 1 });
    expect((await bearer(t, '/api/me')).status).toBe(200);
    await app.ctx.db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`, [
      sha256(t),
    ]);
    const r = await bearer(t, '/api/me');
    expect(r.status).toBe(401);
    expect((await r.json()).error.message).toMatch(/expired/);
  });

  it('lists tokens with scope, expiry and last use (never the secret), and revokes from the API and the page', async () => {
    const { b, csrf, create } = await session();
    const a = await create({ name: 'revoke-by-api', scope: 'read', expiresInDays: 30 });
    const p = await create({ name: 'revoke-by-page' });
    await bearer(a, '/api/me');
    const list = (await (await bearer(p, '/api/tokens')).json()) as {
      items: { id: number; name: string; scope: string; lastUsedAt: string | null; expiresAt: string | null }[];
    };
    const byName = Object.fromEntries(list.items.map((t) => [t.name, t]));
    expect(byName['revoke-by-api']).toMatchObject({
      scope: 'read',
      lastUsedAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(byName['revoke-by-page']).toMatchObject({ scope: 'full', expiresAt: null });
    expect(JSON.stringify(list)).not.toMatch(/psk_|token_hash/);

    expect((await bearer(p, `/api/tokens/${byName['revoke-by-api']!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await bearer(a, '/api/me')).status).toBe(401);

    const pageHtml = (await b.page('/tokens')).html;
    expect(pageHtml).toContain('revoke-by-page');
    expect(pageHtml).not.toContain(p);
    expect((await b.post(`/tokens/${byName['revoke-by-page']!.id}/revoke`, { _csrf: csrf })).status).toBe(303);
    expect((await bearer(p, '/api/me')).status).toBe(401);
    expect((await b.page('/tokens')).html).toMatch(/revoked/);
  });

  it('creates a token from the page and shows it once', async () => {
    const { b, csrf } = await session();
    const res = await b.post('/tokens', { _csrf: csrf, name: 'from-page', scope: 'read', expiresInDays: '7' });
    expect(res.status).toBe(200);
    const token = /<code>(psk_[\w-]+)<\/code>/.exec(await res.text())![1]!;
    expect((await bearer(token, '/api/me')).status).toBe(200);
    expect((await b.page('/tokens')).html).not.toContain(token);
  });

  it("creates a token that never expires when the form's expiry is left empty, its default", async () => {
    const { b, csrf } = await session();
    const res = await b.post('/tokens', { _csrf: csrf, name: 'no-expiry', scope: 'read', expiresInDays: '' });
    expect(res.status).toBe(200);
    const stored = await one<{ expires_at: Date | null }>(get().db, {
      text: `SELECT expires_at FROM api_tokens WHERE name = 'no-expiry'`,
      values: [],
    });
    expect(stored).toEqual({ expires_at: null });
  });
});
