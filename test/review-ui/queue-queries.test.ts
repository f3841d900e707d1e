// The queue's SQL on both backends with a fixed clock: order, visibility, filters, counts per
// filter, search (with LIKE wildcards taken literally), snooze wake-up, neighbours.
import { beforeAll, expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import {
  listQueue,
  nextInQueue,
  facetCounts,
  queueCounts,
  queueNeighbours,
  wakeSnoozed,
  type QueueFilter,
  type QueueRow,
} from '../../db/queries/review-queue.js';
import { snoozeDraft } from '../../db/queries/review.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft, type BuiltDraft } from '../support/review-builders.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);

describeEachBackend('review queue queries', (get) => {
  let ws: TestWorkspace;
  let d: Record<string, BuiltDraft>;

  beforeAll(async () => {
    const db = get().db;
    ws = await buildWorkspace(db);
    const rep = ws.users.rep.id,
      other = ws.users.admin.id;
    d = {
      fresh: await buildDraft(db, {
        workspaceId: ws.id,
        ownerId: rep,
        signalType: 'funding',
        detectedAt: ago(2),
        signalTitle: 'Acme raises 100% more',
      }),
      week: await buildDraft(db, {
        workspaceId: ws.id,
        ownerId: rep,
        signalType: 'hiring',
        detectedAt: ago(50),
        gateFailures: ['ungrounded number'],
      }),
      month: await buildDraft(db, {
        workspaceId: ws.id,
        ownerId: rep,
        signalType: 'funding',
        detectedAt: ago(24 * 20),
        steps: [{ subject: 'About your Berlin office', body: 'Hi' }],
      }),
      old: await buildDraft(db, { workspaceId: ws.id, ownerId: other, signalType: 'news', detectedAt: ago(24 * 90) }),
      done: await buildDraft(db, {
        workspaceId: ws.id,
        ownerId: rep,
        signalType: 'funding',
        detectedAt: ago(1),
        status: 'active',
      }),
    };
  });

  const list = (viewer: number | null, f: QueueFilter = {}, limit = 50, offset = 0) =>
    run<QueueRow>(get().db, listQueue(ws.id, NOW, viewer, f, limit, offset)).then((rows) => rows.map((r) => r.id));
  const counts = async (viewer: number | null, f: QueueFilter = {}) => {
    const out: Record<string, Record<string, number>> = {};
    for (const r of facetCounts(await run(get().db, queueCounts(ws.id, NOW, viewer, f)), f))
      (out[r.facet] ??= {})[r.value ?? ''] = r.n;
    return out;
  };

  it('lists pending drafts flagged by a gate first, then newest signal first, only a rep’s own', async () => {
    expect(await list(null)).toEqual([d.week!, d.fresh!, d.month!, d.old!].map((x) => x.sequenceId));
    expect(await list(ws.users.rep.id)).toEqual([d.week!, d.fresh!, d.month!].map((x) => x.sequenceId));
    expect(await list(null, {}, 2, 2)).toEqual([d.month!, d.old!].map((x) => x.sequenceId));
  });

  it('filters by type, owner, age and flags, and counts each facet under the other filters', async () => {
    expect(await list(null, { type: 'funding' })).toEqual([d.fresh!.sequenceId, d.month!.sequenceId]);
    expect(await list(null, { ownerId: ws.users.admin.id })).toEqual([d.old!.sequenceId]);
    expect(await list(null, { age: '7d' })).toEqual([d.week!.sequenceId]);
    expect(await list(null, { flagged: true })).toEqual([d.week!.sequenceId]);
    expect(await counts(null)).toEqual({
      type: { funding: 2, hiring: 1, news: 1 },
      owner: { [String(ws.users.rep.id)]: 3, [String(ws.users.admin.id)]: 1 },
      age: { '1d': 1, '7d': 1, '30d': 1, older: 1 },
      flagged: { true: 1, false: 3 },
      total: { '': 4 },
    });
    const c = await counts(null, { type: 'funding' });
    expect(c.type).toEqual({ funding: 2, hiring: 1, news: 1 });
    expect(c.age).toEqual({ '1d': 1, '30d': 1 });
    expect(c.total).toEqual({ '': 2 });
  });

  it('searches subjects, titles and names, taking % and _ literally', async () => {
    expect(await list(null, { q: 'berlin office' })).toEqual([d.month!.sequenceId]);
    expect(await list(null, { q: '100%' })).toEqual([d.fresh!.sequenceId]);
    expect(await list(null, { q: '%' })).toEqual([d.fresh!.sequenceId]);
    expect((await counts(null, { q: 'dana' })).total).toEqual({ '': 4 });
  });

  it('orders neighbours and the next draft the same way as the list', async () => {
    const db = get().db;
    expect(await one(db, queueNeighbours(ws.id, null, d.fresh!.sequenceId))).toEqual({
      prev_id: d.week!.sequenceId,
      next_id: d.month!.sequenceId,
    });
    expect(await one(db, nextInQueue(ws.id, ws.users.rep.id, []))).toEqual({ id: d.week!.sequenceId });
    expect(await one(db, nextInQueue(ws.id, ws.users.rep.id, [d.week!.sequenceId]))).toEqual({
      id: d.fresh!.sequenceId,
    });
  });

  it('hides a snoozed draft until its time, then wakes it', async () => {
    const db = get().db;
    expect(await one(db, snoozeDraft(d.month!.sequenceId, new Date(NOW.getTime() + 3_600_000)))).toBeTruthy();
    expect(await list(null)).not.toContain(d.month!.sequenceId);
    expect(await run(db, wakeSnoozed(ws.id, NOW))).toEqual([]);
    expect(await run(db, wakeSnoozed(ws.id, new Date(NOW.getTime() + 2 * 3_600_000)))).toEqual([
      { id: d.month!.sequenceId },
    ]);
    expect(await list(null)).toContain(d.month!.sequenceId);
  });
});
