// Queue search on both backends (issue 17 item 3): the search text is stored lowercased and
// matched with LIKE (migration 0034), so case, non-ASCII letters, several words, one account among
// similar names and text edited after drafting must still match as ILIKE did; and the page's one
// statement (`queuePage`) answers exactly what the list and the counts answer on their own.
import { beforeAll, expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import {
  listQueue,
  facetCounts,
  queueCounts,
  queuePage,
  type QueueFilter,
  type QueuePageRow,
  type QueueRow,
  wordQuery,
} from '../../db/queries/review-queue.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft, type BuiltDraft } from '../support/review-builders.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);

describeEachBackend('review queue search', (get) => {
  let ws: TestWorkspace;
  const d: Record<string, BuiltDraft> = {};

  beforeAll(async () => {
    const db = get().db;
    ws = await buildWorkspace(db);
    const rep = ws.users.rep.id,
      other = ws.users.admin.id;
    d.muller = await buildDraft(db, {
      workspaceId: ws.id,
      ownerId: rep,
      accountName: 'Müller Maschinenbau',
      signalTitle: 'Müller Maschinenbau opens a plant in Graz',
      detectedAt: ago(3),
    });
    // Accounts whose names contain one another: "Account 17" is in "Account 170" as ILIKE saw it.
    for (const [k, name, owner, h] of [
      ['a1', 'Account 1', rep, 5],
      ['a17', 'Account 17', rep, 6],
      ['a170', 'Account 170', other, 7],
      ['a71', 'Account 71', other, 8],
    ] as const)
      d[k] = await buildDraft(db, {
        workspaceId: ws.id,
        ownerId: owner,
        accountName: name,
        signalTitle: `${name} hires a CFO`,
        signalType: 'hiring',
        detectedAt: ago(h),
        gateFailures: k === 'a170' ? ['ungrounded number'] : [],
      });
    d.edited = await buildDraft(db, {
      workspaceId: ws.id,
      ownerId: rep,
      detectedAt: ago(9),
      steps: [{ subject: 'First thoughts', body: 'Hi' }],
    });
  });

  const ids = (xs: BuiltDraft[]) => xs.map((x) => x.sequenceId);
  const list = (viewer: number | null, f: QueueFilter, limit = 50, offset = 0) =>
    run<QueueRow>(get().db, listQueue(ws.id, NOW, viewer, f, limit, offset)).then((rows) => rows.map((r) => r.id));
  const search = (q: string, viewer: number | null = null) => list(viewer, { q });

  it('matches whatever the case, ASCII or not, and several words as one phrase', async () => {
    expect(await search('MÜLLER')).toEqual(ids([d.muller!]));
    expect(await search('müller maschinenbau')).toEqual(ids([d.muller!]));
    expect(await search('MASCHINENBAU OPENS A PLANT')).toEqual(ids([d.muller!]));
    expect(await search('plant maschinenbau')).toEqual([]);
    expect(await search('in graz')).toEqual(ids([d.muller!]));
  });

  it('finds one account among names that contain each other, within what the viewer sees', async () => {
    expect(await search('Account 170')).toEqual(ids([d.a170!]));
    expect(await search('account 17')).toEqual(ids([d.a170!, d.a17!]));
    expect(await search('Account 17', ws.users.rep.id)).toEqual(ids([d.a17!]));
    expect(await search('Account 1 ')).toEqual(ids([d.a1!]));
    expect(await search('hires a cfo')).toEqual(ids([d.a170!, d.a1!, d.a17!, d.a71!]));
  });

  it('finds through the word index exactly what a substring test of the stored text finds', async () => {
    // Words a term bounds on both sides are asked for whole, the last one as a prefix, the first
    // not at all (it may end a longer word); non-ASCII terms and one-letter words use trigrams.
    expect(wordQuery('Signal 12')).toBe("'12':*");
    expect(wordQuery('ccount 17 hires')).toBe("'17' & 'hires':*");
    expect(wordQuery(' cfo')).toBe("'cfo':*");
    expect([wordQuery('account'), wordQuery('account 1'), wordQuery('müller maschinenbau')]).toEqual([
      null,
      null,
      null,
    ]);
    const db = get().db;
    const like = (q: string) =>
      run<{ id: number }>(db, {
        text: `SELECT id FROM sequences WHERE workspace_id = $1 AND status = 'pending_review'
                  AND search_text LIKE '%' || lower($2) || '%' ORDER BY id`,
        values: [ws.id, q],
      }).then((rows) => rows.map((r) => r.id));
    for (const q of [
      'account 17',
      'ccount 17',
      'ccount 17 ',
      'account 17 hires',
      'nt 170 hi',
      ' 17',
      '1 hires a cfo',
      'es a c',
      'a cfo',
      'maschinenbau opens',
      'in graz',
      'in gr',
      'plant in graz\naccount',
      'account 7',
      'no such words',
    ]) {
      const found = (await search(q)).sort((a, b) => a - b);
      expect({ q, found }).toEqual({ q, found: await like(q) });
    }
    expect((await search('ccount 17 ')).length).toBe(1);
    expect((await search('nt 170 hi')).length).toBe(1);
  });

  it('keeps a subject edited after drafting searchable, in its own case', async () => {
    const db = get().db;
    expect(await search('ÜBER DEN PREIS')).toEqual([]);
    await run(db, {
      text: `UPDATE sequence_steps SET subject = 'Über den Preis' WHERE id = $1`,
      values: [d.edited!.stepIds[0]],
    });
    expect(await search('über den preis')).toEqual(ids([d.edited!]));
    expect(await search('First thoughts')).toEqual([]);
  });

  it('answers in one statement what the list and the counts answer apart, searching or not', async () => {
    const db = get().db;
    const cases: [number | null, QueueFilter, number, number][] = [
      [null, {}, 50, 0],
      [null, { q: 'account' }, 2, 1],
      [ws.users.rep.id, { q: 'account' }, 50, 0],
      [null, { q: 'hires', type: 'hiring', flagged: true }, 50, 0],
      [null, { q: 'account', ownerId: ws.users.admin.id, age: '1d' }, 50, 0],
      [ws.users.rep.id, { type: 'funding' }, 50, 0],
    ];
    for (const [viewer, f, limit, offset] of cases) {
      const page = (await one<QueuePageRow>(db, queuePage(ws.id, NOW, viewer, f, limit, offset)))!;
      const rows = await run<QueueRow>(db, listQueue(ws.id, NOW, viewer, f, limit, offset));
      expect(page.rows.map((r) => ({ ...r, detected_at: new Date(r.detected_at) }))).toEqual(rows);
      const counts = facetCounts(await run(db, queueCounts(ws.id, NOW, viewer, f)), f);
      const key = (c: { facet: string; value: string | null }) => `${c.facet}:${c.value}`;
      expect([...facetCounts(page.counts, f)].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
        [...counts].sort((a, b) => key(a).localeCompare(key(b))),
      );
    }
    const searched = (await one<QueuePageRow>(db, queuePage(ws.id, NOW, null, { q: 'account' }, 2, 1)))!;
    expect(searched.rows.map((r) => r.id)).toEqual(ids([d.a1!, d.a17!]));
    const searchedCounts = facetCounts(searched.counts, { q: 'account' });
    expect(searchedCounts.find((c) => c.facet === 'total')?.n).toBe(4);
    expect(searchedCounts.filter((c) => c.facet === 'flagged').sort((a, b) => a.n - b.n)).toEqual([
      { facet: 'flagged', value: 'true', n: 1 },
      { facet: 'flagged', value: 'false', n: 3 },
    ]);
    expect(searched.owners.map((o) => o.id).sort((a, b) => a - b)).toEqual(
      Object.values(ws.users)
        .map((u) => u.id)
        .sort((a, b) => a - b),
    );
  });

  it('past its cap, finds the same page by walking the queue and says the counts are capped', async () => {
    const db = get().db;
    const cases: [number | null, QueueFilter, number, number][] = [
      [null, { q: 'account' }, 50, 0],
      [null, { q: 'account' }, 2, 1],
      [null, { q: 'hires a cfo', type: 'hiring' }, 2, 2],
      [ws.users.rep.id, { q: 'account' }, 50, 0],
      [null, { q: 'account', flagged: true }, 50, 0],
      [null, { q: 'account', ownerId: ws.users.admin.id }, 1, 0],
      [null, { q: 'ü' }, 50, 0],
    ];
    for (const [viewer, f, limit, offset] of cases) {
      const exact = await run<QueueRow>(db, listQueue(ws.id, NOW, viewer, f, limit, offset));
      for (const cap of [0, 1, 2]) {
        const capped = { ...f, cap };
        expect(await run<QueueRow>(db, listQueue(ws.id, NOW, viewer, capped, limit, offset))).toEqual(exact);
        const page = (await one<QueuePageRow>(db, queuePage(ws.id, NOW, viewer, capped, limit, offset)))!;
        expect(page.rows.map((r) => r.id)).toEqual(exact.map((r) => r.id));
        const total = facetCounts(await run(db, queueCounts(ws.id, NOW, viewer, f)), f).find(
          (c) => c.facet === 'total',
        )?.n;
        // Capped exactly when the search (before the facet filters) matches more than the cap.
        const matches = (await run<QueueRow>(db, listQueue(ws.id, NOW, viewer, { q: f.q }, 1000, 0))).length;
        expect(page.capped).toBe(matches > cap);
        if (!page.capped) expect(facetCounts(page.counts, f).find((c) => c.facet === 'total')?.n).toBe(total);
      }
    }
    const nothing = (await one<QueuePageRow>(db, queuePage(ws.id, NOW, null, { q: 'no such text', cap: 0 }, 50, 0)))!;
    expect([nothing.capped, nothing.rows]).toEqual([false, []]);
  });
});
