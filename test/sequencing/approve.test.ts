import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { approveSequence, previewSchedule, rejectSequence } from '../../sequencing/approve.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { buildSequence, stepRows } from './builders.js';

// Monday 2026-03-09 15:00 UTC: 11:00 in New York (window closed for today, and Monday is not a window day).
const NOW = new Date('2026-03-09T15:00:00Z');

describeEachBackend('approveSequence', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildWorkspace(get().db);
  });
  afterAll(async () => ctx.stop());

  it("activates the sequence and schedules every step in the contact's window", async () => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      contactTz: 'America/New_York',
    });
    const preview = await previewSchedule(ctx.db, b.sequenceId, NOW);
    expect(preview.zone).toBe('America/New_York');
    const { firstSendAt } = await approveSequence(ctx, {
      sequenceId: b.sequenceId,
      userId: ws.users.rep.id,
      now: NOW,
      random: () => 0,
    });
    const seq = await one<{ status: string; approved_by: number; approved_at: Date }>(ctx.db, {
      text: 'SELECT * FROM sequences WHERE id = $1',
      values: [b.sequenceId],
    });
    expect(seq).toMatchObject({ status: 'active', approved_by: ws.users.rep.id });
    expect(seq!.approved_at.getTime()).toBe(NOW.getTime());
    const steps = await stepRows(ctx.db, b.sequenceId);
    expect(steps.map((s) => s.status)).toEqual(['scheduled', 'scheduled', 'scheduled']);
    const local = steps.map((s) =>
      DateTime.fromJSDate(s.scheduled_at!, { zone: 'America/New_York' }).toFormat('ccc HH:mm'),
    );
    expect(local).toEqual(['Tue 09:00', 'Fri 09:00', 'Tue 09:00']);
    expect(firstSendAt!.getTime()).toBe(steps[0]!.scheduled_at!.getTime());
    expect(preview.steps.map((s) => s.at!.getTime())).toEqual(steps.map((s) => s.scheduled_at!.getTime()));
  });

  it("falls back to the account zone, then the rep's", async () => {
    const a = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      contactTz: null,
      accountTz: 'Asia/Tokyo',
    });
    expect((await previewSchedule(ctx.db, a.sequenceId, NOW)).zone).toBe('Asia/Tokyo');
    await ctx.db.query(`UPDATE users SET time_zone = 'Europe/Berlin' WHERE id = $1`, [ws.users.rep.id]);
    const r = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      contactTz: null,
      accountTz: null,
    });
    expect((await previewSchedule(ctx.db, r.sequenceId, NOW)).zone).toBe('Europe/Berlin');
  });

  it("skips the public holidays of the account's country", async () => {
    // Wednesday 25 Nov 2026, 17:30 in New York: both windows closed for the day; Thursday is Thanksgiving.
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      contactTz: 'America/New_York',
      country: 'US',
      steps: [{ delayDays: 0 }],
    });
    const { firstSendAt } = await approveSequence(ctx, {
      sequenceId: b.sequenceId,
      userId: ws.users.rep.id,
      now: new Date('2026-11-25T22:30:00Z'),
      random: () => 0,
    });
    expect(DateTime.fromJSDate(firstSendAt!, { zone: 'America/New_York' }).toFormat('ccc d LLL HH:mm')).toBe(
      'Fri 27 Nov 08:00',
    );
  });

  it('refuses a sequence that is not pending review, and changes nothing', async () => {
    const b = await buildSequence(ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
    await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW });
    await expect(
      approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.admin.id, now: NOW }),
    ).rejects.toMatchObject({ code: 'STATE', status: 409 });
    await expect(
      approveSequence(ctx, { sequenceId: 99_999_999, userId: ws.users.rep.id, now: NOW }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const seq = await one<{ approved_by: number }>(ctx.db, {
      text: 'SELECT approved_by FROM sequences WHERE id = $1',
      values: [b.sequenceId],
    });
    expect(seq!.approved_by).toBe(ws.users.rep.id);
  });

  it('approves once when two reviewers click at the same moment', async () => {
    const b = await buildSequence(ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
    const results = await Promise.allSettled([
      approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW }),
      approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.admin.id, now: NOW }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('rejects: sequence rejected with the reason, steps cancelled', async () => {
    const b = await buildSequence(ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
    await rejectSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, reason: 'wrong person', now: NOW });
    const seq = await one<{ status: string; rejected_reason: string }>(ctx.db, {
      text: 'SELECT * FROM sequences WHERE id = $1',
      values: [b.sequenceId],
    });
    expect(seq).toMatchObject({ status: 'rejected', rejected_reason: 'wrong person' });
    expect((await stepRows(ctx.db, b.sequenceId)).map((s) => s.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    await expect(
      rejectSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW }),
    ).rejects.toMatchObject({ code: 'STATE' });
  });
});
