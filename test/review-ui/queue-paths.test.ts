// The review queue through the app's own paths, on both backends (issue 17 item 3):
// - the facet counts (counter rows kept by triggers) equal a plain count of the drafts after
//   every way the app moves a draft: approve, reject, snooze and its wake-up in the maintenance
//   tick, bulk approve, edit and restore (which re-run the gates and move the flag), delete;
// - a GET writes nothing to the queue's tables (the session's own bookkeeping aside), and a
//   snoozed draft whose time has come shows once the tick has run;
// - search finds a draft by part of its company, contact, signal or any step's subject, in any
//   case, and follows renames of each.
import { beforeAll, expect, it } from 'vitest';
import { maintenanceAgent } from '../../agents/maintenance.js';
import { run, type Queryable } from '../../db/index.js';
import { facetCounts, queueCounts } from '../../db/queries/review-queue.js';
import { restoreDraftVersion } from '../../drafting/service.js';
import { createLogger } from '../../log.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft, type BuiltDraft } from '../support/review-builders.js';
import { Browserish, useWebApp } from '../support/web.js';

type Counts = Record<string, Record<string, number>>;

async function counted(db: Queryable, ws: number, now: Date): Promise<Counts> {
  const out: Counts = {};
  for (const r of facetCounts(await run(db, queueCounts(ws, now, null, {})), {}))
    (out[r.facet] ??= {})[r.value ?? ''] = r.n;
  return out;
}

/** The same facets from a plain count over the drafts. */
async function recount(db: Queryable, ws: number, now: Date): Promise<Counts> {
  const rows = await run<{ facet: string; value: string; n: number }>(db, {
    text: `WITH d AS (
             SELECT sig.type, s.owner_id::text AS owner, (s.gate_failures <> '[]'::jsonb)::text AS flagged,
                    CASE WHEN date_trunc('hour', sig.detected_at, 'UTC') >= $2::timestamptz - interval '1 day' THEN '1d'
                         WHEN date_trunc('hour', sig.detected_at, 'UTC') >= $2::timestamptz - interval '7 days' THEN '7d'
                         WHEN date_trunc('hour', sig.detected_at, 'UTC') >= $2::timestamptz - interval '30 days' THEN '30d'
                         ELSE 'older' END AS age
               FROM sequences s JOIN signals sig ON sig.id = s.signal_id
              WHERE s.workspace_id = $1 AND s.status = 'pending_review')
           SELECT 'type' AS facet, type AS value, count(*)::int AS n FROM d GROUP BY 2
           UNION ALL SELECT 'owner', owner, count(*)::int FROM d GROUP BY 2
           UNION ALL SELECT 'age', age, count(*)::int FROM d GROUP BY 2
           UNION ALL SELECT 'flagged', flagged, count(*)::int FROM d GROUP BY 2
           UNION ALL SELECT 'total', '', count(*)::int FROM d HAVING count(*) > 0`,
    values: [ws, now],
  });
  const out: Counts = {};
  for (const r of rows) (out[r.facet] ??= {})[r.value] = r.n;
  return out;
}

/** Every row's system version of the queue's tables: any UPDATE, INSERT or DELETE changes it. */
const snapshot = (db: Queryable) =>
  run<{ t: string; id: string; x: string }>(db, {
    text: `SELECT 's' AS t, id::text, xmin::text AS x FROM sequences
           UNION ALL SELECT 'st', id::text, xmin::text FROM sequence_steps
           UNION ALL SELECT 'c', workspace_id || signal_type || owner_id || account_owner_id || flagged || detected_hour, xmin::text
             FROM review_queue_counts
           ORDER BY 1, 2`,
    values: [],
  });

const tick = (db: Queryable) => maintenanceAgent.handler({}, { db, log: createLogger('silent') } as never);
const idsOn = (html: string) => [...html.matchAll(/href="\/drafts\/(\d+)" class="row-link"/g)].map((m) => Number(m[1]));

describeEachBackend('review queue through the app', (get) => {
  const app = useWebApp(get);
  const db = () => app.ctx.db;
  const hour = 3_600_000;
  let d: BuiltDraft[] = [];
  let rep: Browserish;
  let csrf: string;

  const agree = async () => {
    const now = new Date();
    expect(await counted(db(), app.ws.id, now)).toEqual(await recount(db(), app.ws.id, now));
  };

  beforeAll(async () => {
    d = [];
    for (const [i, hours] of [1, 5, 30, 24 * 3, 24 * 10, 24 * 40, 2, 3].entries()) {
      d.push(
        await buildDraft(db(), {
          workspaceId: app.ws.id,
          ownerId: app.ws.users.rep.id,
          signalType: (['funding', 'hiring', 'news'] as const)[i % 3],
          detectedAt: new Date(Date.now() - hours * hour),
          gateFailures: i === 6 ? [{ gate: 'grounding', message: 'unsupported number' }] : [],
          accountName: `Queue Co ${i} GmbH`,
          steps: [
            { subject: `Opening line ${i}`, body: 'Hi Dana,\n\nSaw the news. Worth a chat?' },
            { subject: `Zephyr follow-up ${i}`, body: 'Hi Dana, one more idea.' },
          ],
        }),
      );
    }
    rep = new Browserish(app.base);
    await rep.login(app.ws.users.rep.email, app.ws.users.rep.password);
    csrf = (await rep.page('/queue')).csrf!;
  });

  it('keeps the counts equal to a plain count through approve, reject, snooze, bulk, edit, restore and delete', async () => {
    await agree();
    expect((await counted(db(), app.ws.id, new Date())).total).toEqual({ '': 8 });
    const version = async (id: number) =>
      (await run<{ version: number }>(db(), { text: 'SELECT version FROM sequences WHERE id = $1', values: [id] }))[0]!
        .version;

    expect((await rep.post(`/drafts/${d[0]!.sequenceId}/approve`, { _csrf: csrf, version: '1' })).status).toBe(303);
    await agree();
    expect((await rep.post(`/drafts/${d[1]!.sequenceId}/reject`, { _csrf: csrf, reason: 'wrong person' })).status).toBe(
      303,
    );
    await agree();
    expect((await rep.post(`/drafts/${d[2]!.sequenceId}/snooze`, { _csrf: csrf, days: '2' })).status).toBe(303);
    await agree();
    const bulk = await rep.post('/queue/approve', {
      _csrf: csrf,
      ids: `${d[3]!.sequenceId}:1`,
      confirm: 'yes',
    });
    const listed = (await bulk.text()).replace(/\s+/g, ' ');
    expect(listed).toContain(`#${d[3]!.sequenceId}</a> approved`);
    expect(listed).not.toContain('not approved');
    await agree();
    expect((await counted(db(), app.ws.id, new Date())).total).toEqual({ '': 4 });

    // An edit and a restore re-run the gates: the flag (and its counter row) follows the text.
    const edit = await rep.post(`/drafts/${d[6]!.sequenceId}/edit`, {
      _csrf: csrf,
      version: String(await version(d[6]!.sequenceId)),
      positions: '0',
      subject_0: 'A shorter opener',
      body_0: 'Hi Dana,\n\nSaw the round. Worth a chat?',
    });
    expect(edit.status).toBeLessThan(400);
    await agree();
    // Restores a version of the drafter's shape (the builder's version 1 has no cited facts).
    await run(db(), {
      text: `INSERT INTO draft_versions (sequence_id, version, source, steps) VALUES ($1, 50, 'llm', $2)`,
      values: [
        d[6]!.sequenceId,
        JSON.stringify([{ subject: 'Opening line 6', body: 'Hi Dana, 42% more?', citedFactIds: [] }]),
      ],
    });
    await restoreDraftVersion(db(), d[6]!.sequenceId, 50, app.ws.users.rep.id);
    await agree();

    await run(db(), { text: 'DELETE FROM sequence_steps WHERE sequence_id = $1', values: [d[7]!.sequenceId] });
    await run(db(), { text: 'DELETE FROM draft_versions WHERE sequence_id = $1', values: [d[7]!.sequenceId] });
    await run(db(), { text: 'DELETE FROM sequences WHERE id = $1', values: [d[7]!.sequenceId] });
    await agree();
    expect((await counted(db(), app.ws.id, new Date())).total).toEqual({ '': 3 });
  });

  it('writes nothing on GET; a snoozed draft whose time has come shows after the maintenance tick', async () => {
    const snoozed = d[2]!.sequenceId;
    // Its time has come (as if two days passed): the page still only reads.
    await run(db(), {
      text: `UPDATE sequences SET snoozed_until = now() - interval '1 minute' WHERE id = $1 AND status = 'snoozed'`,
      values: [snoozed],
    });
    const before = await snapshot(db());
    for (const path of [
      '/queue',
      '/queue?q=queue+co&type=news',
      '/queue?age=7d&flagged=1',
      `/drafts/${d[4]!.sequenceId}`,
      '/queue/steps',
    ]) {
      const res = await rep.fetch(path);
      expect(res.status, path).toBe(200);
      await res.text();
    }
    expect((await rep.fetch('/queue/next')).status).toBe(303);
    expect((await rep.fetch('/api/queue', { headers: { accept: 'application/json' } })).status).toBe(200);
    expect(await snapshot(db())).toEqual(before);
    expect(idsOn((await rep.page('/queue')).html)).not.toContain(snoozed);

    await tick(db());
    expect(idsOn((await rep.page('/queue')).html)).toContain(snoozed);
    await agree();
  });

  it('finds a draft by part of its company, contact, signal or any subject, in any case, and follows renames', async () => {
    const target = d[4]!;
    const search = async (q: string) => idsOn((await rep.page(`/queue?q=${encodeURIComponent(q)}`)).html);
    expect(await search('co 4 gm')).toEqual([target.sequenceId]);
    expect(await search('QUEUE CO 4')).toEqual([target.sequenceId]);
    expect(await search('zephyr follow-up 4')).toEqual([target.sequenceId]);
    expect(await search('zephyr')).toEqual(
      expect.arrayContaining([d[2]!.sequenceId, target.sequenceId, d[5]!.sequenceId]),
    );
    const contact = (
      await run<{ email: string }>(db(), {
        text: 'SELECT email FROM contacts WHERE id = $1',
        values: [target.contactId],
      })
    )[0]!.email;
    expect(await search(contact.slice(2, 14).toUpperCase())).toEqual([target.sequenceId]);
    // Fields are not run together: the end of the company and the start of the contact do not match.
    expect(await search('GmbH Dana')).toEqual([]);

    await run(db(), {
      text: `UPDATE accounts SET name = 'Quokka Analytics' WHERE id = $1`,
      values: [target.accountId],
    });
    await run(db(), {
      text: `UPDATE contacts SET first_name = 'Ximena', last_name = 'Quarles' WHERE id = $1`,
      values: [target.contactId],
    });
    await run(db(), {
      text: `UPDATE signals SET title = 'Wombat Labs opens Lisbon office' WHERE id = $1`,
      values: [target.signalId],
    });
    await run(db(), {
      text: `UPDATE sequence_steps SET subject = 'About Lisbon' WHERE sequence_id = $1 AND position = 1`,
      values: [target.sequenceId],
    });
    expect(await search('queue co 4')).toEqual([]);
    for (const q of ['okka analy', 'mena quarl', 'lisbon off', 'about lis'])
      expect(await search(q), q).toEqual([target.sequenceId]);
    expect(await search('zephyr follow-up 4')).toEqual([]);
    // A removed step's subject is no longer found.
    expect(await search('zephyr follow-up 5')).toEqual([d[5]!.sequenceId]);
    await run(db(), {
      text: 'DELETE FROM sequence_steps WHERE sequence_id = $1 AND position = 1',
      values: [d[5]!.sequenceId],
    });
    expect(await search('zephyr follow-up 5')).toEqual([]);
    const counts = (await rep.page('/queue?q=quokka')).html;
    expect(counts).toMatch(/1 draft\s+waiting/);
  });
});
