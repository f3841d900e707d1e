// Settings → CRM over HTTP on both backends, against the fake HubSpot driven by the real client: a rep
// gets 403; a refused token is shown in words and saves nothing; a good token connects; the mapping
// saves and its preview (dry run) writes nothing; the status page lists a failed record with the
// CRM's error and Retry marks it retrying and queues a crm.sync job; Sync now queues one too.
import { expect, it } from 'vitest';
import { syncIn } from '../../crm/sync-in.js';
import { one } from '../../db/index.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish } from '../support/web.js';

const text = (h: string) => h.replace(/\s+/g, ' ');
/** The page's words: tags dropped, whitespace collapsed (the formatter moves both around). */
const words = (h: string) => text(h.replace(/<[^>]+>/g, ' ')).replace(/ ([.,:;)])/g, '$1');

describeEachBackend('CRM settings pages', (get) => {
  const app = useCrmApp(get, { hubspot: 'oauth', salesforce: true, login: ['revops'] });

  const count = async (sql: string) =>
    (await one<{ n: number }>(app.ctx.db, { text: `SELECT count(*)::int AS n FROM ${sql}`, values: [app.ws.id] }))!.n;

  it('is RevOps only: a rep gets 403 on the page and the actions', async () => {
    const rep = new Browserish(app.base);
    await rep.login(app.ws.users.rep.email, app.ws.users.rep.password);
    expect((await rep.page('/settings/crm')).res.status).toBe(403);
    expect((await rep.page('/settings/crm/status')).res.status).toBe(403);
    const { csrf } = await rep.page('/');
    expect((await rep.post('/settings/crm/connect/hubspot', { _csrf: csrf!, token: 'pat-na1-whatever' })).status).toBe(
      403,
    );
    expect((await app.as.revops.page('/settings/crm')).res.status).toBe(200);
  });

  it('connects HubSpot with a token checked against HubSpot; a refused one saves nothing', async () => {
    const { csrf, html } = await app.as.revops.page('/settings/crm');
    expect(text(html)).toContain('No CRM connected.');
    const bad = await app.as.revops.post('/settings/crm/connect/hubspot', {
      _csrf: csrf!,
      token: 'pat-na1-not-a-real-token',
    });
    expect(bad.status).toBe(400);
    expect(text(await bad.text())).toContain('HubSpot refused the token');
    expect(await count('crm_connections WHERE workspace_id = $1')).toBe(0);

    const ok = await app.as.revops.post('/settings/crm/connect/hubspot', {
      _csrf: csrf!,
      token: app.hs.addPrivateToken(),
    });
    expect(ok.status).toBe(303);
    const after = text((await app.as.revops.page('/settings/crm')).html);
    expect(words(after)).toContain('HubSpot (account 4242): connected');
    expect(after).toContain('name="company.domain" value="domain"');
    expect(await count(`audit_log WHERE workspace_id = $1 AND action = 'crm.connected'`)).toBe(1);
  });

  it('saves the mapping; the preview counts what would change and writes nothing', async () => {
    app.hs.create('companies', { name: 'Acme', domain: 'acme.example', industry: 'SaaS' });
    app.hs.create('companies', { name: 'Beta', domain: 'beta.example', industry: 'Retail' });
    const { csrf } = await app.as.revops.page('/settings/crm');
    const form = {
      _csrf: csrf!,
      'company.name': 'name',
      'company.domain': 'domain',
      'company.country': '',
      'company.timeZone': '',
      'company.tags': 'industry',
      'filter.type': 'all',
      'rules.heldStages': 'contractsent, closedwon',
      'rules.holdCustomers': '1',
    };
    const res = await app.as.revops.post('/settings/crm/settings', { ...form, action: 'preview' });
    expect(res.status).toBe(200);
    const page = text(await res.text());
    expect(page).toContain('Preview (dry run, nothing written)');
    expect(page).toContain('Companies: 2 read, 2 would be created');
    expect(page).toContain('value="contractsent, closedwon"');
    expect(await count('accounts WHERE workspace_id = $1')).toBe(0);
    expect(await count('crm_sync_runs WHERE workspace_id = $1')).toBe(0);

    const bad = await app.as.revops.post('/settings/crm/settings', { ...form, 'company.name': 'name; drop' });
    expect(bad.status).toBe(400);
    expect(text(await bad.text())).toContain('Mapping for company name: a CRM property name');
  });

  it('lists a failed record with the reason; Retry marks it retrying and queues a sync; Sync now queues', async () => {
    app.hs.create('contacts', { email: 'not-an-address', firstname: 'No', lastname: 'Mail' });
    await syncIn(app.ctx, app.ws.id);
    const status = await app.as.revops.page('/settings/crm/status');
    const page = text(status.html);
    expect(page).toContain('CRM → Prospector');
    expect(page).toContain('"not-an-address" is not an email address'.replace(/"/g, '&quot;'));
    const id = /data-failure="(\d+)"/.exec(status.html)![1]!;
    const jobs = () => count(`pgboss.job WHERE name = 'crm.sync' AND (data->>'workspaceId')::bigint = $1`);
    const before = await jobs();
    const retry = await app.as.revops.post(`/settings/crm/failures/${id}/retry`, { _csrf: status.csrf! });
    expect(retry.status).toBe(303);
    expect(await jobs()).toBe(before + 1);
    expect(await count(`crm_sync_failures WHERE workspace_id = $1 AND status = 'retrying'`)).toBe(1);
    const again = text((await app.as.revops.page('/settings/crm/status')).html);
    expect(again).toContain('retrying');
    expect((await app.as.revops.post(`/settings/crm/failures/${id}/retry`, { _csrf: status.csrf! })).status).toBe(404);

    const sync = await app.as.revops.post('/settings/crm/sync', { _csrf: status.csrf! });
    expect(sync.status).toBe(303);
    expect(await count(`pgboss.job WHERE name = 'crm.out' AND (data->>'workspaceId')::bigint = $1`)).toBe(1);
  });

  it('connects Salesforce (sandbox) through its sign-in page with PKCE; the callback works once', async () => {
    const { csrf, html } = await app.as.revops.page('/settings/crm');
    expect(html).toContain('Connect Salesforce');
    const start = await app.as.revops.post('/settings/crm/oauth/salesforce', { _csrf: csrf!, host: 'sandbox' });
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.pathname).toBe('/sandbox/services/oauth2/authorize');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    const consent = await fetch(authorize, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    expect(back.pathname).toBe('/settings/crm/callback');
    const hosts = app.sf.tokenHosts.length;
    const done = await app.as.revops.fetch(back.pathname + back.search);
    expect(done.status).toBe(303);
    expect(app.sf.tokenHosts.slice(hosts)).toEqual(['sandbox']);
    expect(words((await app.as.revops.page('/settings/crm')).html)).toContain(
      `Salesforce (account ${app.sf.orgId}): connected`,
    );
    const replay = await app.as.revops.fetch(back.pathname + back.search);
    expect(replay.status).toBe(400);
    expect(text(await replay.text())).toContain('not valid any more');
  });

  it('connects HubSpot through its sign-in page (public app) in place of Salesforce', async () => {
    const { csrf } = await app.as.revops.page('/settings/crm');
    const start = await app.as.revops.post('/settings/crm/oauth/hubspot', { _csrf: csrf! });
    expect(start.status).toBe(303);
    const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    expect((await app.as.revops.fetch(back.pathname + back.search)).status).toBe(303);
    expect(words((await app.as.revops.page('/settings/crm')).html)).toContain('HubSpot (account 4242): connected');
    const rep = new Browserish(app.base);
    await rep.login(app.ws.users.rep.email, app.ws.users.rep.password);
    expect((await rep.post('/settings/crm/oauth/hubspot', { _csrf: (await rep.page('/')).csrf! })).status).toBe(403);
  });
});
