// The queue's view when a search matched more drafts than it counts (issue 17): no counts that
// would be of a sample, "1,000+" for the total, and a pager without a page count.
import { describe, expect, it } from 'vitest';
import { SEARCH_CAP } from '../../db/queries/review-queue.js';
import { html } from '../../review-ui/html.js';
import { cappedPager, queueBody, queueFilters } from '../../review-ui/views/queue.js';

const text = (h: { value: string }) => h.value.replace(/\s+/g, ' ');

describe('queue view past the search cap', () => {
  const counts = { type: { funding: 7 }, owner: {}, age: { '1d': 3 }, flagged: { true: 2 } };

  it('shows counts when exact and none when capped', () => {
    const exact = text(queueFilters({ q: 'acme' }, counts, [], false));
    expect(exact).toContain('funding (7)');
    expect(exact).toContain('Flagged by gates (2)');
    const capped = text(queueFilters({ q: 'acme' }, {}, [], false, true));
    expect(capped).toContain('>funding</option>');
    expect(capped).not.toMatch(/\(\d+\)/);
  });

  it('says how many at least, and pages forward while pages are full', () => {
    const body = text(
      queueBody({
        query: { q: 'signal' },
        above: [],
        filters: html``,
        rows: [],
        now: new Date(),
        total: SEARCH_CAP + 1,
        capped: true,
        canBulk: false,
        csrf: html``,
        pager: cappedPager('/queue', { q: 'signal' }, 2, true),
      }),
    );
    expect(body).toContain(`${SEARCH_CAP.toLocaleString('en-US')}+ drafts waiting`);
    expect(body).toContain('href="/queue?q=signal&amp;page=1"');
    expect(body).toContain('href="/queue?q=signal&amp;page=3"');
    expect(text(cappedPager('/queue', { q: 'signal' }, 1, false))).not.toContain('rel="next"');
  });

  it('past the end of a queue with drafts, says so without "Nothing waiting"', () => {
    const body = (total: number) =>
      text(
        queueBody({
          query: {},
          above: [],
          filters: html``,
          rows: [],
          now: new Date(),
          total,
          canBulk: false,
          csrf: html``,
          pager: html``,
        }),
      );
    expect(body(7)).toContain('7 drafts waiting');
    expect(body(7)).not.toContain('Nothing waiting');
    expect(body(0)).toContain('Nothing waiting');
  });

  it('past the end links back to a page with rows, not to another empty page (issue 16)', () => {
    const past = text(cappedPager('/queue', { q: 'signal' }, 500, false, 21));
    expect(past).toContain('There is no page 500 of this search');
    expect(past).toContain('href="/queue?q=signal&amp;page=21"');
    expect(past).not.toContain('page=499');
    expect(past).not.toContain('rel="next"');
    // Nothing known past page 1: back to the first page.
    expect(text(cappedPager('/queue', { q: 'signal' }, 3, false, 0))).toContain('href="/queue?q=signal&amp;page=1"');
  });
});
