// Upcoming sends over HTTP: every waiting step says why (mailbox paused, window, daily cap, an
// earlier step, sequence paused) and when it is expected; filters per rep and per mailbox; the week
// grid; reschedule (never before the step ahead) and skip (audited, later steps planned again),
// only by who may act. The draft page shows the same reasons.
import { expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';
import { ALWAYS, buildSequence } from '../sequencing/builders.js';

const HOUR = 3_600_000;

describeEachBackend('upcoming sends', (get) => {
  const s = useWebApp(get);
  const as = async (role: 'rep' | 'revops' | 'manager' | 'admin') => {
    const b = new Browserish(s.base);
    await b.login(s.ws.users[role].email, s.ws.users[role].password);
    return b;
  };
  const exec = (text: string, values: unknown[]) => run(s.ctx.db, { text, values });
  /** An active sequence of three steps: the first due `firstInHours` from now, the others a day apart. */
  const active = async (spec: Partial<Parameters<typeof buildSequence>[1]> = {}, firstInHours = -1) => {
    const b = await buildSequence(s.ctx.db, {
      workspaceId: s.ws.id,
      ownerId: s.ws.users.rep.id,
      status: 'active',
      window: ALWAYS,
      fallback: null,
      contactTz: 'UTC',
      ...spec,
    });
    await exec(
      `UPDATE sequence_steps SET status = 'scheduled', scheduled_at = $2::timestamptz + (position || ' days')::interval
        WHERE sequence_id = $1`,
      [b.sequenceId, new Date(Date.now() + firstInHours * HOUR)],
    );
    return b;
  };
  const row = (html: string, stepId: number) => {
    const m = new RegExp(`<tr data-step-id="${stepId}">([\\s\\S]*?)</tr>`).exec(html);
    return (m?.[1] ?? '').replace(/\s+/g, ' ');
  };

  it('says why each step waits and when it is expected, per rep and per mailbox', async () => {
    const due = await active();
    const paused = await active();
    await exec(`UPDATE mailboxes SET paused_at = now(), pause_reason = 'warming up' WHERE id = $1`, [paused.mailboxId]);
    const capped = await active({ mailbox: { kind: 'outbox', dailyCap: 1 } });
    const other = await buildSequence(s.ctx.db, { workspaceId: s.ws.id, ownerId: s.ws.users.rep.id, mailbox: null });
    await exec(
      `UPDATE sequence_steps SET status = 'sent', mailbox_id = $2, claimed_at = now() - interval '1 hour' WHERE id = $1`,
      [other.stepIds[0], capped.mailboxId],
    );
    const closed = await active({ window: { days: [1], start: '00:00', end: '00:01' } });
    const held = await active();
    await exec(`UPDATE sequences SET status = 'paused', stop_reason = 'someone at the account replied' WHERE id = $1`, [
      held.sequenceId,
    ]);

    const rep = await as('rep');
    const list = (await rep.page('/schedule')).html;
    expect(row(list, due.stepIds[0]!)).toContain('data-code="due"');
    expect(row(list, due.stepIds[1]!)).toContain('step 1 has not gone yet');
    expect(row(list, paused.stepIds[0]!)).toContain('mailbox paused: warming up');
    expect(row(list, paused.stepIds[0]!)).toContain('needs a person');
    expect(row(list, capped.stepIds[0]!)).toContain('daily cap reached (1 a day)');
    expect(row(list, capped.stepIds[0]!)).toMatch(
      /expected <time datetime="[^"]+" title="[^"]+"\s*>in (2[2-4] h|1 day)/,
    );
    expect(row(list, closed.stepIds[0]!)).toContain('outside the sending window (Mon 00:00–00:01 recipient time)');
    expect(row(list, held.stepIds[0]!)).toContain('sequence paused: someone at the account replied');

    // Per mailbox: only the steps that would go from it.
    const one_ = (await rep.page(`/schedule?mailbox=${paused.mailboxId}`)).html;
    expect(one_).toContain(`data-step-id="${paused.stepIds[0]}"`);
    expect(one_).not.toContain(`data-step-id="${due.stepIds[0]}"`);
    // Per rep: RevOps filters by owner; another rep's steps are not the rep's to see.
    const revops = await as('revops');
    expect((await revops.page(`/schedule?rep=${s.ws.users.rep.id}`)).html).toContain(
      `data-step-id="${due.stepIds[0]}"`,
    );
    expect((await revops.page(`/schedule?rep=${s.ws.users.admin.id}`)).html).toContain('No step is waiting to go out.');
    expect(list).toMatch(/Page 1 of 1 · \d+ in all/);

    // The draft page says the same.
    const draft = (await rep.page(`/drafts/${paused.sequenceId}`)).html;
    expect(draft).toContain(
      'Waiting: <span class="waiting-reason" data-code="mailbox_paused">mailbox paused: warming up',
    );
  });

  it('draws the week grid with the steps of that week, and an empty next-but-three week', async () => {
    const b = await active({}, 2);
    const rep = await as('rep');
    const week = (await rep.page('/schedule?view=week')).html;
    expect(week).toContain('class="week-grid"');
    const inGrid = (html: string) =>
      (html.match(new RegExp(`class="slot" data-step-id="(${b.stepIds.join('|')})"`, 'g')) ?? []).length;
    // Steps 2 and 3 are one and two days later: some of them may fall into the next week.
    const next = (
      await rep.page(`/schedule?view=week&week=${new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10)}`)
    ).html;
    expect(inGrid(week) + inGrid(next)).toBe(3);
    const far = (
      await rep.page(`/schedule?view=week&week=${new Date(Date.now() + 28 * 86_400_000).toISOString().slice(0, 10)}`)
    ).html;
    expect(inGrid(far)).toBe(0);
  });

  it('reschedules a step after the one ahead of it only, moving later steps to keep their delays', async () => {
    const b = await active({ contactTz: 'UTC' }, 1);
    const rep = await as('rep');
    const { csrf } = await rep.page('/schedule');
    const at = (d: Date) => d.toISOString().slice(0, 16); // the rep's zone is UTC in the builder
    const times = async () =>
      (
        await run<{ scheduled_at: Date }>(s.ctx.db, {
          text: 'SELECT scheduled_at FROM sequence_steps WHERE sequence_id = $1 ORDER BY position',
          values: [b.sequenceId],
        })
      ).map((r) => r.scheduled_at.getTime());
    const before = await times();
    // Step 2 before step 1: refused, nothing moved.
    const early = await rep.post(`/schedule/steps/${b.stepIds[1]}/reschedule`, {
      _csrf: csrf!,
      at: at(new Date(before[0]! - HOUR)),
    });
    expect(early.status).toBe(400);
    expect(await times()).toEqual(before);
    // Step 2 three days on: step 3 (a day after it) moves with it.
    const target = new Date(before[0]! + 3 * 86_400_000);
    target.setUTCSeconds(0, 0);
    const ok = await rep.post(`/schedule/steps/${b.stepIds[1]}/reschedule`, {
      _csrf: csrf!,
      at: at(target),
      back: '/schedule',
    });
    expect(ok.status).toBe(303);
    expect(decodeURIComponent(ok.headers.get('location')!)).toContain('1 later step moved');
    const after = await times();
    expect(after[1]).toBe(target.getTime());
    expect(after[2]).toBeGreaterThanOrEqual(target.getTime() + 86_400_000);
    const audit = await one<{ n: number }>(s.ctx.db, {
      text: `SELECT count(*)::int AS n FROM audit_log WHERE action = 'step.rescheduled' AND entity_id = $1`,
      values: [String(b.stepIds[1])],
    });
    expect(audit!.n).toBe(1);
    // Managers read; another rep's step is not theirs.
    const manager = await as('manager');
    const m = await manager.page('/schedule');
    expect(row(m.html, b.stepIds[0]!)).not.toContain('Reschedule');
    expect(
      (await manager.post(`/schedule/steps/${b.stepIds[0]}/reschedule`, { _csrf: m.csrf!, at: at(target) })).status,
    ).toBe(403);
  });

  it('skips one step with a reason: audited, the later steps planned again from the skip', async () => {
    const b = await active({}, 1);
    const rep = await as('rep');
    const { csrf } = await rep.page('/schedule');
    expect((await rep.post(`/schedule/steps/${b.stepIds[1]}/skip`, { _csrf: csrf! })).status).toBe(400);
    const res = await rep.post(`/schedule/steps/${b.stepIds[1]}/skip`, {
      _csrf: csrf!,
      reason: 'already met at the fair',
    });
    expect(res.status).toBe(303);
    const steps = await run<{ status: string; skip_reason: string | null; scheduled_at: Date }>(s.ctx.db, {
      text: 'SELECT status, skip_reason, scheduled_at FROM sequence_steps WHERE sequence_id = $1 ORDER BY position',
      values: [b.sequenceId],
    });
    expect(steps.map((x) => x.status)).toEqual(['scheduled', 'skipped', 'scheduled']);
    expect(steps[1]!.skip_reason).toBe('already met at the fair');
    // Step 3 was two days out; its delay (4 days in the builder) now counts from the skip, so it moved later.
    expect(steps[2]!.scheduled_at.getTime()).toBeGreaterThan(Date.now() + 3.9 * 86_400_000);
    const audit = await one<{ data: { reason: string } }>(s.ctx.db, {
      text: `SELECT data FROM audit_log WHERE action = 'step.skipped' AND entity_id = $1`,
      values: [String(b.stepIds[1])],
    });
    expect(audit!.data.reason).toBe('already met at the fair');
    // A skipped step cannot be skipped or moved again.
    expect((await rep.post(`/schedule/steps/${b.stepIds[1]}/skip`, { _csrf: csrf!, reason: 'again' })).status).toBe(
      409,
    );
  });
});
