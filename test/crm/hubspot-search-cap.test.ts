// HubSpot's CRM search returns at most 10,000 results for one query; paging past them answers 400.
// The fake enforces a small cap (250) on 700 companies; the sync must restart its search from the
// newest modified time it read (GTE, ascending), skipping the ids it already read at that time, and
// read every company exactly once. Records sharing one modified time sit across each restart point.
// Both ways are covered, on PostgreSQL and PGlite, against the real client:
// - the configured limit (HUBSPOT_SEARCH_LIMIT=250) restarts before the cap is reached, no 400;
// - with the default limit (10,000) the fake's lower cap answers 400, and the sync restarts then.
// Also a full sync through a target-account property filter (a search without a time filter).
import { afterAll, expect, it } from 'vitest';
import type { AppContext, RunningContext } from '../../context.js';
import { connectWithToken } from '../../crm/connection.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { saveCrmSettings } from '../../db/queries/crm.js';
import { buildWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.js';

const CAP = 250;
const N = 700;

describeEachBackend('HubSpot search cap: the sync restarts its search by modified time', (get) => {
  const opened: { ctx: RunningContext; hs: FakeHubSpot }[] = [];
  afterAll(async () => {
    for (const o of opened) {
      await o.ctx.stop();
      await o.hs.close();
    }
  });

  /** A workspace connected to its own fake HubSpot (search cap 250), with `env` for the config. */
  async function setup(env: Record<string, string>) {
    const hs = await startFakeHubSpot();
    hs.searchCap = CAP;
    const ctx = await createTestContext(get(), { HUBSPOT_API_URL: hs.url, ...env });
    opened.push({ ctx, hs });
    const ws = await buildWorkspace(ctx.db);
    await connectWithToken(ctx, {
      workspaceId: ws.id,
      userId: ws.users.admin.id,
      kind: 'hubspot',
      token: hs.addPrivateToken(),
    });
    return { hs, ctx, ws };
  }

  /** `n` companies; each run of `cluster` companies around every 50th shares one modified time. */
  function companies(hs: FakeHubSpot, tag: string, n: number, props: Record<string, string> = {}) {
    const made = Array.from({ length: n }, (_, i) =>
      hs.create('companies', { name: `Cap ${tag} ${i}`, domain: `c${i}.${tag}.test`, ...props }),
    );
    for (let i = 45; i + 10 < n; i += 50) {
      const at = made[i]!.properties.hs_lastmodifieddate!;
      for (const r of made.slice(i, i + 10)) r.properties.hs_lastmodifieddate = at;
    }
    return made;
  }

  const accounts = async (ctx: AppContext, workspaceId: number, tag: string) =>
    (await one<{ n: number; distinct: number }>(ctx.db, {
      text: `SELECT count(*)::int AS n, count(DISTINCT x.external_id)::int AS distinct
               FROM accounts a JOIN crm_external_ids x ON x.workspace_id = a.workspace_id AND x.object = 'company' AND x.local_id = a.id
              WHERE a.workspace_id = $1 AND a.domain LIKE $2`,
      values: [workspaceId, `%.${tag}.test`],
    }))!;

  const restarts = (hs: FakeHubSpot) =>
    new Set(
      hs.searches
        .filter((s) => s.type === 'companies')
        .map((s) => s.filters.find((f) => f.propertyName === 'hs_lastmodifieddate' && f.operator === 'GTE')?.value),
    ).size;

  it('incremental sync over 700 changed companies, limit configured below the cap: every company once, no 400', async () => {
    const { hs, ctx, ws } = await setup({ HUBSPOT_SEARCH_LIMIT: String(CAP) });
    companies(hs, 'seed', 1);
    expect((await syncIn(ctx, ws.id)).status).toBe('done'); // the full sync sets the cursor
    companies(hs, 'inc', N);
    const r = await syncIn(ctx, ws.id);
    expect(r.error).toBeNull();
    expect(r.status).toBe('done');
    // N and the seed: the cursor's time is the seed's, and the search reads from it inclusive (GTE).
    expect(r.summary.companies.read).toBe(N + 1);
    expect(r.summary.companies.created).toBe(N);
    expect(await accounts(ctx, ws.id, 'inc')).toEqual({ n: N, distinct: N });
    expect(hs.requests.filter((q) => q.status === 400)).toEqual([]);
    expect(restarts(hs)).toBeGreaterThanOrEqual(Math.ceil(N / CAP));
    // Nothing changed since: the next run reads nothing new and creates nothing.
    const again = await syncIn(ctx, ws.id);
    expect(again.summary.companies.created).toBe(0);
  });

  it('with the default limit, the fake’s lower cap answers 400 and the sync restarts there: every company once', async () => {
    const { hs, ctx, ws } = await setup({});
    companies(hs, 'seed', 1);
    await syncIn(ctx, ws.id);
    companies(hs, 'lost', N);
    const r = await syncIn(ctx, ws.id);
    expect(r.error).toBeNull();
    expect(r.summary.companies.read).toBe(N + 1);
    expect(r.summary.companies.created).toBe(N);
    expect(await accounts(ctx, ws.id, 'lost')).toEqual({ n: N, distinct: N });
    expect(hs.requests.filter((q) => q.status === 400).length).toBeGreaterThanOrEqual(2);
  });

  it('a full sync through a target-account property filter (a search without a time filter) reads every company once', async () => {
    const { hs, ctx, ws } = await setup({ HUBSPOT_SEARCH_LIMIT: String(CAP) });
    await run(
      ctx.db,
      saveCrmSettings({
        workspaceId: ws.id,
        mapping: {},
        targetFilter: { type: 'property', property: 'target_account', value: 'true' },
        rules: {},
        createContacts: false,
      }),
    );
    companies(hs, 'full', N, { target_account: 'true' });
    companies(hs, 'other', 20, { target_account: 'false' });
    const r = await syncIn(ctx, ws.id, { full: true });
    expect(r.error).toBeNull();
    expect(r.summary.companies.read).toBe(N);
    expect(await accounts(ctx, ws.id, 'full')).toEqual({ n: N, distinct: N });
    expect(await accounts(ctx, ws.id, 'other')).toEqual({ n: 0, distinct: 0 });
    expect(hs.requests.filter((q) => q.status === 400)).toEqual([]);
  });
});
