// RevOps settings over HTTP on both backends: accounts and contacts, the import column mapper,
// sources, templates, mailboxes (sealed passwords), users and workspace settings, roles.
import { expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { recordPollFailure } from '../../db/queries/signal-sources.js';
import { describeEachBackend } from '../support/db.js';
import { loggedIn, useLoggedInApp } from '../support/web.js';

describeEachBackend('RevOps settings over HTTP', (get) => {
  const app = useLoggedInApp(get, 'revops', '/settings');
  const q = <T>(text: string, values: unknown[]) => one<T>(app.ctx.db, { text, values });

  it('creates and edits an account and a contact with an owner and the champion flag', async () => {
    expect(
      (
        await app.user.post('/accounts/new', {
          _csrf: app.csrf,
          name: 'Globex',
          domain: 'https://www.globex.example/',
          owner_id: String(app.ws.users.rep.id),
          time_zone: 'Europe/Paris',
          tags: 'emea; tier1',
        })
      ).status,
    ).toBe(303);
    const a = (await q<{ id: number; domain: string; owner_id: number; tags: string[] }>(
      'SELECT * FROM accounts WHERE workspace_id = $1 AND name = $2',
      [app.ws.id, 'Globex'],
    ))!;
    expect(a).toMatchObject({ domain: 'globex.example', owner_id: app.ws.users.rep.id, tags: ['emea', 'tier1'] });
    expect(
      (await app.user.post('/accounts/new', { _csrf: app.csrf, name: 'Globex again', domain: 'globex.example' }))
        .status,
    ).toBe(409);
    expect(
      (await app.user.post('/accounts/new', { _csrf: app.csrf, name: 'Bad tz', time_zone: 'Mars/Olympus' })).status,
    ).toBe(400);
    expect(
      (
        await app.user.post(`/accounts/${a.id}/edit`, {
          _csrf: app.csrf,
          name: 'Globex Corp',
          domain: 'globex.example',
          owner_id: '',
        })
      ).status,
    ).toBe(303);
    expect(await q('SELECT name, owner_id FROM accounts WHERE id = $1', [a.id])).toEqual({
      name: 'Globex Corp',
      owner_id: null,
    });
    expect(
      (
        await app.user.post('/contacts/new', {
          _csrf: app.csrf,
          email: 'hank@globex.example',
          first_name: 'Hank',
          account_id: String(a.id),
          is_champion: '1',
        })
      ).status,
    ).toBe(303);
    expect(await q('SELECT account_id, is_champion FROM contacts WHERE email = $1', ['hank@globex.example'])).toEqual({
      account_id: a.id,
      is_champion: true,
    });
  });

  it('maps columns, previews per-row errors, and starts the import once', async () => {
    const form = new FormData();
    form.set('_csrf', app.csrf);
    form.set('kind', 'accounts');
    form.set(
      'file',
      new Blob(
        ['Company,Web,Zone\nInitech,initech.example,America/Chicago\n,nodomain.example,UTC\nHooli,not a domain,UTC\n'],
        { type: 'text/csv' },
      ),
      'acc.csv',
    );
    const up = await app.user.fetch('/imports', { method: 'POST', body: form });
    expect(up.status).toBe(303);
    const mapUrl = up.headers.get('location')!;
    expect(mapUrl).toMatch(/^\/imports\/\d+\/map$/);
    const id = Number(mapUrl.split('/')[2]);
    const { html } = await app.user.page(mapUrl);
    // "Web" is not a known header, so no domain is checked yet
    expect(html).toContain('1 of 3 rows will be skipped (1 with errors, 0 in conflict)');
    const preview = await app.user.post(mapUrl, {
      _csrf: app.csrf,
      action: 'preview',
      map_name: 'Company',
      map_domain: 'Web',
      map_time_zone: 'Zone',
    });
    const text = await preview.text();
    expect(text).toContain('2 of 3 rows will be skipped (2 with errors, 0 in conflict)');
    expect(text).toContain('Domain (column &quot;Web&quot;): &quot;not a domain&quot; is not a domain like acme.com');
    const start = await app.user.post(mapUrl, {
      _csrf: app.csrf,
      action: 'start',
      map_name: 'Company',
      map_domain: 'Web',
      map_time_zone: 'Zone',
    });
    expect(start.status).toBe(303);
    expect((await app.user.post(mapUrl, { _csrf: app.csrf, action: 'start', map_name: 'Company' })).status).toBe(409);
    const jobs = await run(app.ctx.db, {
      text: `SELECT id FROM pgboss.job WHERE name = 'import.run' AND (data->>'importId')::bigint = $1`,
      values: [id],
    });
    expect(jobs).toHaveLength(1);
    expect(await q('SELECT mapping FROM imports WHERE id = $1', [id])).toEqual({
      mapping: { name: 'Company', domain: 'Web', time_zone: 'Zone' },
    });
  });

  it('adds, disables and enables a source; refuses a polled source without a URL', async () => {
    expect((await app.user.post('/settings/sources', { _csrf: app.csrf, kind: 'feed', name: 'No URL' })).status).toBe(
      400,
    );
    const res = await app.user.post('/settings/sources', {
      _csrf: app.csrf,
      kind: 'feed',
      name: 'Funding <b>news</b>',
      url: 'https://feeds.example/funding.xml',
      config: '{"maxAgeDays": 7}',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Funding &lt;b&gt;news&lt;/b&gt;');
    const s = (await q<{ id: number; config: { maxAgeDays: number } }>(
      'SELECT id, config FROM signal_sources WHERE workspace_id = $1',
      [app.ws.id],
    ))!;
    expect(s.config.maxAgeDays).toBe(7);
    // A source that kept failing: backed off a day ahead, flagged.
    for (let i = 0; i < 6; i++) await run(app.ctx.db, recordPollFailure(s.id, 'FETCH_FAILED: HTTP 503', new Date()));
    const failing = await (await app.user.fetch('/settings/sources')).text();
    expect(failing).toContain('<th>Next poll</th>');
    expect(failing).toContain('FETCH_FAILED: HTTP 503');
    expect(failing).toContain('backing off after failures');
    await app.user.post(`/settings/sources/${s.id}/disable`, { _csrf: app.csrf });
    expect(await q('SELECT enabled FROM signal_sources WHERE id = $1', [s.id])).toEqual({ enabled: false });
    await app.user.post(`/settings/sources/${s.id}/enable`, { _csrf: app.csrf });
    // Enabling starts afresh, as the API does: no failures, no flag, due at the next tick.
    expect(
      await q(
        `SELECT enabled, consecutive_failures, flagged_at IS NULL AS unflagged, next_poll_at <= now() AS due
           FROM signal_sources WHERE id = $1`,
        [s.id],
      ),
    ).toEqual({ enabled: true, consecutive_failures: 0, unflagged: true, due: true });
    expect(await (await app.user.fetch('/settings/sources')).text()).toContain('within a minute');
    // Poll now queues the tick's own job, once however often it is pressed.
    for (let i = 0; i < 2; i++) {
      const polled = await app.user.post(`/settings/sources/${s.id}/poll`, { _csrf: app.csrf });
      expect(polled.status).toBe(200);
      expect(await polled.text()).toContain('Polling “Funding &lt;b&gt;news&lt;/b&gt;” now');
    }
    expect(
      await q(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'signals.poll' AND data->>'sourceId' = $1`, [
        String(s.id),
      ]),
    ).toEqual({ n: 1 });
  });

  it('saves a template with delays, a branch and sending windows', async () => {
    const res = await app.user.post('/settings/templates', {
      _csrf: app.csrf,
      name: 'Short',
      step_kind_0: 'opener',
      step_delay_0: '0',
      step_kind_1: 'follow_up',
      step_delay_1: '2',
      step_branch_1: 'clicked',
      step_tag_1: 'pricing',
      window_days: '2',
      window_start: '09:00',
      window_end: '11:00',
      fallback_after_days: '3',
      is_default: '1',
    });
    expect(res.status).toBe(303);
    const t = await q<{ steps: unknown; sending_window: unknown; fallback_window: unknown; is_default: boolean }>(
      'SELECT steps, sending_window, fallback_window, is_default FROM sequence_templates WHERE workspace_id = $1',
      [app.ws.id],
    );
    expect(t).toEqual({
      steps: [
        { kind: 'opener', delayDays: 0, newThread: false, branch: null },
        { kind: 'follow_up', delayDays: 2, newThread: false, branch: { when: 'clicked', tag: 'pricing' } },
      ],
      sending_window: { days: [2], start: '09:00', end: '11:00' },
      fallback_window: null,
      is_default: true,
    });
    // Saving confirms: the template's page says it was saved, and which version is current.
    const shown = await app.user.page(res.headers.get('location')!);
    expect(shown.html).toContain('Saved “Short” (version 1).');
    expect(
      (
        await app.user.post('/settings/templates', {
          _csrf: app.csrf,
          name: 'Bad',
          step_kind_0: 'opener',
          window_start: '11:00',
          window_end: '09:00',
        })
      ).status,
    ).toBe(400);
  });

  it('refuses bad step variants once each, in words naming the step and the variant', async () => {
    const form = {
      _csrf: app.csrf,
      name: 'A/B',
      step_kind_0: 'opener',
      step_delay_0: '0',
      window_days: '2',
      window_start: '09:00',
      window_end: '11:00',
    };
    const refused = async (lines: string, more: Record<string, string> = {}) => {
      const res = await app.user.post('/settings/templates', { ...form, step_variants_0: lines, ...more });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).not.toMatch(/steps: |Steps item|must have at (least|most)/);
      return text;
    };
    const once = (text: string, sentence: string) => expect(text.split(sentence)).toHaveLength(2);
    once(await refused('A | Short\n | Long'), 'Step 1 variant B label must not be empty');
    once(await refused('A | Short'), 'Step 1 needs 2 to 4 variants, or none (it has 1)');
    once(await refused('A|1\nB|2\nC|3\nD|4\nE|5'), 'Step 1 needs 2 to 4 variants, or none (it has 5)');
    once(await refused('A | x\nA | y'), 'Step 1 variants need different labels: A twice');
    once(await refused('A\nB'), 'Variants A and B would be drafted alike');
    once(
      await refused('A | x\nB | y', { step_kind_1: 'follow_up', step_delay_1: '2', step_variants_1: 'A|1\nB|2\nC|3' }),
      'Steps with variants need the same number of them (A is A in every step): step 1 has 2, step 2 has 3',
    );
    // With another field wrong as well, both are said.
    const both = await refused('A | x\nA | y', { name: '' });
    once(both, 'Name must not be empty');
    once(both, 'Step 1 variants need different labels: A twice');
    // The JSON API says the same, and takes good variants (trimmed, typed) with a control that has no instruction.
    const api = (steps: unknown[]) =>
      app.user.fetch('/api/templates', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': app.csrf },
        body: JSON.stringify({ name: 'API A/B', steps, window: { days: [2], start: '09:00', end: '11:00' } }),
      });
    const bad = await api([
      { kind: 'opener', delayDays: 0, variants: [{ label: 'A' }, { label: 'a', instruction: 'x' }] },
    ]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'Step 1 variants need different labels: A twice',
    );
    const notList = await api([{ kind: 'opener', delayDays: 0, variants: 'A | x' }]);
    expect(((await notList.json()) as { error: { message: string } }).error.message).toBe(
      'Step 1 variants must be a list of variants',
    );
    const good = await api([
      {
        kind: 'opener',
        delayDays: 0,
        variants: [{ label: ' Control ' }, { label: 'Short', instruction: ' Under 60 words. ' }],
      },
    ]);
    expect(good.status).toBe(201);
    const saved = (await good.json()) as { id: number };
    expect(await q('SELECT steps FROM sequence_templates WHERE id = $1', [saved.id])).toEqual({
      steps: [
        {
          kind: 'opener',
          delayDays: 0,
          newThread: false,
          branch: null,
          variants: [
            { label: 'Control', instruction: '' },
            { label: 'Short', instruction: 'Under 60 words.' },
          ],
        },
      ],
    });
    // The API description still shows a step's variants as a list of label, instruction and angle, not required.
    const doc = (await (await app.user.fetch('/api/openapi.json')).json()) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
    };
    const step = (
      doc.paths['/api/templates']!.post.requestBody.content['application/json']!.schema as {
        properties: { steps: { items: { properties: Record<string, unknown>; required: string[] } } };
      }
    ).properties.steps.items;
    expect(step.required).not.toContain('variants');
    expect(step.properties.variants).toMatchObject({
      type: 'array',
      items: { type: 'object', properties: { label: { type: 'string' }, angle: { enum: expect.any(Array) } } },
    });
    expect(step.properties.variants).not.toHaveProperty('default');
    // Nothing refused was saved.
    expect(
      await q('SELECT count(*)::int AS n FROM sequence_templates WHERE workspace_id = $1 AND name = $2', [
        app.ws.id,
        'A/B',
      ]),
    ).toEqual({ n: 0 });
  });

  it('seals mailbox passwords and keeps them when the form leaves them empty', async () => {
    const base = {
      _csrf: app.csrf,
      kind: 'smtp',
      from_name: 'Riley',
      from_email: 'riley@example.com',
      smtp_host: 'smtp.example.com',
      smtp_port: '587',
      smtp_user: 'riley',
      daily_cap: '40',
      min_gap_seconds: '60',
      max_gap_seconds: '120',
    };
    expect((await app.user.post('/settings/mailboxes', { ...base, smtp_pass: 'hunter2' })).status).toBe(303);
    const m = (await q<{ id: number; smtp_pass_enc: string }>(
      'SELECT id, smtp_pass_enc FROM mailboxes WHERE workspace_id = $1',
      [app.ws.id],
    ))!;
    expect(m.smtp_pass_enc).not.toContain('hunter2');
    expect(app.ctx.secrets.open(m.smtp_pass_enc)).toBe('hunter2');
    expect((await app.user.post(`/settings/mailboxes/${m.id}`, { ...base, daily_cap: '10' })).status).toBe(303);
    const after = (await q<{ smtp_pass_enc: string; daily_cap: number }>(
      'SELECT smtp_pass_enc, daily_cap FROM mailboxes WHERE id = $1',
      [m.id],
    ))!;
    expect(after).toEqual({ smtp_pass_enc: m.smtp_pass_enc, daily_cap: 10 });
    expect((await app.user.page('/settings/mailboxes')).html).not.toContain(m.smtp_pass_enc);
    await app.user.post(`/settings/mailboxes/${m.id}/pause`, { _csrf: app.csrf, reason: 'bounce rate 6%' });
    expect((await app.user.page('/settings/mailboxes')).html).toContain('bounce rate 6%');
  });

  it('saves workspace settings and requires a physical address', async () => {
    const ok = await app.user.post('/settings/workspace', {
      _csrf: app.csrf,
      name: 'WS',
      pb_company: 'Us',
      pb_valueProps: 'one\ntwo',
      signature: 'R',
      physicalAddress: '1 Main St',
      cooldownDays: '14',
      autoCreateAccountsFromChampions: '1',
    });
    expect(ok.status).toBe(303);
    const w = (await q<{ settings: Record<string, any> }>('SELECT settings FROM workspaces WHERE id = $1', [
      app.ws.id,
    ]))!;
    expect(w.settings).toMatchObject({
      cooldownDays: 14,
      physicalAddress: '1 Main St',
      autoCreateAccountsFromChampions: true,
      playbook: { company: 'Us', valueProps: ['one', 'two'] },
    });
    expect(
      (
        await app.user.post('/settings/workspace', {
          _csrf: app.csrf,
          name: 'WS',
          physicalAddress: '',
          cooldownDays: '1',
        })
      ).status,
    ).toBe(400);
  });

  it('edits accounts and contacts through the JSON API with the same validation', async () => {
    const json = (method: string, path: string, body: unknown) =>
      app.user.fetch(path, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': app.csrf },
        body: JSON.stringify(body),
      });
    const a = (await q<{ id: number }>('SELECT id FROM accounts WHERE workspace_id = $1 ORDER BY id LIMIT 1', [
      app.ws.id,
    ]))!;
    expect(
      (
        await json('PUT', `/api/accounts/${a.id}`, {
          name: 'Globex API',
          domain: 'globex.example',
          ownerId: app.ws.users.rep.id,
          tags: ['x'],
        })
      ).status,
    ).toBe(200);
    expect(await q('SELECT name, owner_id, tags FROM accounts WHERE id = $1', [a.id])).toEqual({
      name: 'Globex API',
      owner_id: app.ws.users.rep.id,
      tags: ['x'],
    });
    expect((await json('PUT', `/api/accounts/${a.id}`, { name: 'Bad', timeZone: 'Nowhere' })).status).toBe(400);
    const created = await json('POST', '/api/contacts', {
      email: 'api@globex.example',
      firstName: 'Api',
      accountId: a.id,
      isChampion: true,
    });
    expect(created.status).toBe(201);
    expect((await json('POST', '/api/contacts', { email: 'api@globex.example' })).status).toBe(409);
    const c = (await created.json()) as { id: number };
    expect((await json('PUT', `/api/contacts/${c.id}`, { email: 'ignored@x.example', title: 'CTO' })).status).toBe(200);
    expect(await q('SELECT email, title, is_champion FROM contacts WHERE id = $1', [c.id])).toEqual({
      email: 'api@globex.example',
      title: 'CTO',
      is_champion: false,
    });
  });

  it('keeps reps and managers out of settings, and admins from removing the last admin', async () => {
    const rep = await loggedIn(app.base, app.ws.users.rep);
    for (const path of [
      '/settings',
      '/settings/sources',
      '/settings/mailboxes',
      '/settings/templates',
      '/settings/workspace',
      '/accounts/new',
      '/imports',
    ]) {
      expect((await rep.fetch(path)).status, path).toBe(403);
    }
    const upload = new FormData();
    upload.set('kind', 'accounts');
    upload.set('file', new Blob(['name\nX\n'], { type: 'text/csv' }), 'x.csv');
    expect((await rep.fetch('/imports', { method: 'POST', body: upload })).status).toBe(403);
    const admin = await loggedIn(app.base, app.ws.users.admin);
    const { csrf: ac } = await admin.page('/users');
    expect(
      (await admin.post(`/users/${app.ws.users.admin.id}`, { _csrf: ac!, role: 'rep', time_zone: 'UTC' })).status,
    ).toBe(409);
    expect(
      (await admin.post(`/users/${app.ws.users.rep.id}`, { _csrf: ac!, role: 'rep', time_zone: 'America/Denver' }))
        .status,
    ).toBe(303);
    expect(await q('SELECT time_zone FROM users WHERE id = $1', [app.ws.users.rep.id])).toEqual({
      time_zone: 'America/Denver',
    });
    // RevOps manage users but cannot touch the admin role.
    expect(
      (await app.user.post(`/users/${app.ws.users.manager.id}`, { _csrf: app.csrf, role: 'rep', time_zone: 'UTC' }))
        .status,
    ).toBe(303);
    expect(
      (await app.user.post(`/users/${app.ws.users.manager.id}`, { _csrf: app.csrf, role: 'admin', time_zone: 'UTC' }))
        .status,
    ).toBe(403);
    expect(
      (await app.user.post(`/users/${app.ws.users.admin.id}`, { _csrf: app.csrf, role: 'rep', time_zone: 'UTC' }))
        .status,
    ).toBe(403);
    expect(
      (await app.user.post('/users', { _csrf: app.csrf, email: 'new-admin@x.example', role: 'admin' })).status,
    ).toBe(403);
    expect((await rep.fetch('/users')).status).toBe(403);
  });
});
