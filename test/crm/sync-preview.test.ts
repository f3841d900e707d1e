// "Save and preview" on Settings → CRM shows each record's change like the CSV import's preview, on
// both backends against the fake HubSpot driven by the real client: a changed company with its
// field's old and new value, a new company, a contact that would fail with the reason, the unchanged
// only counted; and the preview writes nothing (accounts, contacts, CRM ids, runs, cursors as before).
import { expect, it } from 'vitest';
import { syncIn } from '../../crm/sync-in.js';
import { one } from '../../db/index.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

/** The page's words: tags dropped, whitespace collapsed (the formatter moves both around). */
const words = (h: string) =>
  h
    .replace(/<[^>]+>/g, ' ')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

describeEachBackend('CRM per-record preview', (get) => {
  const app = useCrmApp(get, { hubspot: true, login: ['revops'] });

  /** Everything a sync in could write, as one comparable snapshot. */
  const snapshot = () =>
    one<Record<string, unknown>>(app.ctx.db, {
      text: `SELECT (SELECT json_agg(json_build_object('name', name, 'country', country) ORDER BY id)::text
                       FROM accounts WHERE workspace_id = $1) AS accounts,
                    (SELECT json_agg(json_build_object('email', email, 'title', title) ORDER BY id)::text
                       FROM contacts WHERE workspace_id = $1) AS contacts,
                    (SELECT count(*)::int FROM crm_external_ids WHERE workspace_id = $1) AS external_ids,
                    (SELECT count(*)::int FROM crm_sync_runs WHERE workspace_id = $1) AS runs,
                    (SELECT count(*)::int FROM crm_sync_failures WHERE workspace_id = $1) AS failures,
                    (SELECT cursors::text FROM crm_connections WHERE workspace_id = $1) AS cursors`,
      values: [app.ws.id],
    });

  it('lists each record that would be new, change (old → new) or fail, and writes nothing', async () => {
    const acme = app.hs.create('companies', { name: 'Acme', domain: 'acme.example', country: 'Germany' });
    app.hs.create('companies', { name: 'Beta', domain: 'beta.example', country: 'France' });
    app.hs.create('contacts', { email: 'ada@acme.example', jobtitle: 'CTO' }, { companies: [acme.id] });
    await app.connectHubSpot();
    expect((await syncIn(app.ctx, app.ws.id)).status).toBe('done');

    app.hs.update('companies', acme.id, { name: 'Acme Robotics', country: 'Austria' });
    app.hs.create('companies', { name: 'Delta', domain: 'delta.example' });
    app.hs.create('contacts', { email: 'not-an-address', firstname: 'No' });
    const before = await snapshot();

    const { csrf } = await app.as.revops.page('/settings/crm');
    const res = await app.as.revops.post('/settings/crm/settings', {
      _csrf: csrf!,
      'company.name': 'name',
      'company.domain': 'domain',
      'company.country': 'country',
      'contact.email': 'email',
      'contact.title': 'jobtitle',
      'filter.type': 'all',
      action: 'preview',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    const row = (key: string) => {
      const m = new RegExp(`<tr[^>]*data-record="${key}"[^>]*>([\\s\\S]*?)</tr>`).exec(html);
      return m ? words(m[1]!).trim() : null;
    };
    expect(row(`company:${acme.id}`)).toBe(
      'company Acme Robotics would change name: Acme → Acme Robotics country: Germany → Austria',
    );
    const delta = [...app.hs.objects.companies.values()].find((c) => c.properties.name === 'Delta')!;
    expect(row(`company:${delta.id}`)).toMatch(
      /^company Delta new name: \(empty\) → Delta domain: \(empty\) → delta\.example/,
    );
    const bad = [...app.hs.objects.contacts.values()].find((c) => c.properties.email === 'not-an-address')!;
    expect(row(`contact:${bad.id}`)).toBe('contact not-an-address would fail "not-an-address" is not an email address');
    // Beta and Ada did not change: counted, not listed.
    expect(html).not.toMatch(/data-record="company:[^"]*"[^>]*>\s*<td>company Beta/);
    expect(words(html)).toContain('All 3 records that would be new, change or fail; 2 unchanged are not listed.');

    expect(await snapshot()).toEqual(before);
  });
});
