// The review queue's facet counts come from counter rows kept by triggers in the transactions
// that change a draft (migration 0013). Whatever moves a draft — review decisions, reassigning
// it or its account, a gate flag, deletion, a reclassified signal — the counts stay equal to a
// recount of the drafts themselves, for the whole workspace and for a rep. The page only reads:
// a snoozed draft whose time has come wakes in the maintenance tick, not on GET.
import { beforeAll, expect, it } from 'vitest';
import { maintenanceAgent } from '../../agents/maintenance.js';
import { one, run, type Queryable } from '../../db/index.js';
import { facetCounts, queueCounts } from '../../db/queries/review-queue.js';
import { createLogger } from '../../log.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft, type BuiltDraft } from '../support/review-builders.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
type Counts = Record<string, Record<string, number>>;

// The clocks the counts are read at: each puts the ends of the age buckets (1, 7 and 30 days back)
// in other days and hours, so a draft moves between a day read whole and a day read by its hours.
const CLOCKS = [
  NOW,
  new Date('2026-03-10T23:30:00Z'),
  new Date('2026-03-10T00:10:00Z'),
  new Date('2026-03-20T11:59:00Z'),
];

async function counted(db: Queryable, ws: number, viewer: number | null, now = NOW): Promise<Counts> {
  const out: Counts = {};
  for (const r of facetCounts(await run(db, queueCounts(ws, now, viewer, {})), {}))
    (out[r.facet] ??= {})[r.value ?? ''] = r.n;
  return out;
}

/** The same facets straight from the drafts, as the page computed them before the counters. */
async function recount(db: Queryable, ws: number, viewer: number | null, now = NOW): Promise<Counts> {
  const rows = await run<{ type: string; owner: string; age: string; flagged: string }>(db, {
    text: `SELECT sig.type, s.owner_id::text AS owner, s.gate_failures <> '[]'::jsonb AS flagged,
                  CASE WHEN date_trunc('hour', sig.detected_at, 'UTC') >= $2::timestamptz - interval '1 day' THEN '1d'
                       WHEN date_trunc('hour', sig.detected_at, 'UTC') >= $2::timestamptz - interval '7 days' THEN '7d'
                       WHEN date_trunc('hour', sig.detected_at, 'UTC') >= $2::timestamptz - interval '30 days' THEN '30d'
                       ELSE 'older' END AS age
             FROM sequences s JOIN signals sig ON sig.id = s.signal_id LEFT JOIN accounts a ON a.id = s.account_id
            WHERE s.workspace_id = $1 AND s.status = 'pending_review'
              AND ($3::bigint IS NULL OR s.owner_id = $3 OR a.owner_id = $3)`,
    values: [ws, now, viewer],
  });
  const out: Counts = {};
  const add = (facet: string, value: string) => ((out[facet] ??= {})[value] = (out[facet]![value] ?? 0) + 1);
  for (const r of rows) {
    add('type', r.type);
    add('owner', r.owner);
    add('age', r.age);
    add('flagged', String(r.flagged));
    add('total', '');
  }
  return out;
}

describeEachBackend('review queue counter rows', (get) => {
  let ws: TestWorkspace;
  let d: BuiltDraft[];
  const db = () => get().db;
  const q = (text: string, ...values: unknown[]) => db().query(text, values);
  const agree = async () => {
    for (const now of CLOCKS)
      for (const viewer of [null, ws.users.rep.id, ws.users.admin.id])
        expect(await counted(db(), ws.id, viewer, now)).toEqual(await recount(db(), ws.id, viewer, now));
    // The day rows are the hour rows summed by day (migration 0043).
    const days = await run<{ n: number }>(db(), {
      text: `SELECT count(*)::int AS n FROM (
               SELECT signal_type, owner_id, account_owner_id, flagged, date_trunc('day', detected_hour, 'UTC') AS day, sum(n)::int AS n
                 FROM review_queue_counts WHERE workspace_id = $1 GROUP BY 1, 2, 3, 4, 5
               EXCEPT
               SELECT signal_type, owner_id, account_owner_id, flagged, detected_day, n
                 FROM review_queue_day_counts WHERE workspace_id = $1 AND n <> 0) x
              WHERE n <> 0`,
      values: [ws.id],
    });
    expect(days[0]!.n).toBe(0);
  };

  beforeAll(async () => {
    ws = await buildWorkspace(db());
    const rep = ws.users.rep.id,
      admin = ws.users.admin.id;
    d = [];
    // Either side of each bucket's end at NOW (1, 7 and 30 days back), and days between them.
    const hours = [2, 23.5, 24.5, 50, 24 * 7 - 0.5, 24 * 7 + 0.5, 24 * 20, 24 * 30 - 0.5, 24 * 30 + 1, 24 * 90];
    for (const [i, h] of hours.entries()) {
      d.push(
        await buildDraft(db(), {
          workspaceId: ws.id,
          ownerId: i % 2 ? admin : rep,
          signalType: i % 3 ? 'funding' : 'hiring',
          detectedAt: ago(h),
          gateFailures: i === 3 ? ['ungrounded number'] : [],
        }),
      );
    }
  });

  it('start equal to a recount, and stay equal through everything that moves a draft', async () => {
    await agree();
    expect((await counted(db(), ws.id, null)).total).toEqual({ '': 10 });
    await q(`UPDATE sequences SET status = 'active' WHERE id = $1`, d[0]!.sequenceId);
    await agree();
    await q(`UPDATE sequences SET status = 'snoozed', snoozed_until = $2 WHERE id = $1`, d[1]!.sequenceId, NOW);
    await agree();
    await q(`UPDATE sequences SET owner_id = $2 WHERE id = $1`, d[2]!.sequenceId, ws.users.rep.id);
    await agree();
    await q(`UPDATE accounts SET owner_id = $2 WHERE id = $1`, d[3]!.accountId, ws.users.rep.id);
    await agree();
    await q(`UPDATE sequences SET gate_failures = '[]'::jsonb, version = version + 1 WHERE id = $1`, d[3]!.sequenceId);
    await q(`UPDATE sequences SET gate_failures = '["too long"]'::jsonb WHERE id = $1`, d[4]!.sequenceId);
    await agree();
    await q(`UPDATE signals SET type = 'news', detected_at = $2 WHERE id = $1`, d[5]!.signalId, ago(1));
    await agree();
    await q(`UPDATE sequences SET status = 'pending_review' WHERE id = $1`, d[0]!.sequenceId);
    await q(`DELETE FROM sequence_steps WHERE sequence_id = $1`, d[2]!.sequenceId);
    await q(`DELETE FROM draft_versions WHERE sequence_id = $1`, d[2]!.sequenceId);
    await q(`DELETE FROM sequences WHERE id = $1`, d[2]!.sequenceId);
    await agree();
    expect((await counted(db(), ws.id, null)).total).toEqual({ '': 8 });
  });

  const empty = async () =>
    (await one<{ n: number }>(db(), {
      text: 'SELECT count(*)::int AS n FROM review_queue_counts WHERE workspace_id = $1 AND n = 0',
      values: [ws.id],
    }))!.n;

  it('wakes a snoozed draft in the maintenance tick, and drops the counter rows that count nothing', async () => {
    const id = d[1]!.sequenceId;
    // The moves above left hours whose drafts all left review: rows at 0.
    expect(await empty()).toBeGreaterThan(0);
    await maintenanceAgent.handler({}, { db: db(), log: createLogger('silent') } as never);
    expect(await one(db(), { text: 'SELECT status FROM sequences WHERE id = $1', values: [id] })).toEqual({
      status: 'pending_review',
    });
    expect(await empty()).toBe(0);
    await agree();
    // A draft leaving and coming back to an hour whose row was dropped: counted afresh.
    await q(`UPDATE sequences SET status = 'active' WHERE id = $1`, d[0]!.sequenceId);
    await agree();
    expect(await empty()).toBe(1);
    await maintenanceAgent.handler({}, { db: db(), log: createLogger('silent') } as never);
    await q(`UPDATE sequences SET status = 'pending_review' WHERE id = $1`, d[0]!.sequenceId);
    await agree();
    expect((await counted(db(), ws.id, null)).total).toEqual({ '': 9 });
  });
});
