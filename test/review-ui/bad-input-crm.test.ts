// Settings → CRM with input a person should not send but can: refused in words (400), never a 500,
// and nothing saved.
import { expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

const text = (h: string) => h.replace(/\s+/g, ' ');

describeEachBackend('CRM settings with bad input', (get) => {
  const app = useCrmApp(get, { hubspot: true, connect: 'hubspot', login: ['revops'] });

  const savedRules = async () =>
    (await one<{ rules: unknown }>(app.ctx.db, {
      text: 'SELECT rules FROM crm_connections WHERE workspace_id = $1',
      values: [app.ws.id],
    }))!.rules;

  it('refuses a hold-out stage or type longer than 100 characters in words, saving nothing', async () => {
    const before = await savedRules();
    const { csrf } = await app.as.revops.page('/settings/crm');
    const form = {
      _csrf: csrf!,
      'company.name': 'name',
      'company.domain': 'domain',
      'filter.type': 'all',
      'rules.holdCustomers': '1',
      action: 'save',
    };
    for (const [field, what] of [
      ['rules.heldStages', 'deal stage'],
      ['rules.heldTypes', 'deal type'],
    ] as const) {
      const res = await app.as.revops.post('/settings/crm/settings', {
        ...form,
        [field]: `closedwon, ${'x'.repeat(101)}`,
      });
      expect(res.status).toBe(400);
      const page = text(await res.text());
      expect(page).toContain(`Hold-out rules: a ${what} is at most 100 characters`);
      expect(page).not.toContain('Something went wrong');
    }
    expect(await savedRules()).toEqual(before);
  });
});
