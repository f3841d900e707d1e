// The pager under a list opened at a page past its end (page=999999 typed or an old link): it says
// there is no such page and links the last one, instead of "Page 100000 of 1" and a Previous link
// to another empty page.
import { describe, expect, it } from 'vitest';
import { pager } from '../../review-ui/layout.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft } from '../support/review-builders.js';
import { useLoggedInApp } from '../support/web.js';

const words = (h: string) =>
  h
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('pager past the last page', () => {
  it('names the last page and links it', () => {
    const h = String(pager('/queue', { q: 'acme' }, { page: 100000, perPage: 50, total: 7 }));
    expect(words(h)).toContain('There is no page 100000: 7 in all, on 1 page.');
    expect(h).toContain('href="/queue?q=acme&amp;page=1"');
    expect(h).not.toContain('page=99999');
    const two = String(pager('/signals', {}, { page: 5, perPage: 50, total: 51 }));
    expect(words(two)).toContain('There is no page 5: 51 in all, on 2 pages.');
    expect(two).toContain('href="/signals?page=2"');
  });

  it('is unchanged inside the range', () => {
    const h = String(pager('/signals', {}, { page: 2, perPage: 50, total: 120 }));
    expect(words(h)).toContain('Page 2 of 3 · 120 in all');
    expect(h).toContain('href="/signals?page=1"');
    expect(h).toContain('href="/signals?page=3"');
  });
});

describeEachBackend(
  'the queue opened far past its end',
  (get) => {
    const app = useLoggedInApp(get, 'rep', '/queue');

    it('names the page asked for, not the number paging clamped it to', async () => {
      await buildDraft(app.ctx.db, { workspaceId: app.ws.id, ownerId: app.ws.users.rep.id });
      const res = await app.user.fetch('/queue?page=999999');
      expect(res.status).toBe(200);
      const h = await res.text();
      expect(words(h)).toContain('There is no page 999999: 1 in all, on 1 page.');
      expect(h).not.toContain('100000');
      expect(h).toContain('href="/queue?page=1"');
    });
  },
  ['pglite'],
);
