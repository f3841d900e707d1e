// The outbox over HTTP: a sent message shown from its stored MIME (escaped), who may see it,
// "simulate reply" through the inbound path, and the demo-only "send due steps now".
import { afterAll, beforeAll, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { approveSequence } from '../../sequencing/approve.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';
import { ALWAYS, buildSequence, stepRows } from '../sequencing/builders.js';

describeEachBackend('outbox', (get) => {
  let ctx: Awaited<ReturnType<typeof createTestContext>>;
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  let transports: TransportPool;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    web = await listen(ctx);
    ws = await buildWorkspace(get().db);
    transports = new TransportPool(transportDeps(ctx));
  });
  afterAll(async () => {
    await transports.close();
    await web.close();
    await ctx.stop();
  });

  const as = async (role: 'rep' | 'manager' | 'admin') => {
    const b = new Browserish(web.base);
    await b.login(ws.users[role].email, ws.users[role].password);
    return b;
  };
  /** A closed window: only the weekday two days from now (Luxon numbering, Mon = 1), so now is never inside it. */
  const closed = () => ({ days: [(((new Date().getUTCDay() || 7) + 1) % 7) + 1], start: '00:00', end: '00:30' });

  it('shows the sent message from its MIME, escaped; other reps may not open it; a simulated reply stops the sequence', async () => {
    const b0 = await buildSequence(get().db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      window: ALWAYS,
      fallback: null,
      steps: [
        {
          delayDays: 0,
          subject: 'Hello <script>alert(1)</script>',
          body: 'Hi Dana,\n\n<img src=x onerror=alert(1)> and "quotes".',
        },
        { delayDays: 3 },
      ],
    });
    await approveSequence(ctx, { sequenceId: b0.sequenceId, userId: ws.users.rep.id, random: () => 0 });
    await ctx.db.query(`UPDATE sequence_steps SET scheduled_at = now() WHERE id = $1`, [b0.stepIds[0]]);
    expect((await sendStep(ctx, b0.stepIds[0]!, { transports })).status).toBe('sent');
    const msg = (await one<{ id: number }>(ctx.db, {
      text: `SELECT id FROM messages WHERE step_id = $1 AND direction = 'out'`,
      values: [b0.stepIds[0]],
    }))!;

    const rep = await as('rep');
    const list = await rep.page('/outbox');
    expect(list.html).toContain('Hello &lt;script&gt;');
    expect(list.html).not.toContain('Demo controls'); // not a demo workspace
    const view = await rep.page(`/outbox/${msg.id}`);
    expect(view.res.status).toBe(200);
    expect(view.html).toMatch(/<dt>Message-ID<\/dt>\s*<dd>&lt;prospector\./);
    expect(view.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(view.html).not.toContain('<img src=x');
    expect(view.html).not.toContain('<script>alert');

    // Another rep's message is not theirs to read.
    const other = await buildWorkspace(get().db);
    await ctx.db.query(`UPDATE users SET workspace_id = $1 WHERE id = $2`, [ws.id, other.users.rep.id]);
    const stranger = new Browserish(web.base);
    await stranger.login(other.users.rep.email, other.users.rep.password);
    expect((await stranger.page(`/outbox/${msg.id}`)).res.status).toBe(403);
    const manager = await as('manager');
    const mv = await manager.page(`/outbox/${msg.id}`);
    expect(mv.res.status).toBe(200);
    expect(mv.html).not.toContain('Simulate a reply'); // managers read, they do not act

    const res = await rep.post(`/outbox/${msg.id}/simulate-reply`, {
      _csrf: view.csrf!,
      body: 'Yes, <b>Tuesday</b> works.',
    });
    expect(res.status).toBe(303);
    expect(
      await one<{ status: string; stop_reason: string }>(ctx.db, {
        text: 'SELECT status, stop_reason FROM sequences WHERE id = $1',
        values: [b0.sequenceId],
      }),
    ).toMatchObject({ status: 'stopped', stop_reason: 'replied' });
    expect((await stepRows(ctx.db, b0.sequenceId)).map((s) => s.status)).toEqual(['sent', 'cancelled']);
    const after = await rep.page(`/outbox/${msg.id}`);
    expect(after.html).toContain('Yes, &lt;b&gt;Tuesday&lt;/b&gt; works.');
  });

  it('"send due steps now" exists only in a demo workspace; there it ignores the window but nothing else', async () => {
    const rep = await as('rep');
    const { csrf } = await rep.page('/outbox');
    expect((await rep.post('/outbox/send-now', { _csrf: csrf! })).status).toBe(403);

    await ctx.db.query(`UPDATE workspaces SET settings = settings || '{"demo": true}'::jsonb WHERE id = $1`, [ws.id]);
    const open = await buildSequence(get().db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      window: closed(),
      fallback: null,
      steps: [{ delayDays: 0 }, { delayDays: 3 }],
    });
    const gone = await buildSequence(get().db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      window: closed(),
      fallback: null,
      steps: [{ delayDays: 0 }],
    });
    for (const b of [open, gone])
      await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, random: () => 0 });
    await ctx.db.query(`UPDATE contacts SET status = 'unsubscribed' WHERE id = $1`, [gone.contactId]);

    const page = await rep.page('/outbox');
    expect(page.html).toContain('Send due steps now (demo: window ignored)');
    const r = await rep.fetch('/api/outbox/send-now', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': page.csrf! },
      body: '{}',
    });
    const out = (await r.json()) as { sent: number; waiting: { stepId: number; status: string }[] };
    expect(out.sent).toBe(1);
    expect(out.waiting).toEqual([{ stepId: gone.stepIds[0], status: 'stopped', why: expect.any(String) }]);
    expect((await stepRows(ctx.db, open.sequenceId)).map((s) => s.status)).toEqual(['sent', 'scheduled']); // only the next step
    expect((await stepRows(ctx.db, gone.sequenceId)).map((s) => s.status)).toEqual(['cancelled']);
    // The sequence is back on its own template: its follow-up waits for the (closed) window again.
    const own = await one<{ template_id: number; name: string }>(ctx.db, {
      text: `SELECT s.template_id, t.name FROM sequences s JOIN sequence_templates t ON t.id = s.template_id WHERE s.id = $1`,
      values: [open.sequenceId],
    });
    expect(own!.name).not.toContain('Demo: send now');
    const follow = (await stepRows(ctx.db, open.sequenceId))[1]!;
    await ctx.db.query(`UPDATE sequence_steps SET scheduled_at = now() WHERE id = $1`, [follow.id]);
    expect(await sendStep(ctx, follow.id, { transports })).toMatchObject({
      status: 'deferred',
      reason: 'outside the sending window',
    });
    // The page says why each step could not go, and when a deferred one is expected.
    const flash = await rep.page(`/outbox?sent=1&waiting=${gone.stepIds[0]},${follow.id}`);
    expect(flash.html).toContain('2 could not go yet:');
    expect(flash.html).toMatch(/step 1: cancelled: contact unsubscribed/);
    expect(flash.html).toMatch(/step 2: outside the sending window; expected\s+\w/);
    expect(flash.html).not.toMatch(/expected\s+\d{4}-\d{2}-\d{2}T/);
    const again = (await (
      await rep.fetch('/api/outbox/send-now', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': page.csrf! },
        body: '{}',
      })
    ).json()) as { sent: number };
    expect(again.sent).toBe(1); // the follow-up, now the next step; never the opener twice
    expect(
      (await one<{ n: number }>(ctx.db, {
        text: `SELECT count(*)::int AS n FROM messages WHERE direction = 'out' AND sequence_id = $1`,
        values: [open.sequenceId],
      }))!.n,
    ).toBe(2);
  });
});
