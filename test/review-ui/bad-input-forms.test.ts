// Forms refused for their input (templates, plays and their experiment, users, accounts, the HubSpot
// token, mailboxes): 400 with the same page again, the reason in words above the form, every field as
// it was typed (escaped), nothing stored, and the refusal logged once. A secret typed is never echoed. An
// account's domain or a contact's email that another already has is the same, answering 409 and linking that one.
import { beforeAll, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { escapeHtml } from '../../review-ui/html.js';
import { describeEachBackend } from '../support/db.js';
import { captureLog } from '../support/log-capture.js';
import { apiJson, useLoggedInApp, type ApiError } from '../support/web.js';

const text = (h: string) => h.replace(/\s+/g, ' ');
const HOSTILE = 'Q3 "push" <script>alert(1)</script>';

describeEachBackend('forms refused for bad input', (get) => {
  const app = useLoggedInApp(get, 'admin', '/settings/templates');
  const logged = captureLog();
  beforeAll(() => {
    app.ctx.log = logged.log;
  });

  const count = async (table: string) =>
    (await one<{ n: number }>(app.ctx.db, {
      text: `SELECT count(*)::int AS n FROM ${table} WHERE workspace_id = $1`,
      values: [app.ws.id],
    }))!.n;
  const rejections = (url: string) =>
    logged.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'http.rejected' && l.url === url).length;
  /** Posts the form (a name may repeat, as checkboxes do) and expects a 400 page, refused once in the log. */
  const refused = async (path: string, fields: [string, string][] | Record<string, string>, status = 400) => {
    const before = rejections(path);
    const body = new URLSearchParams([
      ['_csrf', app.csrf],
      ...(Array.isArray(fields) ? fields : Object.entries(fields)),
    ]);
    const res = await app.user.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    expect(res.status, path).toBe(status);
    const html = await res.text();
    expect(html).not.toContain('That did not work');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(rejections(path) - before, path).toBe(1);
    return { html, flat: text(html) };
  };
  /** The first input named `name`, with its value attribute as the page has it (escaped). */
  const input = (html: string, name: string) => {
    const tag = new RegExp(`<input[^>]*\\sname="${name}"[^>]*>`).exec(html)?.[0] ?? '';
    return `name="${name}" value="${/\svalue="([^"]*)"/.exec(tag)?.[1] ?? ''}"`;
  };
  const value = (name: string, v: string) => `name="${name}" value="${escapeHtml(v)}"`;

  const template: [string, string][] = [
    ['name', HOSTILE],
    ['description', 'for "Series A" & up'],
    ['step_kind_0', 'opener'],
    ['step_delay_0', '0'],
    ['step_variants_0', 'A | short <b>\nA | long'],
    ['step_kind_1', 'follow_up'],
    ['step_delay_1', '4'],
    ['step_tag_1', 'pricing'],
    ['step_branch_1', 'clicked'],
    ['step_variants_1', 'A | short\nB | long'],
    ['window_days', '2'],
    ['window_days', '4'],
    ['window_start', '09:00'],
    ['window_end', '11:00'],
    ['fallback_after_days', '5'],
    ['approval_mode', 'each_step'],
  ];
  const expectTemplateTyped = (html: string) => {
    expect(input(html, 'name')).toBe(value('name', HOSTILE));
    expect(input(html, 'description')).toBe(value('description', 'for "Series A" & up'));
    expect(html).toContain(`${escapeHtml('A | short <b>\nA | long')}</textarea>`);
    expect(input(html, 'step_delay_1')).toBe(value('step_delay_1', '4'));
    expect(input(html, 'step_tag_1')).toBe(value('step_tag_1', 'pricing'));
    expect(html).toMatch(/name="window_days"\s+value="4"\s+checked/);
    expect(html).not.toMatch(/name="window_days"\s+value="3"\s+checked/);
    expect(html).not.toMatch(/name="fallback_on"\s+value="1"\s+checked/);
    expect(input(html, 'fallback_after_days')).toBe(value('fallback_after_days', '5'));
    expect(html).toMatch(/<option\s+value="each_step"\s+selected\s*>/);
  };

  it('templates: new and edit refused in words, A/B variants and all, with the form as typed', async () => {
    const before = await count('sequence_templates');
    const { html, flat } = await refused('/settings/templates', template);
    expect(flat).toContain(
      'The template was not created: Step 1 variants need different labels: A twice. <a href="#template-form">Correct it below</a>.',
    );
    expect(html).toContain('role="alert"');
    expectTemplateTyped(html);
    const late = await refused('/settings/templates', [
      ...template.filter(([k]) => !k.startsWith('step_variants') && k !== 'window_start'),
      ['window_start', '9am'],
    ]);
    expect(late.flat).toContain('not created: Sending window start must be a time like 09:00;');
    expect(input(late.html, 'window_start')).toBe(value('window_start', '9am'));
    expect(await count('sequence_templates')).toBe(before);

    // Edit: a saved template, then a refused change keeps what was saved.
    const made = await app.user.post('/settings/templates', {
      _csrf: app.csrf,
      name: 'Saved',
      step_kind_0: 'opener',
      step_delay_0: '0',
      window_days: '2',
      window_start: '09:00',
      window_end: '11:00',
    });
    expect(made.status).toBe(303);
    const id = /\/settings\/templates\/(\d+)/.exec(made.headers.get('location')!)![1]!;
    const saved = () =>
      one(app.ctx.db, { text: 'SELECT name, steps, version FROM sequence_templates WHERE id = $1', values: [id] });
    const was = await saved();
    const edit = await refused(`/settings/templates/${id}`, template);
    expect(edit.flat).toContain('The template was not saved: Step 1 variants need different labels: A twice.');
    expectTemplateTyped(edit.html);
    expect(await saved()).toEqual(was);
  });

  const play = {
    name: HOSTILE,
    description: 'why "now" <i>',
    triggerKind: 'signal',
    signalType: 'hiring',
    roleKeywords: 'sales, "revops"',
    personas: 'Sales leadership: sales, revenue; seniority: vp',
    approvalMode: 'each_step',
    maxContacts: '11',
    cooldownDays: '30',
    staggerHours: '12',
  };
  const expectPlayTyped = (html: string) => {
    expect(input(html, 'name')).toBe(value('name', HOSTILE));
    expect(html).toContain(`${escapeHtml('why "now" <i>')}</textarea>`);
    expect(input(html, 'roleKeywords')).toBe(value('roleKeywords', 'sales, "revops"'));
    expect(html).toContain(`${escapeHtml(play.personas)}</textarea>`);
    expect(html).toMatch(/<option selected>hiring<\/option>/);
    expect(input(html, 'maxContacts')).toBe(value('maxContacts', '11'));
    expect(input(html, 'staggerHours')).toBe(value('staggerHours', '12'));
    expect(html).toMatch(/<option\s+value="each_step"\s+selected\s*>/);
    expect(html).not.toMatch(/name="enabled"\s+checked/);
  };

  it('plays: create and edit refused in words with the form as typed, nothing saved', async () => {
    const before = await count('plays');
    const { html, flat } = await refused('/plays', play);
    expect(flat).toContain(
      'The play was not created: Limits max contacts per account must be at most 10. <a href="#play-form">Correct it below</a>.',
    );
    expectPlayTyped(html);
    expect(await count('plays')).toBe(before);

    const made = await app.user.post('/plays', { _csrf: app.csrf, name: 'Saved play', triggerKind: 'manual' });
    expect(made.status).toBe(303);
    const id = /\/plays\/(\d+)/.exec(made.headers.get('location')!)![1]!;
    const saved = () =>
      one(app.ctx.db, { text: 'SELECT name, limits, version FROM plays WHERE id = $1', values: [id] });
    const was = await saved();
    const edit = await refused(`/plays/${id}`, { ...play, version: '1' });
    expect(edit.flat).toContain('The play was not saved: Limits max contacts per account must be at most 10.');
    expectPlayTyped(edit.html);
    expect(input(edit.html, 'version')).toBe(value('version', '1'));
    expect(await saved()).toEqual(was);
  });

  it('a play experiment refuses two variants with one label, on the page and in the API', async () => {
    const made = await app.user.post('/plays', { _csrf: app.csrf, name: 'Experiment play', triggerKind: 'manual' });
    const id = /\/plays\/(\d+)/.exec(made.headers.get('location')!)![1]!;
    const saved = () => one(app.ctx.db, { text: 'SELECT experiment, version FROM plays WHERE id = $1', values: [id] });
    const was = await saved();
    const variants = 'A | short "hook" <b>\na | long';
    const { html, flat } = await refused(`/plays/${id}/experiment`, {
      version: '1',
      variants,
      holdout_on: '1',
      holdout_percent: '12.5',
      min_sample: '120',
    });
    expect(flat).toContain(
      'The experiment was not saved: Experiment variants need different labels: A twice. <a href="#experiment-form">Correct it below</a>.',
    );
    expect(html).toContain(`${escapeHtml(variants)}</textarea>`);
    expect(input(html, 'holdout_percent')).toBe(value('holdout_percent', '12.5'));
    expect(input(html, 'min_sample')).toBe(value('min_sample', '120'));
    expect(await saved()).toEqual(was);

    const token = await createApiToken(app.ctx.db, app.ws.users.admin.id, 'test');
    const before = await count('plays');
    const res = await apiJson(app.base, token, 'POST', '/api/plays', {
      name: 'Via API',
      trigger: { kind: 'manual' },
      experiment: {
        variants: [
          { label: 'B', instruction: 'short' },
          { label: 'B', instruction: 'long' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: 'VALIDATION', message: 'Experiment variants need different labels: B twice' },
    });
    expect(await count('plays')).toBe(before);
  });

  it('users: adding and changing a user refused in words with what was typed', async () => {
    const before = await count('users');
    const added = await refused('/users', {
      email: 'ann"<b>@',
      name: 'Ann "<script>alert(1)</script>"',
      role: 'manager',
    });
    expect(added.flat).toContain('The user was not added: Email must be an email address.');
    expect(input(added.html, 'email')).toBe(value('email', 'ann"<b>@'));
    expect(input(added.html, 'name')).toBe(value('name', 'Ann "<script>alert(1)</script>"'));
    expect(added.html).toMatch(/<option selected>manager<\/option>/);
    expect(await count('users')).toBe(before);

    const rep = app.ws.users.rep;
    const saved = () =>
      one(app.ctx.db, { text: 'SELECT role, time_zone, disabled_at FROM users WHERE id = $1', values: [rep.id] });
    const was = await saved();
    const tz = 'Mars/"Base"<x>';
    const changed = await refused(`/users/${rep.id}`, { role: 'manager', time_zone: tz, disabled: '1' });
    expect(changed.flat).toContain(
      `The user was not changed: Time zone must be an IANA name like Europe/Berlin, not &quot;Mars/&quot;Base&quot;&lt;x&gt;&quot;. <a href="#user-${rep.id}">`,
    );
    const row = changed.html.slice(changed.html.indexOf(`id="user-${rep.id}"`));
    expect(row).toContain(`value="${escapeHtml(tz)}"`);
    expect(row.slice(0, row.indexOf('</tr>'))).toMatch(/<option selected>manager<\/option>/);
    expect(await saved()).toEqual(was);
  });

  it('accounts: a new account refused in words with the form as typed, nothing stored', async () => {
    const before = await count('accounts');
    const { html, flat } = await refused('/accounts/new', {
      name: HOSTILE,
      domain: 'acme.example',
      aliases: 'Acme; "ACME" Inc',
      time_zone: 'Mars/Base',
      country: 'DE',
      tags: 'tier-1',
      notes: 'met at <conf>',
    });
    expect(flat).toContain(
      'The account was not saved: Time zone must be an IANA name like Europe/Berlin. <a href="#account-form">Correct it below</a>.',
    );
    expect(input(html, 'name')).toBe(value('name', HOSTILE));
    expect(input(html, 'aliases')).toBe(value('aliases', 'Acme; "ACME" Inc'));
    expect(input(html, 'time_zone')).toBe(value('time_zone', 'Mars/Base'));
    expect(html).toContain(`${escapeHtml('met at <conf>')}</textarea>`);
    expect(await count('accounts')).toBe(before);
  });

  it('accounts and contacts: a domain or an email another has is refused with 409, linked, the form as typed', async () => {
    const made = await app.user.post('/accounts/new', {
      _csrf: app.csrf,
      name: 'Acme Dup',
      domain: 'acme-dup.example',
    });
    expect(made.status).toBe(303);
    const id = async (sql: string) => (await one<{ id: number }>(app.ctx.db, { text: sql, values: [app.ws.id] }))!.id;
    const acme = await id(`SELECT id FROM accounts WHERE workspace_id = $1 AND domain = 'acme-dup.example'`);
    const before = await count('accounts');
    const typed = { name: HOSTILE, domain: 'ACME-dup.example', aliases: 'Acme; "ACME" Inc', notes: 'met at <conf>' };
    const added = await refused('/accounts/new', typed, 409);
    expect(added.flat).toContain(
      'The account was not saved: An account with the domain acme-dup.example already exists. ' +
        `<a href="/accounts/${acme}/edit">Open Acme Dup</a>. <a href="#account-form">Correct it below</a>.`,
    );
    expect(input(added.html, 'name')).toBe(value('name', HOSTILE));
    expect(input(added.html, 'domain')).toBe(value('domain', 'ACME-dup.example'));
    expect(input(added.html, 'aliases')).toBe(value('aliases', 'Acme; "ACME" Inc'));
    expect(added.html).toContain(`${escapeHtml('met at <conf>')}</textarea>`);
    expect(await count('accounts')).toBe(before);

    // Another account given that domain: the same, on its edit form, and it keeps its own.
    await app.user.post('/accounts/new', { _csrf: app.csrf, name: 'Other', domain: 'other-dup.example' });
    const other = await id(`SELECT id FROM accounts WHERE workspace_id = $1 AND domain = 'other-dup.example'`);
    const edited = await refused(`/accounts/${other}/edit`, { ...typed, name: 'Other renamed' }, 409);
    expect(edited.flat).toContain(
      'The account was not saved: An account with the domain acme-dup.example already exists.',
    );
    expect(edited.html).toContain(`href="/accounts/${acme}/edit"`);
    expect(input(edited.html, 'name')).toBe(value('name', 'Other renamed'));
    const saved = await one(app.ctx.db, { text: 'SELECT name, domain FROM accounts WHERE id = $1', values: [other] });
    expect(saved).toEqual({ name: 'Other', domain: 'other-dup.example' });

    const first = await app.user.post('/contacts/new', {
      _csrf: app.csrf,
      email: 'ann@acme-dup.example',
      first_name: 'Ann',
      last_name: 'Lee',
    });
    expect(first.status).toBe(303);
    const ann = await id(`SELECT id FROM contacts WHERE workspace_id = $1 AND email = 'ann@acme-dup.example'`);
    const contacts = await count('contacts');
    const again = await refused(
      '/contacts/new',
      { email: 'Ann@acme-dup.example', first_name: 'Anne "<b>"', title: 'VP Sales' },
      409,
    );
    expect(again.flat).toContain(
      'The contact was not saved: A contact with the email ann@acme-dup.example already exists. ' +
        `<a href="/contacts/${ann}/edit">Open Ann Lee</a>. <a href="#contact-form">Correct it below</a>.`,
    );
    expect(input(again.html, 'email')).toBe(value('email', 'Ann@acme-dup.example'));
    expect(input(again.html, 'first_name')).toBe(value('first_name', 'Anne "<b>"'));
    expect(input(again.html, 'title')).toBe(value('title', 'VP Sales'));
    expect(await count('contacts')).toBe(contacts);
  });

  it('a duplicate domain or email reads the same in the JSON API as on the form: one text, 409', async () => {
    const token = await createApiToken(app.ctx.db, app.ws.users.admin.id, 'duplicates');
    const api = async (method: string, path: string, body: unknown) => {
      const res = await apiJson<ApiError>(app.base, token, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(409);
      return res.body.error;
    };
    await app.user.post('/accounts/new', { _csrf: app.csrf, name: 'Twin', domain: 'twin.example' });
    await app.user.post('/accounts/new', { _csrf: app.csrf, name: 'Single', domain: 'single.example' });
    const single = (await one<{ id: number }>(app.ctx.db, {
      text: `SELECT id FROM accounts WHERE workspace_id = $1 AND domain = 'single.example'`,
      values: [app.ws.id],
    }))!.id;
    const domain = 'An account with the domain twin.example already exists';
    const onForm = await refused('/accounts/new', { name: 'Twin again', domain: 'TWIN.example' }, 409);
    expect(onForm.flat).toContain(`The account was not saved: ${domain}.`);
    expect(await api('POST', '/api/accounts', { name: 'Twin again', domain: 'TWIN.example' })).toEqual({
      code: 'CONFLICT',
      message: domain,
    });
    expect((await api('PUT', `/api/accounts/${single}`, { name: 'Single', domain: 'twin.example' })).message).toBe(
      domain,
    );
    await app.user.post('/contacts/new', { _csrf: app.csrf, email: 'bo@twin.example', first_name: 'Bo' });
    const email = 'A contact with the email bo@twin.example already exists';
    const contactForm = await refused('/contacts/new', { email: 'Bo@twin.example', first_name: 'Bo' }, 409);
    expect(contactForm.flat).toContain(`The contact was not saved: ${email}.`);
    expect(await api('POST', '/api/contacts', { email: 'Bo@twin.example', firstName: 'Bo' })).toEqual({
      code: 'CONFLICT',
      message: email,
    });
  });

  it('the HubSpot token form: refused in words on the CRM page, the token never written back', async () => {
    const token = 'not a "token" <b>';
    const { html, flat } = await refused('/settings/crm/connect/hubspot', { token });
    expect(flat).toContain(
      'HubSpot was not connected: That does not look like an access token. <a href="#crm-token">Paste a token below</a>.',
    );
    expect(html).toContain('id="crm-token"');
    expect(html).not.toContain(escapeHtml(token));
    expect(await count('crm_connections')).toBe(0);
  });

  it('mailboxes: a new mailbox refused in words with the form as typed, passwords not echoed', async () => {
    const before = await count('mailboxes');
    const { html, flat } = await refused('/settings/mailboxes', {
      kind: 'smtp',
      from_name: 'Sales "<b>"',
      from_email: 'sales@acme.example',
      smtp_host: 'smtp.acme.example',
      smtp_port: '465',
      smtp_secure: '1',
      smtp_user: 'sales',
      smtp_pass: 'hunter2-secret',
      imap_host: 'imap.acme.example',
      imap_port: '993',
      daily_cap: '5000',
      min_gap_seconds: '60',
      max_gap_seconds: '120',
    });
    expect(flat).toContain(
      'The mailbox was not added: Daily cap must be at most 2000. <a href="#mailbox-form">Correct it and type the password again below</a>.',
    );
    expect(input(html, 'from_name')).toBe(value('from_name', 'Sales "<b>"'));
    expect(input(html, 'smtp_host')).toBe(value('smtp_host', 'smtp.acme.example'));
    expect(input(html, 'smtp_port')).toBe(value('smtp_port', '465'));
    expect(html).toMatch(/name="smtp_secure"\s+value="1"\s+checked/);
    expect(html).not.toMatch(/name="imap_secure"\s+value="1"\s+checked/);
    expect(input(html, 'daily_cap')).toBe(value('daily_cap', '5000'));
    expect(html).not.toContain('hunter2-secret');
    expect(await count('mailboxes')).toBe(before);
  });
});
