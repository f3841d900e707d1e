// Reps act on what they own; RevOps and admins on all (both backends): a rep cannot enroll
// another rep's contacts through a play, and the demo's "send due steps now" sends a rep's own
// sequences only.
import { expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { listPlays } from '../../db/queries/plays.js';
import { seedDefaultPlays } from '../../plays/service.js';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { addUser } from '../../review-ui/auth/users.js';
import { approveSequence } from '../../sequencing/approve.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';
import { ALWAYS, buildSequence, stepRows } from '../sequencing/builders.js';

describeEachBackend('authorization gaps', (get) => {
  const app = useWebApp(get);
  const q = <T = { id: number }>(text: string, values: unknown[]) => one<T>(app.ctx.db, { text, values });
  const secondRep = async () =>
    (
      await addUser(app.ctx.db, {
        workspaceId: app.ws.id,
        email: `rep2-${Math.random().toString(36).slice(2, 8)}@test.example`,
        role: 'rep',
      })
    ).user;

  it("refuses a rep enrolling another rep's contact through a play, and allows their own", async () => {
    const { ctx, ws } = app;
    await seedDefaultPlays(ctx.db, ws.id);
    const play = (await run(ctx.db, listPlays(ws.id)))[0]!;
    await q('UPDATE plays SET enabled = true WHERE id = $1', [play.id]);
    const other = await secondRep();
    const contactAt = async (ownerId: number | null, tag: string) => {
      const a = (await q(
        `INSERT INTO accounts (workspace_id, name, domain, owner_id) VALUES ($1, $2, $3, $4) RETURNING id`,
        [ws.id, `Enroll ${tag}`, `enroll-${tag}.example`, ownerId],
      ))!;
      return (await q(
        `INSERT INTO contacts (workspace_id, account_id, first_name, email) VALUES ($1, $2, 'Pat', $3) RETURNING id`,
        [ws.id, a.id, `pat@enroll-${tag}.example`],
      ))!.id;
    };
    const theirs = await contactAt(other.id, 'theirs');
    const mine = await contactAt(ws.users.rep.id, 'mine');
    const token = await createApiToken(ctx.db, ws.users.rep.id, 'enroll');
    const enroll = (contactIds: number[], t = token) =>
      fetch(`${app.base}/api/plays/${play.id}/enroll`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contactIds }),
      });
    const refused = await enroll([mine, theirs]);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toMatch(/another rep owns/);
    expect((await enroll([mine])).status).toBeLessThan(300);

    const b = new Browserish(app.base);
    await b.login(ws.users.rep.email, ws.users.rep.password);
    const { csrf } = await b.page(`/plays/${play.id}`);
    const form = await b.post(`/plays/${play.id}/enroll`, { _csrf: csrf!, emails: 'pat@enroll-theirs.example' });
    expect(form.status).toBe(403);
    const revops = await createApiToken(ctx.db, ws.users.revops.id, 'enroll-revops');
    expect((await enroll([theirs], revops)).status).toBeLessThan(300);
  });

  it("sends a rep's own due steps only; an admin's send-now sends everyone's", async () => {
    const { ctx, ws } = app;
    await q(`UPDATE workspaces SET settings = settings || '{"demo": true}'::jsonb WHERE id = $1`, [ws.id]);
    const other = await secondRep();
    const build = async (ownerId: number) => {
      const s = await buildSequence(get().db, {
        workspaceId: ws.id,
        ownerId,
        window: ALWAYS,
        fallback: null,
        steps: [{ delayDays: 0 }],
      });
      await approveSequence(ctx, { sequenceId: s.sequenceId, userId: ownerId, random: () => 0 });
      return s;
    };
    const mine = await build(ws.users.rep.id);
    const theirs = await build(other.id);
    const sendNow = async (who: { email: string; password: string }) => {
      const b = new Browserish(app.base);
      await b.login(who.email, who.password);
      const { csrf } = await b.page('/outbox');
      const r = await b.fetch('/api/outbox/send-now', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf! },
        body: '{}',
      });
      expect(r.status).toBe(200);
      return (await r.json()) as { sent: number };
    };
    expect((await sendNow(ws.users.rep)).sent).toBe(1);
    expect((await stepRows(ctx.db, mine.sequenceId)).map((s) => s.status)).toEqual(['sent']);
    expect((await stepRows(ctx.db, theirs.sequenceId)).map((s) => s.status)).toEqual(['scheduled']);
    expect((await sendNow(ws.users.admin)).sent).toBe(1);
    expect((await stepRows(ctx.db, theirs.sequenceId)).map((s) => s.status)).toEqual(['sent']);
  });
});
