// Zod's refusals in words over HTTP (issue 16): a field label and what it must be ("Daily cap must
// be a whole number"), never zod's own "Invalid input: expected number, received NaN".
import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/db.js';
import { useLoggedInApp } from '../support/web.js';

const words = (h: string) =>
  h
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/\s+/g, ' ');

describeEachBackend('validation messages in words', (get) => {
  const app = useLoggedInApp(get, 'revops', '/settings');

  it('names the field and what it must be for a number, a whole number, a range and a choice', async () => {
    const form = {
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
    for (const [field, value, said] of [
      ['daily_cap', 'lots', 'Daily cap must be a number'],
      ['daily_cap', '2.5', 'Daily cap must be a whole number'],
      ['daily_cap', '0', 'Daily cap must be at least 1'],
      ['max_gap_seconds', '999999', 'Max gap seconds must be at most 86400'],
      ['kind', 'pigeon', 'Kind must be one of smtp, outbox'],
    ] as const) {
      const res = await app.user.post('/settings/mailboxes', { ...form, [field]: value });
      expect(res.status).toBe(400);
      const page = words(await res.text());
      expect(page).toContain(said);
      expect(page).not.toMatch(/Invalid input|Invalid option|received NaN|Too (small|big):/);
    }
  });
});
