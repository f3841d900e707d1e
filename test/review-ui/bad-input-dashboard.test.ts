// The dashboard and its CSV export with dates a person can type but the calendar lacks: a 400 that
// names the field and says what is wrong, never the range-order message or PostgreSQL's words.
import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/db.js';
import { useLoggedInApp } from '../support/web.js';

const words = (h: string) => h.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describeEachBackend('dashboard with bad dates', (get) => {
  const app = useLoggedInApp(get, 'manager', '/dashboard');

  it('names the bad day on the page and on the export alike', async () => {
    const cases: [string, string][] = [
      ['from=2026-13-45', 'from: 2026-13-45 is not a day on the calendar.'],
      ['from=2026-01-01&to=2026-02-30', 'to: 2026-02-30 is not a day on the calendar.'],
      ['to=2026-02-30', 'to: 2026-02-30 is not a day on the calendar.'],
      ['from=9999-01-01&to=9999-12-31', 'to: a day from 1970 to 2199.'],
      ['from=0001-01-01&to=0001-12-31', 'to: a day from 1970 to 2199.'],
    ];
    for (const [q, message] of cases) {
      for (const path of ['/dashboard', '/dashboard.csv']) {
        const { res, html } = await app.user.page(`${path}?${q}`);
        expect(res.status, `${path}?${q}`).toBe(400);
        expect(words(html)).toContain(message);
      }
    }
    // The order of a good range is still what is refused when both days exist.
    const { res, html } = await app.user.page('/dashboard?from=2026-03-02&to=2026-03-01');
    expect(res.status).toBe(400);
    expect(words(html)).toContain('Choose a start date on or before the end date.');
  });
});
