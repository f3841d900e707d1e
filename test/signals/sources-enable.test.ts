// Adding, disabling and re-enabling a source from the settings page and from the JSON API go through one
// use case (review-ui/source-actions.ts): both store the same source and audit row, refuse the same input
// with the same words, and leave a flagged source in the same state.
import { expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { insertSource, recordPollFailure } from '../../db/queries/signal-sources.js';
import { escapeHtml } from '../../review-ui/html.js';
import { describeEachBackend } from '../support/db.js';
import { useSourcesWeb } from '../support/sources-web.js';

describeEachBackend('a source from the page and from the API', (get) => {
  const app = useSourcesWeb(get);
  const { addViaApi, addViaPage } = app;

  const api = (id: number, enabled: boolean) =>
    fetch(`${app.base}/api/sources/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled }),
    });
  const viaPage = (id: number, enabled: boolean) =>
    app.page.post(`/settings/sources/${id}/${enabled ? 'enable' : 'disable'}`, { _csrf: app.csrf });

  /** A polled source that failed often enough to be flagged and backed off. */
  async function flaggedSource(name: string): Promise<number> {
    const s = (await one(
      app.ctx.db,
      insertSource(app.ws.id, {
        kind: 'feed',
        name,
        url: 'https://feeds.example/x.xml',
        config: {},
        pollIntervalMinutes: 60,
      }),
    ))!;
    for (let i = 0; i < 6; i++) await run(app.ctx.db, recordPollFailure(s.id, 'FETCH_FAILED: HTTP 503', new Date()));
    return s.id;
  }
  const state = async (id: number) =>
    one<{ enabled: boolean; failures: number; flagged: boolean; due: boolean; error: string | null }>(app.ctx.db, {
      text: `SELECT enabled, consecutive_failures AS failures, flagged_at IS NOT NULL AS flagged,
                    next_poll_at <= now() AS due, last_error AS error
               FROM signal_sources WHERE id = $1`,
      values: [id],
    });

  it('leaves the same state either way', async () => {
    const [a, b] = [await flaggedSource('Page feed'), await flaggedSource('API feed')];
    const flagged = { enabled: true, failures: 6, flagged: true, due: false, error: 'FETCH_FAILED: HTTP 503' };
    expect(await state(a)).toEqual(flagged);

    expect((await viaPage(a, false)).status).toBe(303);
    expect((await api(b, false)).status).toBe(200);
    // Disabling keeps the history and the flag.
    expect(await state(a)).toEqual({ ...flagged, enabled: false });
    expect(await state(b)).toEqual(await state(a));

    expect((await viaPage(a, true)).status).toBe(303);
    expect((await api(b, true)).status).toBe(200);
    // Enabling starts afresh: no failures, no flag, due at the next tick; the last error stays visible.
    expect(await state(a)).toEqual({
      enabled: true,
      failures: 0,
      flagged: false,
      due: true,
      error: 'FETCH_FAILED: HTTP 503',
    });
    expect(await state(b)).toEqual(await state(a));
  });

  /** The stored source and its creation audit row, without what differs by construction (id, name, times). */
  const stored = async (name: string) => {
    const s = await one<Record<string, unknown>>(app.ctx.db, {
      text: `SELECT id, kind, url, config, enabled, poll_interval_minutes, secret_enc IS NOT NULL AS has_secret
               FROM signal_sources WHERE workspace_id = $1 AND name = $2`,
      values: [app.ws.id, name],
    });
    const audit = await one<Record<string, unknown>>(app.ctx.db, {
      text: `SELECT user_id, action, entity_type, data FROM audit_log WHERE entity_type = 'signal_source' AND entity_id = $1`,
      values: [s!.id],
    });
    const { id: _id, ...source } = s!;
    return { source, audit };
  };

  it('adds the same source with the same audit row either way', async () => {
    const page_ = await addViaPage({
      kind: 'greenhouse',
      name: 'GH page',
      url: 'https://boards.greenhouse.io/acme',
      pollIntervalMinutes: '30',
      config: '{"demo": true}',
    });
    expect(page_.status).toBe(200);
    const a = await stored('GH page');
    // One source per kind and address: the page's goes before the API adds the same one.
    await one(app.ctx.db, {
      text: `DELETE FROM signal_sources WHERE workspace_id = $1 AND name = 'GH page'`,
      values: [app.ws.id],
    });
    const api_ = await addViaApi({
      kind: 'greenhouse',
      name: 'GH api',
      url: 'https://boards.greenhouse.io/acme',
      pollIntervalMinutes: 30,
      config: { demo: true },
    });
    expect(api_.status).toBe(201);
    expect(a).toMatchObject({
      source: {
        kind: 'greenhouse',
        url: 'https://boards-api.greenhouse.io/v1/boards/acme/jobs',
        config: {},
        enabled: true,
        poll_interval_minutes: 30,
        has_secret: false,
      },
      audit: { user_id: app.ws.users.revops.id, action: 'source.created', data: { kind: 'greenhouse' } },
    });
    expect(await stored('GH api')).toEqual(a);
    // A webhook source gets its signing secret from either, shown once.
    const hook = await addViaPage({ kind: 'webhook', name: 'Hook page' });
    expect(await hook.text()).toMatch(/signing secret, shown once: <code>[\w-]{40,}<\/code>/);
    expect((await addViaApi({ kind: 'webhook', name: 'Hook api' })).status).toBe(201);
    expect(await stored('Hook api')).toEqual(await stored('Hook page'));
    expect((await stored('Hook page')).source).toMatchObject({ has_secret: true });
  });

  it('refuses the same bad input with the same message', async () => {
    const bad: [Record<string, string>, string][] = [
      [{ kind: 'feed', name: 'No URL' }, 'URL is required: a feed needs an address to poll'],
      [{ kind: 'feed', name: 'FTP', url: 'ftp://feeds.example/x.xml' }, 'URL cannot be polled: an http(s) address'],
      [
        { kind: 'feed', name: 'Often', url: 'https://feeds.example/x.xml', pollIntervalMinutes: '1' },
        'Poll every (minutes) must be at least 5',
      ],
      [{ kind: 'nonsense', name: 'What' }, 'Kind must be one of RSS / Atom feed, Watched page, Greenhouse job board'],
      [{ kind: 'feed', name: '  ', url: 'https://feeds.example/x.xml' }, 'Name must not be empty'],
    ];
    for (const [form, gist] of bad) {
      const viaApi = await addViaApi({
        ...form,
        ...(form.pollIntervalMinutes ? { pollIntervalMinutes: Number(form.pollIntervalMinutes) } : {}),
      });
      expect(viaApi.status).toBe(400);
      const message = ((await viaApi.json()) as { error: { message: string } }).error.message;
      expect(message).toContain(gist);
      const viaPage = await addViaPage(form);
      expect(viaPage.status).toBe(400);
      expect(await viaPage.text()).toContain(escapeHtml(message));
    }
    const names = await run<{ name: string }>(app.ctx.db, {
      text: `SELECT name FROM signal_sources WHERE workspace_id = $1 AND name = ANY($2)`,
      values: [app.ws.id, bad.map(([f]) => f.name)],
    });
    expect(names).toEqual([]);
  });
});
