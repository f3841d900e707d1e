// The dashboard's numbers (issue 20): the funnel counts every stage in signals (no "Drafted 200%"
// when one signal reaches two contacts), contacts per signal apart; replies per step name the
// opener "Step 1" with positions stored from 1, as drafting stores them. Both backends.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';
import { buildSequence } from '../sequencing/builders.js';

describeEachBackend('dashboard units and step numbers', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let srv: { base: string; close(): Promise<void> };
  let ws: TestWorkspace;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    srv = await listen(ctx);
    ws = await buildWorkspace(ctx.db);
  });
  afterAll(async () => {
    await srv?.close();
    await ctx?.stop();
  });

  it('one signal to two contacts: drafted 1 signal (100%), 2 sequences, 2.0 contacts per signal; the reply is to Step 1', async () => {
    const db = ctx.db;
    const a = await buildSequence(db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
    const b = await buildSequence(db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
    const sig = (await one<{ id: number }>(db, {
      text: `INSERT INTO signals (workspace_id, type, title, fingerprint, account_id, detected_at)
             VALUES ($1, 'funding', 'Raised', 'fp-units', $2, now() - interval '1 hour') RETURNING id`,
      values: [ws.id, a.accountId],
    }))!;
    for (const s of [a, b]) {
      await run(db, {
        text: `UPDATE sequences SET signal_id = $2, status = 'active', approved_at = now() WHERE id = $1`,
        values: [s.sequenceId, sig.id],
      });
      for (const shift of [100, -99])
        await run(db, {
          text: 'UPDATE sequence_steps SET position = position + $2 WHERE sequence_id = $1',
          values: [s.sequenceId, shift],
        });
      await run(db, {
        text: `INSERT INTO events (workspace_id, type, sequence_id, step_id, occurred_at)
               VALUES ($1, 'sent', $2, $3, now() - interval '30 minutes')`,
        values: [ws.id, s.sequenceId, s.stepIds[0]],
      });
    }
    await run(db, {
      text: `INSERT INTO events (workspace_id, type, sequence_id, occurred_at) VALUES ($1, 'reply', $2, now())`,
      values: [ws.id, a.sequenceId],
    });
    const manager = new Browserish(srv.base);
    await manager.login(ws.users.manager.email, ws.users.manager.password);
    const { html } = await manager.page('/dashboard');
    expect(html).toContain('Every stage counts <strong>signals</strong>');
    const total = /<tr class="total"[^>]*>([\s\S]*?)<\/tr>/.exec(html)![1]!;
    const n = (stage: string) => new RegExp(`data-stage="${stage}">\\s*<span class="n">(\\d+)`).exec(total)?.[1];
    expect([n('signals'), n('drafted'), n('sent'), n('replied')]).toEqual(['1', '1', '1', '1']);
    expect(total).toMatch(/data-stage="sequences">2</);
    expect(total).toMatch(/data-stage="contacts-per-signal">2\.0</);
    expect(html).not.toMatch(/\b(10[1-9]|1[1-9]\d|[2-9]\d\d|\d{4,})%/); // nothing above 100%
    expect(html).toContain('Step 1');
    expect(html).not.toContain('Step 2');
  });
});
