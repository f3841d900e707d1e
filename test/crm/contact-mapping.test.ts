// The contact field mapping on Settings → CRM, over HTTP on both backends against the fake HubSpot
// driven by the real client: the form shows the CRM's defaults, refuses a bad property name and saves
// nothing, saves a changed mapping, and the next sync in writes what the changed mapping says (title,
// first name, the time zone from the country, the contact's owner as its account's owner).
import { expect, it } from 'vitest';
import { syncIn } from '../../crm/sync-in.js';
import { one } from '../../db/index.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

const text = (h: string) => h.replace(/\s+/g, ' ');

describeEachBackend('CRM contact field mapping', (get) => {
  const app = useCrmApp(get, { hubspot: true, login: ['revops'] });

  const contact = () =>
    one<{ first_name: string; title: string; time_zone: string | null; owner_id: number | null }>(app.ctx.db, {
      text: `SELECT c.first_name, c.title, c.time_zone, a.owner_id::int AS owner_id
               FROM contacts c JOIN accounts a ON a.id = c.account_id
              WHERE c.workspace_id = $1 AND c.email = 'ada@acme.example'`,
      values: [app.ws.id],
    });
  const savedMapping = async () =>
    (await one<{ mapping: { contact?: Record<string, string> } }>(app.ctx.db, {
      text: 'SELECT mapping FROM crm_connections WHERE workspace_id = $1',
      values: [app.ws.id],
    }))!.mapping;

  it('saves a changed contact mapping, refuses a bad one, and the sync in writes what it says', async () => {
    app.hs.owners.push({ id: '601', email: app.ws.users.rep.email, firstName: 'Riley', lastName: 'Rep' });
    const acme = app.hs.create('companies', { name: 'Acme', domain: 'acme.example' });
    app.hs.create(
      'contacts',
      {
        email: 'ada@acme.example',
        firstname: 'Ada',
        preferred_name: 'Countess',
        lastname: 'Lovelace',
        jobtitle: 'CTO',
        job_function: 'Head of Data',
        country_code: 'DE',
        account_rep: '601',
      },
      { companies: [acme.id] },
    );
    await app.connectHubSpot();
    expect((await syncIn(app.ctx, app.ws.id)).status).toBe('done');
    expect(await contact()).toEqual({ first_name: 'Ada', title: 'CTO', time_zone: null, owner_id: null });

    const { csrf, html } = await app.as.revops.page('/settings/crm');
    const page = text(html);
    expect(page).toContain('name="contact.title" value="jobtitle"');
    expect(page).toContain('name="contact.timeZone" value="hs_timezone"');
    expect(page).toContain('name="contact.owner" value=""');
    const form = {
      _csrf: csrf!,
      'company.name': 'name',
      'company.domain': 'domain',
      'contact.email': 'email',
      'contact.firstName': 'preferred_name',
      'contact.lastName': 'lastname',
      'contact.title': 'job_function',
      'contact.owner': 'account_rep',
      'contact.timeZone': '',
      'contact.country': 'country_code',
      'filter.type': 'all',
      action: 'save',
    };
    const bad = await app.as.revops.post('/settings/crm/settings', { ...form, 'contact.title': 'job function' });
    expect(bad.status).toBe(400);
    expect(text(await bad.text())).toContain('Mapping for contact title: a CRM property name');
    expect((await savedMapping()).contact).toBeUndefined();

    expect((await app.as.revops.post('/settings/crm/settings', form)).status).toBe(303);
    const after = text((await app.as.revops.page('/settings/crm')).html);
    expect(after).toContain('name="contact.title" value="job_function"');
    expect(after).toContain('name="contact.timeZone" value=""');
    expect((await savedMapping()).contact).toMatchObject({ title: 'job_function', owner: 'account_rep' });

    // A full resync reads the records again through the new mapping.
    const r = await syncIn(app.ctx, app.ws.id, { full: true });
    expect(r.summary.contacts).toMatchObject({ read: 1, updated: 1 });
    expect(await contact()).toEqual({
      first_name: 'Countess',
      title: 'Head of Data',
      time_zone: 'Europe/Berlin',
      owner_id: app.ws.users.rep.id,
    });
  });
});
