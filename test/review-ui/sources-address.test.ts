// A source's address is unique per kind in a workspace: the page and the API refuse a second source
// polling what one already polls (compared after normalization), in words naming the one there.
import { expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { escapeHtml } from '../../review-ui/html.js';
import { describeEachBackend } from '../support/db.js';
import { useSourcesWeb } from '../support/sources-web.js';

describeEachBackend('adding a source that is already there', (get) => {
  const app = useSourcesWeb(get, { ALLOW_PRIVATE_FETCH: 'false' });
  const { addViaApi, addViaPage } = app;
  const { count } = app;
  const refusal = async (res: Response) => {
    expect(res.status).toBe(400);
    return ((await res.json()) as { error: { message: string } }).error.message;
  };

  it('refuses the same kind and address, however it is spelt, from the API and the page alike', async () => {
    expect(
      (await addViaApi({ kind: 'feed', name: 'Acme <press>', url: 'https://feeds.example/acme.xml' })).status,
    ).toBe(201);
    expect((await addViaApi({ kind: 'lever', name: 'Acme jobs', url: 'https://jobs.lever.co/acme' })).status).toBe(201);
    const before = await count();
    const cases: [Record<string, string>, string][] = [
      [
        { kind: 'feed', url: 'HTTPS://Feeds.Example:443/acme.xml' },
        'A feed with this address already exists: Acme <press>',
      ],
      [
        { kind: 'lever', url: 'https://api.lever.co/v0/postings/acme' },
        'A Lever job board with this address already exists: Acme jobs',
      ],
    ];
    for (const [form, words] of cases) {
      expect(await refusal(await addViaApi({ name: 'Again', ...form }))).toBe(words);
      const viaPage = await addViaPage({ name: 'Again', ...form });
      expect(viaPage.status).toBe(400);
      expect(await viaPage.text()).toContain(escapeHtml(words));
    }
    expect(await count()).toBe(before);
  });

  it('adds the same address as another kind, and another address of the same kind', async () => {
    expect(
      (await addViaApi({ kind: 'page', name: 'Acme feed as a page', url: 'https://feeds.example/acme.xml' })).status,
    ).toBe(201);
    expect(
      (await addViaPage({ kind: 'feed', name: 'Other feed', url: 'https://feeds.example/other.xml' })).status,
    ).toBe(200);
  });
});

describeEachBackend("changing a source's address", (get) => {
  const app = useSourcesWeb(get, { ALLOW_PRIVATE_FETCH: 'false' });
  const patch = (id: number, body: Record<string, unknown>) =>
    fetch(`${app.base}/api/sources/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const viaPage = (id: number, url: string) =>
    app.page.post(`/settings/sources/${id}/address`, { _csrf: app.csrf, url });
  const add = async (body: Record<string, string>) => {
    const res = await app.addViaApi(body);
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };
  const row = async (id: number) =>
    (await one<{ url: string; etag: string | null; last_error: string | null; failures: number; flagged: boolean }>(
      app.ctx.db,
      {
        text: `SELECT url, etag, last_error, consecutive_failures AS failures, flagged_at IS NOT NULL AS flagged
                 FROM signal_sources WHERE id = $1`,
        values: [id],
      },
    ))!;
  const audits = async (id: number) =>
    (
      await run(app.ctx.db, {
        text: `SELECT user_id, action, data FROM audit_log WHERE entity_type = 'signal_source' AND entity_id = $1
                 AND action = 'source.updated' ORDER BY id`,
        values: [id],
      })
    ).map((r) => r as Record<string, unknown>);

  it('moves it from the API and from the page, checked and normalized as when added, with an audit row', async () => {
    const a = await add({ kind: 'feed', name: 'Acme', url: 'https://feeds.example/a.xml' });
    // The old address failed five times and was flagged: the move is what RevOps does about it.
    await one(app.ctx.db, {
      text: `UPDATE signal_sources SET etag = '"v1"', last_error = 'FETCH_FAILED: 404', last_error_at = now(),
                    consecutive_failures = 5, flagged_at = now() WHERE id = $1`,
      values: [a],
    });
    const res = await patch(a, { url: 'HTTPS://Feeds.Example/a2.xml' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { url: string }).url).toBe('https://feeds.example/a2.xml');
    // The old address's validators are not sent to the new one, and its failures are not the new one's.
    expect(await row(a)).toEqual({
      url: 'https://feeds.example/a2.xml',
      etag: null,
      last_error: null,
      failures: 0,
      flagged: false,
    });
    const page = await viaPage(a, 'https://feeds.example/a3.xml');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('“Acme” now polls https://feeds.example/a3.xml');
    expect((await row(a)).url).toBe('https://feeds.example/a3.xml');
    // Its own address again is no duplicate of itself.
    expect((await patch(a, { url: 'https://feeds.example/a3.xml' })).status).toBe(200);
    const who = { user_id: app.ws.users.revops.id, action: 'source.updated', data: { fields: ['url'] } };
    expect(await audits(a)).toEqual([who, who, who]);
  });

  it('refuses a duplicate, a refused address and a pushed source in the same words from both doors', async () => {
    const a = await add({ kind: 'feed', name: 'First', url: 'https://feeds.example/first.xml' });
    await add({ kind: 'feed', name: 'Second & co', url: 'https://feeds.example/second.xml' });
    const hook = await add({ kind: 'webhook', name: 'Hook' });
    const cases: [number, string, string][] = [
      [a, 'https://FEEDS.example/second.xml', 'A feed with this address already exists: Second & co'],
      [
        a,
        'http://localhost:8080/feed.xml',
        'URL cannot be polled: localhost is a private or reserved address; set ALLOW_PRIVATE_FETCH to allow it (true, or a list of origins)',
      ],
      [
        a,
        'https://ann:pw@feeds.example/x.xml',
        'URL cannot be polled: an address with a user name or password in it is never fetched',
      ],
      [
        hook,
        'https://feeds.example/hook.xml',
        'URL cannot be set: a Signed webhook (job changes and other events) is pushed to Prospector, not polled',
      ],
    ];
    for (const [id, url, words] of cases) {
      const api = await patch(id, { url });
      expect(api.status, url).toBe(400);
      expect(((await api.json()) as { error: { message: string } }).error.message).toBe(words);
      const page = await viaPage(id, url);
      expect(page.status, url).toBe(400);
      expect(await page.text()).toContain(escapeHtml(words));
    }
    expect((await row(a)).url).toBe('https://feeds.example/first.xml');
    expect(await audits(a)).toEqual([]);
  });
});
