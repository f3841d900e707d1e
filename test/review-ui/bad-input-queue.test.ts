// A search longer than the queue runs (pasted text, a long URL) is cut to its first 200 characters
// and shown in the box, instead of being dropped: before, the page came back with an empty box and
// every draft listed, as if the search had matched everything.
import { describe, expect, it } from 'vitest';
import { QueueQuery, SEARCH_MAX, toFilter } from '../../review-ui/routes/queue.js';
import { queueFilters } from '../../review-ui/views/queue.js';

describe('queue search longer than the limit', () => {
  it('is cut to its first 200 characters, not dropped', () => {
    const long = 'acme corp '.repeat(40);
    const q = QueueQuery.parse({ q: long });
    expect(q.q).toBe(long.slice(0, SEARCH_MAX));
    expect(toFilter(q).q).toBe(long.slice(0, SEARCH_MAX).trim());
    expect(QueueQuery.parse({ q: 'acme' }).q).toBe('acme');
  });

  it('the box holds what was searched and no more than the limit', () => {
    const q = QueueQuery.parse({ q: 'x'.repeat(250) });
    const h = String(queueFilters(q, { type: {}, age: {}, owner: {}, flagged: 0 } as never, [], true, false));
    expect(h).toContain(`maxlength="${SEARCH_MAX}"`);
    expect(h).toContain(`value="${'x'.repeat(SEARCH_MAX)}"`);
  });
});
