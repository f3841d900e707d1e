// Settings → CRM with input a person should not send but can: refused in words (400), never a 500,
// the page shown again with the reason and the form as it was typed, and nothing saved.
import { beforeAll, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { escapeHtml } from '../../review-ui/html.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';
import { captureLog } from '../support/log-capture.js';

const text = (h: string) => h.replace(/\s+/g, ' ');

describeEachBackend('CRM settings with bad input', (get) => {
  const app = useCrmApp(get, { hubspot: true, connect: 'hubspot', login: ['revops'] });
  const logged = captureLog();
  beforeAll(() => {
    app.ctx.log = logged.log;
  });

  const saved = async () =>
    (await one<{ mapping: unknown; target_filter: unknown; rules: unknown; create_contacts: boolean }>(app.ctx.db, {
      text: 'SELECT mapping, target_filter, rules, create_contacts FROM crm_connections WHERE workspace_id = $1',
      values: [app.ws.id],
    }))!;
  const form = async () => ({
    _csrf: (await app.as.revops.page('/settings/crm')).csrf!,
    'company.name': 'name',
    'company.domain': 'domain',
    'filter.type': 'all',
    'rules.holdCustomers': '1',
    action: 'save',
  });

  it('refuses a hold-out stage or type longer than 100 characters in words, saving nothing', async () => {
    const before = await saved();
    for (const [field, what] of [
      ['rules.heldStages', 'deal stage'],
      ['rules.heldTypes', 'deal type'],
    ] as const) {
      const res = await app.as.revops.post('/settings/crm/settings', {
        ...(await form()),
        [field]: `closedwon, ${'x'.repeat(101)}`,
      });
      expect(res.status).toBe(400);
      const page = text(await res.text());
      expect(page).toContain(
        `Hold-out rules: a ${what} must be at most 100 characters, not &quot;${'x'.repeat(60)}…&quot;`,
      );
      expect(page).not.toContain('Something went wrong');
    }
    expect(await saved()).toEqual(before);
  });

  it('shows the page again with the reason in words and every field as it was typed, escaped', async () => {
    const before = await saved();
    const stages = `appointmentscheduled, qualifiedtobuy, "presentation" <scheduled> & more, ${'y'.repeat(70)}`;
    const typed = {
      ...(await form()),
      'company.tags': 'industry',
      'contact.title': 'job function <b>',
      'filter.type': 'list',
      'filter.value': 'list-42',
      'rules.heldStages': stages,
      'rules.heldTypes': 'newbusiness',
      createContacts: '1',
    };
    const res = await app.as.revops.post('/settings/crm/settings', typed);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(text(html)).toMatch(
      new RegExp(
        '<p class="error" role="alert"> ?The settings were not saved: Mapping for contact title: ' +
          'a CRM property name \\(letters, digits, _ \\. -\\), not &quot;job function &lt;b&gt;&quot;\\. ' +
          '<a href="#crm-settings">Correct them below</a>',
      ),
    );
    expect(html).toContain('id="crm-settings"');
    // What was typed, in full and escaped: nothing a person wrote is lost by the refusal.
    for (const k of ['company.name', 'company.domain', 'company.tags', 'contact.title', 'filter.value'] as const)
      expect(html).toContain(`name="${k}" value="${escapeHtml(typed[k])}"`);
    expect(html).toContain(`name="rules.heldStages" value="${escapeHtml(stages)}"`);
    expect(html).toContain('name="rules.heldTypes" value="newbusiness"');
    expect(html).toMatch(/<option value="list" selected>/);
    expect(html).toMatch(/name="rules.holdCustomers" value="1" checked/);
    expect(html).toMatch(/name="createContacts" value="1" checked/);
    expect(html).not.toContain('<b>');
    expect(await saved()).toEqual(before);
    const warned = logged.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(warned).toContainEqual(
      expect.objectContaining({ msg: 'http.rejected', level: 40, code: 'VALIDATION', url: '/settings/crm/settings' }),
    );
  });

  it('says which filter field is wrong and what it must be', async () => {
    const before = await saved();
    const res = await app.as.revops.post('/settings/crm/settings', {
      ...(await form()),
      'filter.type': 'everything',
    });
    expect(res.status).toBe(400);
    expect(text(await res.text())).toContain(
      'Filter type must be one of all, property, list, where, not &quot;everything&quot;',
    );
    expect(await saved()).toEqual(before);
  });
});
