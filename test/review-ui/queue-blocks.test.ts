// The queue page's other blocks (needs a contact, steps back for approval) come from one statement
// beside the page's (issue 17 item 3); the returned steps use the workspace's stale-fact days as the
// same statement reads them, also right after the setting changed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';
import { buildReturnedStep } from '../step-approval/builders.js';

const hours = (h: number) => new Date(Date.now() + h * 3_600_000);
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describeEachBackend('queue page blocks', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let srv: { base: string; close(): Promise<void> };
  let ws: TestWorkspace;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    srv = await listen(ctx);
    ws = await buildWorkspace(ctx.db);
  });
  afterAll(async () => {
    await srv.close();
    await ctx.stop();
  });

  it('shows needs-a-contact and returned steps, counting unchanged steps with the current stale-fact days', async () => {
    const rep = new Browserish(srv.base);
    await rep.login(ws.users.rep.email, ws.users.rep.password);
    const queue = async () => text((await rep.page('/queue')).html);
    expect(await queue()).not.toContain('Steps back for approval');
    expect(await queue()).not.toContain('Needs a contact');

    const b = await buildReturnedStep(ctx, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      approvedAt: hours(-48),
      dueAt: hours(2),
    });
    // The step's cited facts were fetched 20 days ago: stale only when the workspace says 10 days.
    await ctx.db.query(`UPDATE facts SET fetched_at = now() - interval '20 days' WHERE id = ANY($1::bigint[])`, [
      b.factIds,
    ]);
    await ctx.db.query(`UPDATE sequence_steps SET cited_fact_ids = $2 WHERE id = $1`, [b.stepIds[1], b.factIds]);
    // On another account: a new signal on the step's account would be a change since approval.
    await ctx.db.query(
      `WITH a AS (INSERT INTO accounts (workspace_id, name, domain, owner_id) VALUES ($1, 'Lonely GmbH', 'lonely.example', $2)
                  RETURNING id)
       INSERT INTO signals (workspace_id, account_id, type, title, fingerprint, status, detected_at)
       SELECT $1, a.id, 'funding', 'Nobody to write to raises', 'fp-needs-contact', 'needs_contact', now() FROM a`,
      [ws.id, ws.users.rep.id],
    );
    const setStale = (days: number) =>
      ctx.db.query(
        `UPDATE workspaces SET settings = settings || jsonb_build_object('staleFactDays', $2::int) WHERE id = $1`,
        [ws.id, days],
      );

    let page = await queue();
    expect(page).toContain('Needs a contact (1)');
    expect(page).toContain('Nobody to write to raises');
    expect(page).toContain('Steps back for approval (1)');
    expect(page).toContain('1 with nothing changed since approval');

    await setStale(10);
    page = await queue();
    expect(page).toContain('Steps back for approval (1)');
    expect(page).not.toContain('nothing changed since approval');
    expect(await queue()).not.toContain('nothing changed since approval');

    await setStale(60);
    expect(await queue()).toContain('1 with nothing changed since approval');
  });
});
