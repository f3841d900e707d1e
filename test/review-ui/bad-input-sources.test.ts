// Adding a signal source with an address no poll could ever fetch: the settings page and the JSON API
// refuse it when it is added, with the same words (400, never a 500), and nothing is stored. Private
// addresses are refused unless ALLOW_PRIVATE_FETCH names them, as each poll would.
import { expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { escapeHtml } from '../../review-ui/html.js';
import { refusedBanner } from '../../review-ui/views/refused.js';
import { describeEachBackend } from '../support/db.js';
import { captureLog } from '../support/log-capture.js';
import { useSourcesWeb } from '../support/sources-web.js';

describeEachBackend('adding a source with a bad address', (get) => {
  const app = useSourcesWeb(get, { ALLOW_PRIVATE_FETCH: 'http://10.9.9.9:8080' });
  const { addViaApi, addViaPage } = app;
  const { count } = app;

  it('refuses it in words on the page and in the API alike, storing nothing', async () => {
    const bad: [Record<string, string>, string][] = [
      [{ kind: 'greenhouse', url: 'http://' }, 'URL is not a web address'],
      [{ kind: 'lever', url: 'https://exa mple.com/jobs' }, 'URL is not a web address'],
      [{ kind: 'feed', url: 'https://exa mple.com/feed.xml' }, 'URL is not a web address'],
      [
        { kind: 'feed', url: 'https://user:secret@feeds.example/x.xml' },
        'URL cannot be polled: an address with a user name',
      ],
      [{ kind: 'feed', url: 'http://10.0.0.1/feed.xml' }, '10.0.0.1 is a private or reserved address'],
      [{ kind: 'page', url: 'http://169.254.169.254/latest/meta-data' }, '169.254.169.254 is a private or reserved'],
      [{ kind: 'feed', url: 'http://[::1]/feed.xml' }, '::1 is a private or reserved address'],
      [{ kind: 'ashby', url: 'http://localhost:5432/' }, 'localhost is a private or reserved address'],
      [{ kind: 'feed', url: 'http://0x7f000001/feed.xml' }, '127.0.0.1 is a private or reserved address'],
      // localhost is refused by net/'s literal check, the one every fetch makes: any spelling of it.
      [
        { kind: 'feed', url: 'http://LOCALHOST./feed.xml' },
        'URL cannot be polled: localhost. is a private or reserved address',
      ],
      [
        { kind: 'page', url: 'http://intranet.localhost:8080/' },
        'URL cannot be polled: intranet.localhost is a private or reserved',
      ],
      [
        { kind: 'feed', url: 'ftp://feeds.example/x.xml' },
        'URL cannot be polled: an http(s) address is needed; ftp: addresses are never fetched',
      ],
    ];
    const before = await count();
    for (const [form, gist] of bad) {
      const viaApi = await addViaApi({ name: 'Bad', ...form });
      expect(viaApi.status, form.url).toBe(400);
      const message = ((await viaApi.json()) as { error: { message: string } }).error.message;
      expect(message).toContain(gist);
      const viaPage = await addViaPage({ name: 'Bad', ...form });
      expect(viaPage.status, form.url).toBe(400);
      expect(await viaPage.text()).toContain(escapeHtml(message));
    }
    expect(await count()).toBe(before);
  });

  it('refuses trying such an address (POST /api/sources/test) with 400 and the words adding it gets', async () => {
    const tryIt = (body: Record<string, string>) =>
      fetch(`${app.base}/api/sources/test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const words = async (res: Response) => {
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    const bad: Record<string, string>[] = [
      // Malformed: each board kind's normalization parses the address, so these once threw unhandled.
      { kind: 'lever', url: 'https://exa mple.com/jobs' },
      { kind: 'greenhouse', url: 'http://' },
      { kind: 'ashby', url: 'not an address' },
      { kind: 'feed', url: 'https://exa mple.com/feed.xml' },
      { kind: 'feed', url: 'https://user:secret@feeds.example/x.xml' },
      { kind: 'lever', url: 'http://localhost:4000/v0/postings/acme' },
    ];
    for (const form of bad) {
      const tried = await words(await tryIt(form));
      expect(tried, form.url).toMatch(/^URL (is|cannot be polled:) /);
      expect(tried, form.url).toBe(await words(await addViaApi({ name: 'Bad', ...form })));
    }
    expect(await words(await tryIt({ kind: 'lever', url: 'https://exa mple.com/jobs' }))).toBe(
      'URL is not a web address; an http(s) address like https://example.com/feed.xml',
    );
  });

  it('checks and stores the address the source will poll: the board page normalized to its API', async () => {
    const res = await addViaApi({ kind: 'lever', name: 'Acme jobs', url: 'https://jobs.lever.co/acme' });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { url: string }).url).toBe('https://api.lever.co/v0/postings/acme?mode=json');
    // The normalized form is what is checked: an API address on a refused host is refused from both doors.
    const form = { kind: 'lever', name: 'Local', url: 'http://localhost:4000/v0/postings/acme' };
    const viaApi = await addViaApi(form);
    expect(viaApi.status).toBe(400);
    const message = ((await viaApi.json()) as { error: { message: string } }).error.message;
    expect(message).toBe(
      'URL cannot be polled: localhost is a private or reserved address; set ALLOW_PRIVATE_FETCH to allow it (true, or a list of origins)',
    );
    const viaPage = await addViaPage(form);
    expect(viaPage.status).toBe(400);
    expect(await viaPage.text()).toContain(escapeHtml(message));
  });

  it('adds a public address, and a private one that ALLOW_PRIVATE_FETCH names', async () => {
    expect((await addViaApi({ kind: 'feed', name: 'Public', url: 'https://feeds.example/x.xml' })).status).toBe(201);
    expect((await addViaApi({ kind: 'feed', name: 'Named', url: 'http://10.9.9.9:8080/x.xml' })).status).toBe(201);
    expect((await addViaPage({ kind: 'feed', name: 'Named page', url: 'http://10.9.9.9:8080/y.xml' })).status).toBe(
      200,
    );
  });
});

describeEachBackend('a refused source on the settings page', (get) => {
  const app = useSourcesWeb(get);

  it('shows the page again with the reason and the form as it was typed', async () => {
    const typed = {
      kind: 'page',
      name: 'Acme <newsroom> & "press"',
      url: 'https://acme.example/news',
      pollIntervalMinutes: '2',
      config: '{"maxAgeDays": 30}',
    };
    const res = await app.addViaPage(typed);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(
      /<p class="error" role="alert">\s*The source was not added: Poll every \(minutes\) must be at least 5\. <a href="#add-source">/,
    );
    expect(html).toContain('<h2 id="add-source">Add a source</h2>');
    expect(html).toMatch(/<option value="page"\s+selected>/);
    for (const k of ['name', 'url', 'pollIntervalMinutes'] as const)
      expect(html).toContain(`value="${escapeHtml(typed[k])}"`);
    expect(html).toContain(`>${escapeHtml(typed.config)}</textarea>`);
    // Nothing was added; the form is there once.
    expect(html.match(/action="\/settings\/sources"/g)).toHaveLength(1);
    const stored = await one<{ n: number }>(app.ctx.db, {
      text: 'SELECT count(*)::int AS n FROM signal_sources WHERE workspace_id = $1',
      values: [app.ws.id],
    });
    expect(stored!.n).toBe(0);
  });

  it('says so with the banner every refused form has (refused.ts), for an add and for a new address', async () => {
    const added = await app.addViaPage({
      kind: 'feed',
      name: 'Kept',
      url: 'https://feeds.example/k.xml',
      pollIntervalMinutes: '2',
    });
    expect(await added.text()).toContain(
      String(refusedBanner('The source was not added', 'Poll every (minutes) must be at least 5', 'add-source')),
    );
    const made = (await (
      await app.addViaApi({ kind: 'feed', name: 'Kept', url: 'https://feeds.example/k.xml' })
    ).json()) as { id: number };
    const res = await app.page.post(`/settings/sources/${made.id}/address`, { _csrf: app.csrf, url: 'http://' });
    expect(res.status).toBe(400);
    const banner = refusedBanner(
      'The address of “Kept” was not changed',
      'URL is not a web address; an http(s) address like https://example.com/feed.xml',
      `source-${made.id}`,
    );
    expect(await res.text()).toContain(String(banner));
  });
});

describeEachBackend('the log of a refused source', (get) => {
  const logged = captureLog();
  const app = useSourcesWeb(get, { ALLOW_PRIVATE_FETCH: 'false' }, logged.log);

  it('says why it was refused and never what the address or the request URL held', async () => {
    const secrets = ['hunter2', 's3cr3t-token', 'csrf-in-query', 'abc-signature'];
    const refused: Record<string, string>[] = [
      { kind: 'feed', url: 'https://ann:hunter2@feeds.example/x.xml?token=s3cr3t-token' },
      { kind: 'feed', url: 'http://10.0.0.1/feed.xml?token=s3cr3t-token' },
      { kind: 'lever', url: 'https://exa mple.com/jobs?sig=abc-signature&pass=hunter2' },
      { kind: 'page', url: 'https://acme.example/news', config: '{"token": "s3cr3t-token"' },
    ];
    for (const form of refused) {
      expect((await app.addViaApi({ name: 'Refused', ...form })).status).toBe(400);
      expect(
        (await app.page.post('/settings/sources?_csrf=csrf-in-query', { _csrf: app.csrf, name: 'Refused', ...form }))
          .status,
      ).toBe(400);
    }
    const rejected = logged.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'http.rejected');
    // Both doors, every refusal: a warning with the reason and the route.
    expect(rejected.filter((l) => l.url === '/api/sources')).toHaveLength(refused.length);
    expect(rejected.filter((l) => l.url === '/settings/sources?_csrf=***')).toHaveLength(refused.length);
    expect(rejected.map((l) => l.why)).toEqual(
      expect.arrayContaining([
        'URL cannot be polled: an address with a user name or password in it is never fetched',
        expect.stringContaining('URL cannot be polled: 10.0.0.1 is a private or reserved address'),
        expect.stringContaining('URL is not a web address'),
        expect.stringContaining('Settings must be valid JSON'),
      ]),
    );
    const all = logged.lines.join('\n');
    for (const s of secrets) expect(all).not.toContain(s);
  });
});

describeEachBackend('the words of a refused source', (get) => {
  const app = useSourcesWeb(get);
  const message = async (res: Response) => {
    expect(res.status).toBe(400);
    return ((await res.json()) as { error: { message: string } }).error.message;
  };
  const patch = (id: number, body: Record<string, unknown>) =>
    fetch(`${app.base}/api/sources/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** A field named as code names it ("url: …", "config: …", "Poll interval minutes"), not as the page does. */
  const codeWords = /(^|; )(url|config|kind|name|pollIntervalMinutes|body|Config [a-z]|Poll interval minutes)\b:?/;

  it('are sentences naming each field by the label the page shows, from the page and the API alike', async () => {
    const form = (await app.page.page('/settings/sources')).html;
    for (const label of ['Kind', 'Name', 'URL', 'Poll every (minutes)', 'Settings'])
      expect(form).toContain(`>${label}`);
    const cases: [Record<string, string>, string][] = [
      [
        { kind: 'feed', name: 'Both', url: 'https://feeds.example/a.xml', pollIntervalMinutes: '2', config: '{nope' },
        'Poll every (minutes) must be at least 5; Settings must be valid JSON, e.g. {"maxAgeDays": 30}',
      ],
      [
        { kind: 'feed', name: 'Typed', url: 'https://feeds.example/b.xml', config: '{"maxAgeDays": "a month"}' },
        "“maxAgeDays” in the source's settings must be a number",
      ],
      [
        { kind: 'feed', name: 'Array', url: 'https://feeds.example/c.xml', config: '[1]' },
        'Settings must be a JSON object',
      ],
      [{ kind: 'feed', name: 'No address' }, 'URL is required: a feed needs an address to poll'],
      [
        { kind: 'rss', name: 'Made-up kind', url: 'https://feeds.example/d.xml' },
        'Kind must be one of RSS / Atom feed, Watched page, Greenhouse job board, Lever job board, Ashby job board, ' +
          'Signed webhook (job changes and other events), Manual entry',
      ],
      [{ kind: 'feed', name: 'Spaced', url: 'https://exa mple.com/x.xml' }, 'URL is not a web address'],
      [
        { kind: 'feed', name: 'Credentials', url: 'https://ann:pw@feeds.example/x.xml' },
        'URL cannot be polled: an address with a user name or password in it is never fetched',
      ],
    ];
    for (const [body, words] of cases) {
      const viaApi = await message(await app.addViaApi(body));
      expect(viaApi, JSON.stringify(body)).toContain(words);
      expect(viaApi).not.toMatch(codeWords);
      const viaPage = await app.addViaPage(body);
      expect(viaPage.status).toBe(400);
      expect(await viaPage.text()).toContain(`The source was not added: ${escapeHtml(viaApi)}`);
    }
    // Trying an address before adding it: only the polled kinds, by their labels.
    const tried = await fetch(`${app.base}/api/sources/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'webhook', url: 'https://feeds.example/e.xml' }),
    });
    expect(await message(tried)).toBe(
      'Kind must be one of RSS / Atom feed, Watched page, Greenhouse job board, Lever job board, Ashby job board',
    );
    // PATCH /api/sources/:id, and the page's address form, in the same words.
    const added = (await (
      await app.addViaApi({ kind: 'feed', name: 'Kept', url: 'https://feeds.example/k.xml' })
    ).json()) as {
      id: number;
    };
    const refused = await message(await patch(added.id, { name: ' ', pollIntervalMinutes: 1, url: 'http://' }));
    expect(refused).toBe('Name must not be empty; Poll every (minutes) must be at least 5');
    expect(await message(await patch(added.id, { url: 'http://' }))).toBe(
      'URL is not a web address; an http(s) address like https://example.com/feed.xml',
    );
    expect(await message(await patch(added.id, { config: { maxAgeDays: 0 } }))).toBe(
      "“maxAgeDays” in the source's settings must be more than 0",
    );
  });

  it('settings no longer valid are said in the same words when the source is tried or tested, not in zod’s', async () => {
    const tried = await fetch(`${app.base}/api/sources/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'feed', url: 'https://feeds.example/t.xml', config: { maxAgeDays: 0 } }),
    });
    expect(await message(tried)).toBe("“maxAgeDays” in the source's settings must be more than 0");
    // Settings stored before a module's schema tightened (here: written straight to the table).
    const added = (await (
      await app.addViaApi({ kind: 'feed', name: 'Stale', url: 'https://feeds.example/s.xml' })
    ).json()) as { id: number };
    await one(app.ctx.db, {
      text: `UPDATE signal_sources SET config = '{"maxAgeDays": "soon"}' WHERE id = $1 RETURNING id`,
      values: [added.id],
    });
    // One sentence, "settings" said once, as adding such settings says it.
    const refused = "“maxAgeDays” in the source's settings must be a number";
    expect(
      await message(
        await app.addViaApi({
          kind: 'feed',
          name: 'Fresh',
          url: 'https://feeds.example/f.xml',
          config: '{"maxAgeDays": "soon"}',
        }),
      ),
    ).toBe(refused);
    const said = `${refused} [VALIDATION]`;
    const tested = await app.page.post(`/settings/sources/${added.id}/test`, { _csrf: app.csrf });
    expect(tested.status).toBe(200);
    expect(await tested.text()).toContain(escapeHtml(said));
    const viaApi = await fetch(`${app.base}/api/sources/${added.id}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}` },
    });
    expect(await viaApi.json()).toMatchObject({ ok: false, error: said });
  });

  it('a stored source without an address is tested in the words adding one without gets', async () => {
    const noAddress = await message(await app.addViaApi({ kind: 'feed', name: 'Nowhere' }));
    expect(noAddress).toBe('URL is required: a feed needs an address to poll');
    const added = (await (
      await app.addViaApi({ kind: 'feed', name: 'Lost', url: 'https://feeds.example/lost.xml' })
    ).json()) as { id: number };
    await one(app.ctx.db, {
      text: 'UPDATE signal_sources SET url = NULL WHERE id = $1 RETURNING id',
      values: [added.id],
    });
    const said = `${noAddress} [VALIDATION]`;
    const tested = await app.page.post(`/settings/sources/${added.id}/test`, { _csrf: app.csrf });
    expect(await tested.text()).toContain(escapeHtml(said));
    const viaApi = await fetch(`${app.base}/api/sources/${added.id}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}` },
    });
    expect(await viaApi.json()).toMatchObject({ ok: false, error: said });
  });
});
