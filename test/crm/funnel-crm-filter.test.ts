// The funnel filtered by CRM fields that were mapped (issue 14), on both backends against the fake
// HubSpot driven by the real client: RevOps maps segment and industry on Settings → CRM, the sync in
// stores them on the accounts it links, the dashboard offers a select per field with the values
// stored, and the funnel (page, CSV) counts only the signals on accounts holding the chosen values; a
// value changed in the CRM moves the account at the next sync. Every other section of the dashboard
// (replies per step, speed per rep, approval per step, edits per prompt version, hold-out lift)
// counts under the same filter.
import { expect, it } from 'vitest';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';
import { buildSequence } from '../sequencing/builders.js';

const text = (h: string) => h.replace(/\s+/g, ' ');

describeEachBackend('funnel filtered by mapped CRM fields', (get) => {
  const app = useCrmApp(get, { hubspot: true, login: ['manager', 'revops'] });

  /** The funnel's total row: stage → count. */
  const totals = async (query: string) => {
    const { res, html } = await app.as.manager.page(`/dashboard${query}`);
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
    const acme = app.hs.create('companies', {
      name: 'Acme',
      domain: 'acme.example',
      customer_segment: 'Enterprise',
      industry: 'Software',
    });
    app.hs.create('companies', { name: 'Beta', domain: 'beta.example', customer_segment: 'SMB', industry: 'Software' });
    app.hs.create('companies', { name: 'Gamma', domain: 'gamma.example', customer_segment: '', industry: 'Retail' });
    await app.connectHubSpot();

    // Nothing mapped yet: no CRM select on the dashboard.
    const before = await totals('');
    expect(before).toMatchObject({ signals: 3, drafted: 3, sent: 3 });
    expect(before.html).not.toContain('name="segment"');

    const { csrf } = await app.as.revops.page('/settings/crm');
    const saved = await app.as.revops.post('/settings/crm/settings', {
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
    expect(enterprise.html).toContain(
      'Every section below counts only signals and sequences on accounts whose CRM segment is Enterprise.',
    );
    expect(await totals('?industry=Software')).toMatchObject({ signals: 2, drafted: 2, sent: 2 });
    expect(await totals('?industry=Software&segment=SMB')).toMatchObject({ signals: 1, sent: 1 });
    expect(await totals('?industry=Mining')).toMatchObject({ signals: 0, drafted: 0 });

    const csv = await app.as.manager.fetch('/dashboard.csv?industry=Software&dim=signal_type');
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines.find((l) => l.startsWith('funding'))).toMatch(/^funding,2,2,2,2,/);

    // The CRM moves Acme to SMB: the next (incremental) sync moves its signal with it.
    app.hs.update('companies', acme.id, { customer_segment: 'SMB' });
    const again = await syncIn(app.ctx, app.ws.id);
    expect(again.summary.companies).toMatchObject({ updated: 1, created: 0 });
    expect(await totals('?segment=SMB')).toMatchObject({ signals: 2, sent: 2 });
    expect(await totals('?segment=Enterprise')).toMatchObject({ signals: 0 });
  });

  /** The dashboard's section with this heading id, whitespace collapsed. */
  const section = (html: string, headingId: string) => {
    const at = html.indexOf(`aria-labelledby="${headingId}"`);
    expect(at).toBeGreaterThan(-1);
    return html.slice(at, html.indexOf('</section>', at));
  };
  const strip = (h: string) => h.replace(/<[^>]*>/g, '').trim();
  /** A table's body rows, each as its cells' text. */
  const bodyRows = (h: string) =>
    [...(/<tbody>([\s\S]*?)<\/tbody>/.exec(h)?.[1] ?? '').matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
      [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => strip(c[1]!)),
    );
  /** What the dashboard's other sections count, for a query string. */
  const sections = async (query: string) => {
    const { res, html } = await app.as.manager.page(`/dashboard${query}`);
    expect(res.status).toBe(200);
    const h = text(html);
    const bars = [...section(h, 'steps-h').matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) => strip(m[1]!));
    const step1 = bars[bars.indexOf('Step 1') + 1] ?? '';
    return {
      step1Replies: Number(/^(\d+) ·/.exec(step1)?.[1] ?? 'NaN'),
      step1Sent: Number(/of (\d+) sent/.exec(step1)?.[1] ?? 'NaN'),
      repApproved: bodyRows(section(h, 'lat-h')).map((r) => Number(r[1])),
      openersApproved: Number(bodyRows(section(h, 'step-approval-h'))[0]?.[1] ?? 'NaN'),
      editedSequences: bodyRows(section(h, 'edit-h')).reduce((n, r) => n + Number(r[3]), 0),
      lift: bodyRows(section(h, 'lift-h')).map((r) => r[2]),
    };
  };

  it('filters replies per step, speed, approval per step, edits and the hold-out lift the same way', async () => {
    const db = app.ctx.db;
    // The three sequences above; Acme and Beta are Software, Gamma Retail (segments: SMB, SMB, none).
    const seqs = await run<{ id: number; domain: string }>(db, {
      text: `SELECT q.id::int AS id, a.domain FROM sequences q JOIN accounts a ON a.id = q.account_id
              WHERE q.workspace_id = $1 ORDER BY a.domain`,
      values: [app.ws.id],
    });
    expect(seqs.map((q) => q.domain)).toEqual(['acme.example', 'beta.example', 'gamma.example']);
    const play = (await one<{ id: number }>(db, {
      text: `INSERT INTO plays (workspace_id, name, trigger) VALUES ($1, 'Funding play', '{}') RETURNING id::int AS id`,
      values: [app.ws.id],
    }))!.id;
    const arms = ['treated', 'holdout', 'treated'];
    for (const [i, q] of seqs.entries()) {
      // The opener approved by the rep after an edit; the sequence on the play, in an arm.
      await run(db, {
        text: `UPDATE sequence_steps SET approved_at = now(), approved_by = $2,
                      drafted_subject = subject, drafted_body = body || ' (as drafted)'
                WHERE sequence_id = $1 AND position = 0`,
        values: [q.id, app.ws.users.rep.id],
      });
      await run(db, {
        text: `UPDATE sequences SET play_id = $2, arm = $3 WHERE id = $1`,
        values: [q.id, play, arms[i]],
      });
    }
    // Acme and Gamma replied to the opener.
    for (const q of [seqs[0]!, seqs[2]!])
      await run(db, {
        text: `INSERT INTO events (workspace_id, type, sequence_id, occurred_at) VALUES ($1, 'reply', $2, now() - interval '10 minutes')`,
        values: [app.ws.id, q.id],
      });

    expect(await sections('')).toEqual({
      step1Replies: 2,
      step1Sent: 3,
      repApproved: [3],
      openersApproved: 3,
      editedSequences: 3,
      lift: ['2 / 1'],
    });
    expect(await sections('?industry=Software')).toEqual({
      step1Replies: 1,
      step1Sent: 2,
      repApproved: [2],
      openersApproved: 2,
      editedSequences: 2,
      lift: ['1 / 1'],
    });
    expect(await sections('?industry=Retail')).toEqual({
      step1Replies: 1,
      step1Sent: 1,
      repApproved: [1],
      openersApproved: 1,
      editedSequences: 1,
      lift: ['1 / 0'],
    });
    const none = await sections('?industry=Mining');
    expect(none).toMatchObject({ repApproved: [], editedSequences: 0, lift: [] });
    expect(text((await app.as.manager.page('/dashboard?industry=Mining')).html)).toContain(
      'Nothing sent in this range.',
    );
  });
});
