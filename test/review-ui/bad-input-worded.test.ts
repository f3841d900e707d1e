// Refused input reads the same on a page and in the JSON API (issue 16): every route words zod's
// refusals with zod-message.ts ("Name must not be empty"), never its own "path: Too small".
import { beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { describeEachBackend } from '../support/db.js';
import { apiJson, useLoggedInApp, type ApiError } from '../support/web.js';

const words = (h: string) =>
  h
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');
const ZOD_OWN = /Invalid input|Invalid option|Invalid (email|URL|url)|received|Too (small|big)/;

describeEachBackend('refusals in words on pages and in the API', (get) => {
  const app = useLoggedInApp(get, 'revops', '/settings');
  let token: string;
  beforeAll(async () => {
    token = await createApiToken(app.ctx.db, app.ws.users.revops.id, 'worded');
  });
  const api = async (method: string, path: string, body: unknown) => {
    const res = await apiJson<ApiError>(app.base, token, method, path, body);
    expect(res.status, `${method} ${path}`).toBe(400);
    return res.body.error.message;
  };
  const page = async (path: string, form: Record<string, string>) => {
    const res = await app.user.post(path, { _csrf: app.csrf, ...form });
    expect(res.status, path).toBe(400);
    return words(await res.text());
  };
  const same = async (said: string, onPage: string, inApi: string) => {
    expect(onPage).toContain(said);
    expect(inApi).toBe(said);
    expect(onPage).not.toMatch(ZOD_OWN);
  };

  it('a play without a name: the plays form and /api/plays', async () => {
    const onPage = await page('/plays', {
      name: '',
      personas: '',
      triggerKind: 'signal',
      signalType: 'funding',
      maxContacts: '2',
      cooldownDays: '90',
      staggerHours: '24',
    });
    const inApi = await api('POST', '/api/plays', { name: '', trigger: { kind: 'signal', signalType: 'funding' } });
    await same('Name must not be empty', onPage, inApi);
  });

  it('an account without a name or with a made-up time zone: the account form and /api/accounts', async () => {
    await same('Name is required', await page('/accounts/new', { name: '' }), await api('POST', '/api/accounts', {}));
    await same(
      'Time zone must be an IANA name like Europe/Berlin',
      await page('/accounts/new', { name: 'Acme', time_zone: 'Mars/Base' }),
      await api('POST', '/api/accounts', { name: 'Acme', timeZone: 'Mars/Base' }),
    );
  });

  it('a manual signal without a title or with a link that is not one: the signals form and /api/signals', async () => {
    await same(
      'Title must not be empty',
      await page('/signals', { title: ' ' }),
      await api('POST', '/api/signals', { title: ' ' }),
    );
    await same(
      'URL must be an http(s) link',
      await page('/signals', { title: 'Acme raises', url: 'not a link' }),
      await api('POST', '/api/signals', { title: 'Acme raises', url: 'not a link' }),
    );
  });

  it('a template: the template form and /api/templates name fields by the page’s labels, not by their paths', async () => {
    const form = {
      name: 'Worded',
      step_kind_0: 'opener',
      step_delay_0: '0',
      window_days: '2',
      window_start: '09:00',
      window_end: '11:00',
    };
    const body = {
      name: 'Worded',
      steps: [{ kind: 'opener', delayDays: 0 }],
      window: { days: [2], start: '09:00', end: '11:00' },
    };
    const paths = /window\.|fallback\.|steps\.|Steps item/;
    const cases: [string, Record<string, string>, Record<string, unknown>][] = [
      [
        'Sending window start must be a time like 09:00',
        { window_start: '08.00' },
        { window: { ...body.window, start: '08.00' } },
      ],
      [
        'Sending window must end after it starts',
        { window_start: '11:00', window_end: '09:00' },
        { window: { ...body.window, start: '11:00', end: '09:00' } },
      ],
      [
        'Sending window days must include at least one day',
        { window_days: '' },
        { window: { ...body.window, days: [] } },
      ],
      [
        'Fallback window end must be a time like 09:00',
        { fallback_on: '1', fallback_days: '2', fallback_start: '08:00', fallback_end: '5pm' },
        { fallback: { days: [2], start: '08:00', end: '5pm' } },
      ],
      [
        'Step 1 delay in days must be at most 60',
        { step_delay_0: '61' },
        { steps: [{ kind: 'opener', delayDays: 61 }] },
      ],
      // A choice named as the step row's selects show it, never by its key (follow_up, not_clicked).
      [
        'Step 1 kind must be one of opener, follow up, breakup',
        { step_kind_0: 'sequel' },
        { steps: [{ kind: 'sequel', delayDays: 0 }] },
      ],
      [
        'Step 1 condition must be “they clicked a link” or “they did not click”',
        { step_branch_0: 'opened' },
        { steps: [{ kind: 'opener', delayDays: 0, branch: { when: 'opened' } }] },
      ],
    ];
    for (const [said, onForm, inJson] of cases) {
      const inApi = await api('POST', '/api/templates', { ...body, ...inJson });
      await same(said, await page('/settings/templates', { ...form, ...onForm }), inApi);
      expect(inApi).not.toMatch(paths);
      expect(inApi).not.toMatch(/follow_up|not_clicked/);
    }
    // The words are the page's: its selects offer these choices so.
    const shown = words((await app.user.page('/settings/templates')).html);
    for (const choice of ['follow up', 'they clicked a link', 'they did not click']) expect(shown).toContain(choice);
  });

  it('pages only: a user with a bad email, a sender name too long', async () => {
    const users = await page('/users', { email: 'not-an-address', role: 'rep' });
    expect(users).toContain('Email must be an email address');
    expect(users).not.toMatch(ZOD_OWN);
    const profile = await page('/profile', { senderName: 'R'.repeat(201), signature: '' });
    expect(profile).toContain('Sender name must be at most 200 characters');
    expect(profile).not.toMatch(ZOD_OWN);
  });
});
