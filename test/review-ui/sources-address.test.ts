// A source's address is unique per kind in a workspace: the page and the API refuse a second source
// polling what one already polls (compared after normalization), in words naming the one there.
import { expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { escapeHtml } from '../../review-ui/html.js';
import { describeEachBackend } from '../support/db.js';
import { useSourcesWeb } from '../support/sources-web.js';

describeEachBackend('adding a source that is already there', (get) => {
  const app = useSourcesWeb(get, { ALLOW_PRIVATE_FETCH: 'false' });
  const { addViaApi, addViaPage } = app;
  const count = async () =>
    (await one<{ n: number }>(app.ctx.db, {
      text: 'SELECT count(*)::int AS n FROM signal_sources WHERE workspace_id = $1',
      values: [app.ws.id],
    }))!.n;
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
