// The funnel filtered by CRM fields that were mapped (issue 14), on both backends against the fake
// HubSpot driven by the real client: RevOps maps segment and industry on Settings → CRM, the sync in
// stores them on the accounts it links, the dashboard offers a select per field with the values
// stored, and the funnel (page, CSV) counts only the signals on accounts holding the chosen values; a
// value changed in the CRM moves the account at the next sync.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectWithToken } from '../../crm/connection.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { describeEachBackend } from '../support/db.js';
import { startFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.js';
import { Browserish, useWebApp } from '../support/web.js';
import { buildSequence } from '../sequencing/builders.js';

const text = (h: string) => h.replace(/\s+/g, ' ');

describeEachBackend('funnel filtered by mapped CRM fields', (get) => {
  let hs: FakeHubSpot;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    hs = await startFakeHubSpot();
    env.HUBSPOT_API_URL = hs.url;
  });
  const app = useWebApp(get, env);
  let manager: Browserish;
  let revops: Browserish;
  beforeAll(async () => {
    manager = new Browserish(app.base);
    await manager.login(app.ws.users.manager.email, app.ws.users.manager.password);
    revops = new Browserish(app.base);
    await revops.login(app.ws.users.revops.email, app.ws.users.revops.password);
  });
  afterAll(async () => {
    await hs?.close();
  });

  /** The funnel's total row: stage → count. */
  const totals = async (query: string) => {
    const { res, html } = await manager.page(`/dashboard${query}`);
    expect(res.status).toBe(200);
    const total = /<tr class="total"[^>]*>([\s\S]*?)<\/tr>/.exec(html)![1]!;
    const n = (stage: string) =>
      Number(new RegExp(`data-stage="${stage}">\\s*<span class="n">(\\d+)`).exec(total)?.[1] ?? 'NaN');
    return { signals: n('signals'), drafted: n('drafted'), sent: n('sent'), html: text(html) };
  };

  it('maps segment and industry, stores them at sync, and the funnel counts only the chosen accounts', async () => {
    const db = app.ctx.db;
    // Three accounts we already work, each with one signal drafted and sent.
    for (const domain of ['acme.example', 'beta.example', 'gamma.example']) {
      const s = await buildSequence(db, {
        workspaceId: app.ws.id,
        ownerId: app.ws.users.rep.id,
        email: `dana@${domain}`,
      });
      const sig = (await one<{ id: number }>(db, {
        text: `INSERT INTO signals (workspace_id, type, title, fingerprint, account_id, detected_at)
               VALUES ($1, 'funding', 'Raised', $2, $3, now() - interval '1 hour') RETURNING id`,
        values: [app.ws.id, `fp-${domain}`, s.accountId],
      }))!;
      await run(db, {
        text: `UPDATE sequences SET signal_id = $2, status = 'active', approved_at = now() WHERE id = $1`,
        values: [s.sequenceId, sig.id],
      });
      await run(db, {
        text: `INSERT INTO events (workspace_id, type, sequence_id, step_id, occurred_at)
               VALUES ($1, 'sent', $2, $3, now() - interval '30 minutes')`,
        values: [app.ws.id, s.sequenceId, s.stepIds[0]],
      });
    }
    const acme = hs.create('companies', {
      name: 'Acme',
      domain: 'acme.example',
      customer_segment: 'Enterprise',
      industry: 'Software',
    });
    hs.create('companies', { name: 'Beta', domain: 'beta.example', customer_segment: 'SMB', industry: 'Software' });
    hs.create('companies', { name: 'Gamma', domain: 'gamma.example', customer_segment: '', industry: 'Retail' });
    await connectWithToken(app.ctx, {
      workspaceId: app.ws.id,
      userId: app.ws.users.admin.id,
      kind: 'hubspot',
      token: hs.addPrivateToken(),
    });

    // Nothing mapped yet: no CRM select on the dashboard.
    const before = await totals('');
    expect(before).toMatchObject({ signals: 3, drafted: 3, sent: 3 });
    expect(before.html).not.toContain('name="segment"');

    const { csrf } = await revops.page('/settings/crm');
    const saved = await revops.post('/settings/crm/settings', {
      _csrf: csrf!,
      'company.name': 'name',
      'company.domain': 'domain',
      'company.segment': 'customer_segment',
      'company.industry': 'industry',
      'filter.type': 'all',
      action: 'save',
    });
    expect(saved.status).toBe(303);
    const r = await syncIn(app.ctx, app.ws.id);
    expect(r.summary.companies).toMatchObject({ read: 3, updated: 3, created: 0 });

    const all = await totals('');
    expect(all).toMatchObject({ signals: 3, drafted: 3, sent: 3 });
    expect(all.html).toMatch(/<option value="Enterprise"\s*>\s*Enterprise \(1 accounts\)/);
    expect(all.html).toMatch(/<option value="Software"\s*>\s*Software \(2 accounts\)/);
    expect(all.html).toMatch(/<option value="Retail"\s*>\s*Retail \(1 accounts\)/);
    expect(all.html).not.toContain('crm-filter-note');

    const enterprise = await totals('?segment=Enterprise');
    expect(enterprise).toMatchObject({ signals: 1, drafted: 1, sent: 1 });
    expect(enterprise.html).toMatch(/<option value="Enterprise"\s+selected\s*>/);
    expect(enterprise.html).toContain('count only signals on accounts whose CRM segment is Enterprise.');
    expect(await totals('?industry=Software')).toMatchObject({ signals: 2, drafted: 2, sent: 2 });
    expect(await totals('?industry=Software&segment=SMB')).toMatchObject({ signals: 1, sent: 1 });
    expect(await totals('?industry=Mining')).toMatchObject({ signals: 0, drafted: 0 });

    const csv = await manager.fetch('/dashboard.csv?industry=Software&dim=signal_type');
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines.find((l) => l.startsWith('funding'))).toMatch(/^funding,2,2,2,2,/);

    // The CRM moves Acme to SMB: the next (incremental) sync moves its signal with it.
    hs.update('companies', acme.id, { customer_segment: 'SMB' });
    const again = await syncIn(app.ctx, app.ws.id);
    expect(again.summary.companies).toMatchObject({ updated: 1, created: 0 });
    expect(await totals('?segment=SMB')).toMatchObject({ signals: 2, sent: 2 });
    expect(await totals('?segment=Enterprise')).toMatchObject({ signals: 0 });
  });
});
